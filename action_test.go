package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/selfassess/selfassess/internal/demo"
	"github.com/selfassess/selfassess/internal/testenv"
)

// actionFile is the composite action's metadata, as far as the test needs it.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	Name  string            `yaml:"name"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
	If    string            `yaml:"if"`
}

var expr = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)

// TestActionStepsAgainstTargets runs action.yml's own shell steps, in order,
// as the runner would (bash -eo pipefail, inputs through env, outputs through
// $GITHUB_OUTPUT), with the binary built from this checkout, against the
// demo's sites and source tree. So the composite steps cannot drift from the
// CLI's flags.
func TestActionStepsAgainstTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	testenv.RequireTool(t, "jq")
	// The demo's two sites (one well configured, one flawed), its source
	// tree and its answers: the action runs against what `run --demo` probes.
	d, err := demo.Start(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	work := t.TempDir()
	caFile := filepath.Join(work, "ca.pem")
	writeFile(t, caFile, string(d.Targets.CAPEM))

	for _, tc := range []struct {
		name     string
		gate     string
		wantGate int // the Gate step's exit code
	}{
		{"gated", "true", 1},
		{"report only", "false", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inputs := map[string]string{
				"version":          "source",
				"checklist":        "finhub",
				"targets":          d.Targets.Good + "\n" + d.Targets.Flawed,
				"source":           d.Source,
				"answers":          d.Answers.Path,
				"out":              "out-" + tc.gate,
				"allow-unanswered": "false",
				"args":             "--ca-file " + caFile,
				"gate":             tc.gate,
			}
			outputs, codes := runActionSteps(t, work, inputs)
			results := filepath.Join(work, inputs["out"], "results.json")
			var res struct {
				Summary struct {
					Verdict string `json:"verdict"`
					Score   int    `json:"score"`
				} `json:"summary"`
			}
			b, err := os.ReadFile(results)
			if err != nil {
				t.Fatalf("the run step wrote no results.json: %v", err)
			}
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			// The flawed site and source tree fail critical controls: not ready.
			if res.Summary.Verdict != "not-ready" || outputs["verdict"] != res.Summary.Verdict {
				t.Errorf("verdict output %q, results.json %q; want not-ready in both", outputs["verdict"], res.Summary.Verdict)
			}
			if outputs["score"] == "" || outputs["exit-code"] != "1" {
				t.Errorf("outputs %v: want a score and exit-code 1", outputs)
			}
			if outputs["package"] != inputs["out"]+".zip" {
				t.Errorf("package output %q, want %q", outputs["package"], inputs["out"]+".zip")
			}
			for _, f := range []string{outputs["package"], filepath.Join(inputs["out"], "results.sarif"), filepath.Join(inputs["out"], "junit.xml")} {
				if _, err := os.Stat(filepath.Join(work, f)); err != nil {
					t.Errorf("the upload steps would find no %s: %v", f, err)
				}
			}
			if codes["Run selfassess"] != 0 {
				t.Errorf("the run step must not fail before the uploads (exit %d)", codes["Run selfassess"])
			}
			if codes["Gate"] != tc.wantGate {
				t.Errorf("gate step exit %d, want %d", codes["Gate"], tc.wantGate)
			}
		})
	}

	t.Run("input error always fails", func(t *testing.T) {
		inputs := map[string]string{"version": "source", "checklist": "nosuch", "out": "out-bad", "gate": "false"}
		outputs, codes := runActionSteps(t, work, inputs)
		if outputs["exit-code"] != "2" || codes["Gate"] != 2 || outputs["verdict"] != "" {
			t.Errorf("outputs %v, gate exit %d: want exit-code 2, no verdict, gate exit 2", outputs, codes["Gate"])
		}
	})
}

// runActionSteps runs the composite action's run steps in dir and returns the
// step outputs of the "run" step and each step's exit code by name. Steps
// that use other actions (artifact and SARIF upload) are not run here.
func runActionSteps(t *testing.T, dir string, inputs map[string]string) (map[string]string, map[string]int) {
	t.Helper()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q, want composite", a.Runs.Using)
	}
	for name := range inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("the test sets input %q, which action.yml does not declare", name)
		}
	}
	actionPath, _ := filepath.Abs(".")
	runnerTemp := t.TempDir()
	stepOutputs := map[string]map[string]string{}
	codes := map[string]int{}
	eval := func(e string) string {
		switch {
		case strings.HasPrefix(e, "inputs."):
			name := strings.TrimPrefix(e, "inputs.")
			if v, ok := inputs[name]; ok {
				return v
			}
			in, ok := a.Inputs[name]
			if !ok {
				t.Fatalf("action.yml refers to undeclared input %q", name)
			}
			return in.Default
		case e == "github.action_path":
			return actionPath
		case e == "runner.os":
			return "Linux"
		case e == "runner.arch":
			return "X64"
		case strings.HasPrefix(e, "steps."):
			parts := strings.Split(e, ".") // steps.ID.outputs.NAME
			if len(parts) == 4 && parts[2] == "outputs" {
				return stepOutputs[parts[1]][parts[3]]
			}
		}
		t.Fatalf("action.yml expression %q is not known to this test", e)
		return ""
	}
	for _, st := range a.Runs.Steps {
		if st.Run == "" {
			if st.Uses == "" {
				t.Fatalf("step %q neither runs nor uses", st.Name)
			}
			continue
		}
		if st.Shell != "bash" {
			t.Fatalf("step %q: shell %q, want bash", st.Name, st.Shell)
		}
		if expr.MatchString(st.Run) {
			t.Fatalf("step %q interpolates ${{ }} into its script; pass values through env", st.Name)
		}
		outFile := filepath.Join(runnerTemp, "output-"+st.Name)
		writeFile(t, outFile, "")
		env := append(os.Environ(),
			"GITHUB_OUTPUT="+outFile,
			"GITHUB_PATH="+filepath.Join(runnerTemp, "path"),
			"GITHUB_STEP_SUMMARY="+filepath.Join(runnerTemp, "summary"),
			"RUNNER_TEMP="+runnerTemp,
			"PATH="+filepath.Join(runnerTemp, "selfassess-bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
			"CI=true",
		)
		for k, v := range st.Env {
			env = append(env, k+"="+expr.ReplaceAllStringFunc(v, func(m string) string {
				return eval(expr.FindStringSubmatch(m)[1])
			}))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", st.Run)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("step %q: %v", st.Name, err)
		}
		codes[st.Name] = code
		t.Logf("step %q exit %d:\n%s", st.Name, code, out)
		if st.ID != "" {
			stepOutputs[st.ID] = readOutputs(t, outFile)
		}
		if code != 0 && st.Name == "Install selfassess" {
			t.Fatalf("install step failed")
		}
	}
	return stepOutputs["run"], codes
}

func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
