package checklist

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRemediationDaysLoadAndValidate(t *testing.T) {
	cl, err := Parse("r.yaml", []byte(minimal+"remediation_days: {critical: 14, high: 30, medium: 90, low: 180}\n"))
	require.NoError(t, err)
	assert.Equal(t, 14, cl.RemediationDays.For(Critical))
	assert.Equal(t, 180, cl.RemediationDays.For(Low))
	assert.Equal(t, 0, (*RemediationDays)(nil).For(High), "no periods set")

	_, err = Parse("r.yaml", []byte(minimal+"remediation_days: {critical: -1}\n"))
	assert.ErrorContains(t, err, "remediation_days.critical: must be between 1 and 3650 days, got -1")
	_, err = Parse("r.yaml", []byte(minimal+"remediation_days: {urgent: 3}\n"))
	assert.ErrorContains(t, err, `r.yaml:15:20: remediation_days.urgent: unknown field "urgent"`)
}
