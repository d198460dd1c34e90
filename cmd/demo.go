package cmd

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/demo"
	"github.com/selfassess/selfassess/internal/evidence"
)

// demoPlan starts the two demo targets and returns a plan that probes them
// with the bundled answers; stop shuts the targets down.
func (o *runOptions) demoPlan(ctx context.Context) (*runPlan, func(), error) {
	// The demo brings its own targets, answers and key: a flag it would
	// ignore is refused rather than silently dropped.
	for _, name := range []string{"config", "checklist", "target", "answers", "exceptions", "source", "webhook-url",
		"ca-file", "revisit", "review", "reviewer-keys", "allow-unanswered", "fail-on", "sign-key"} {
		if o.changed(name) {
			return nil, nil, usageErr("drop --"+name+", or run without --demo", "--demo uses its own targets, answers and key; --%s does not apply to it", name)
		}
	}
	outDir := demo.OutDir
	if o.changed("out") {
		outDir = o.outDir
	}
	d, err := demo.Start(o.now())
	if err != nil {
		return nil, nil, runtimeErr("", "%v", err)
	}
	o.probe.Source = d.Source
	o.probe.WebhookURL = ""
	cfg, err := o.probe.config(o.ios)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	cfg.RootCAs = d.Targets.Roots // the demo trusts its own in-memory CA, and only it
	ts, err := o.probe.Targets(ctx, []string{d.Targets.Good, d.Targets.Flawed})
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	ev, err := evidence.NewChecker(filepath.Dir(d.Answers.Path)) // the bundled answers' folder
	if err != nil {
		d.Close()
		return nil, nil, runtimeErr("", "%v", err)
	}
	fmt.Fprintf(o.ios.ErrOut, "demo: well-configured target %s\ndemo: flawed target        %s\n", d.Targets.Good, d.Targets.Flawed)
	return &runPlan{
		project: demo.Project,
		cl:      d.Checklist, ans: d.Answers, probeCfg: cfg, targets: ts,
		failOn: checklist.High, outDir: outDir, ephemeral: true, evidence: ev,
	}, d.Close, nil
}
