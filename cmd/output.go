package cmd

import (
	"os"
	"path/filepath"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/report"
)

// STUB (owned by the report/submission work): writes results.json only.

// outputInput is everything the package needs beyond the results.
type outputInput struct {
	OutDir      string
	Formats     []string // report formats; nil = all
	TemplateDir string
	Checklist   *checklist.Checklist
	Answers     *answers.File // its Path locates the evidence files
	// PreviousPath is an earlier results.json; when set, changes.md is added.
	PreviousPath string
	// SignKey is --sign-key (a private key path, or a public key path for ssh-agent); "" = environment / unsigned.
	SignKey string
	// EphemeralKey signs with a fresh in-memory key (the demo).
	EphemeralKey bool
}

// outputSummary says what was written.
type outputSummary struct {
	Dir    string
	Zip    string
	Files  []string
	Signer string // key fingerprint, "" when unsigned
}

// writeOutputs renders the reports and assembles the (signed) package in in.OutDir.
func writeOutputs(ios *IOStreams, res *assessment.Results, in outputInput) (outputSummary, error) {
	if err := os.MkdirAll(in.OutDir, 0o755); err != nil {
		return outputSummary{}, runtimeErr("", "creating %s: %v", in.OutDir, err)
	}
	b, err := report.JSON(res)
	if err != nil {
		return outputSummary{}, runtimeErr("", "rendering results.json: %v", err)
	}
	p := filepath.Join(in.OutDir, "results.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return outputSummary{}, runtimeErr("", "writing %s: %v", p, err)
	}
	return outputSummary{Dir: in.OutDir, Files: []string{p}}, nil
}
