// Package all lists every probe family, for the commands that run probes.
package all

import (
	"github.com/selfassess/selfassess/probes"
	"github.com/selfassess/selfassess/probes/httpprobe"
	"github.com/selfassess/selfassess/probes/sourceprobe"
	"github.com/selfassess/selfassess/probes/tlsprobe"
)

// Families returns a fresh instance of every probe family.
func Families() []probes.Family {
	return []probes.Family{
		tlsprobe.NewFamily(),
		httpprobe.NewFamily(),
		httpprobe.NewWebhookFamily(),
		sourceprobe.NewFamily(),
	}
}
