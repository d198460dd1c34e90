package submission

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/assessment"
	"github.com/selfassess/selfassess/checklist"
	"github.com/selfassess/selfassess/internal/evidence"
	"github.com/selfassess/selfassess/internal/input"
	"github.com/selfassess/selfassess/internal/synthetic"
	"github.com/selfassess/selfassess/report"
)

// teamProject writes teamAnswers and teamEvidence under a new folder and
// returns it with results whose two controls cite those evidence files
// (and one probe finding, which is not a file).
func teamProject(t *testing.T) (root string, a *answers.File, res *assessment.Results) {
	t.Helper()
	root = t.TempDir()
	for name, data := range teamEvidence {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	p := filepath.Join(root, "team", "answers.yaml")
	require.NoError(t, os.WriteFile(p, []byte(teamAnswers), 0o644))
	a, err := answers.Load(p)
	require.NoError(t, err)
	res = synthetic.Results(2)
	res.Controls[0].ID, res.Controls[1].ID = "FH-AUTH-1", "FH-DATA-1"
	res.Controls[0].Evidence = []assessment.Reason{
		{Kind: "file", Source: "../shared/screens/vault.png", Message: "attached"},
		{Kind: "probe", Source: "http.headers@https://app.example.test", Status: "pass", Message: "headers set"},
	}
	res.Controls[1].Evidence = []assessment.Reason{{Kind: "file", Source: "docs/b/x.pdf", Message: "attached"}}
	return root, a, res
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// requireProblem asserts err is the user's fault (an *input.Problem) and
// returns its message.
func requireProblem(t *testing.T, err error) string {
	t.Helper()
	var p *input.Problem
	require.True(t, errors.As(err, &p), "want *input.Problem, got %T: %v", err, err)
	return err.Error()
}

// Assemble packs the evidence and gives each evidence file of the results
// its size, SHA-256 and packed path before the reports are rendered, so
// results.json in the package says exactly what was attached.
func TestAssembleDescribesEvidence(t *testing.T) {
	root, a, res := teamProject(t)
	out := filepath.Join(root, "pkg")
	sum, err := Assemble(context.Background(), res, Assembly{
		OutDir: out, Formats: []string{"md"}, Date: date, Answers: a,
		EvidenceRoots: []string{filepath.Join(root, "shared")}, Key: KeySource{Getenv: noEnv},
	})
	require.NoError(t, err)

	vault := res.Controls[0].Evidence[0]
	assert.Equal(t, sha256Hex(teamEvidence["shared/screens/vault.png"]), vault.SHA256)
	assert.Equal(t, int64(len(teamEvidence["shared/screens/vault.png"])), vault.Size)
	assert.Equal(t, "evidence/FH-AUTH-1/vault.png", vault.Packed)
	assert.Empty(t, res.Controls[0].Evidence[1].SHA256, "a probe reason is not a file")
	twin := res.Controls[1].Evidence[0]
	assert.Equal(t, sha256Hex("second"), twin.SHA256)
	assert.Equal(t, "evidence/FH-DATA-1/x-2.pdf", twin.Packed, "the second x.pdf of the control")

	packaged, err := report.LoadResults(filepath.Join(out, "results.json"))
	require.NoError(t, err)
	assert.Equal(t, vault.SHA256, packaged.Controls[0].Evidence[0].SHA256)
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(vault.Packed)))
	require.NoError(t, err)
	assert.Equal(t, teamEvidence["shared/screens/vault.png"], string(b))

	assert.Empty(t, sum.Signer)
	assert.Empty(t, res.Signer)
	assert.Equal(t, []string{"the package is NOT signed (no --sign-key or SELFASSESS_SIGNING_KEY); VERIFY.md says so"}, sum.Warnings)
	assert.Contains(t, sum.Files, filepath.Join(out, "results.json"))
	assert.Equal(t, out+".zip", sum.Zip)
}

// Without --evidence-root, evidence outside the answers file's folder is
// the user's problem, found before anything is written.
func TestAssembleEvidenceOutsideRoots(t *testing.T) {
	root, a, res := teamProject(t)
	out := filepath.Join(root, "pkg")
	_, err := Assemble(context.Background(), res, Assembly{OutDir: out, Formats: []string{"md"}, Date: date, Answers: a, Key: KeySource{Getenv: noEnv}})
	assert.Contains(t, requireProblem(t, err), "../shared/screens/vault.png")
	assert.NoDirExists(t, out)

	_, err = Assemble(context.Background(), res, Assembly{OutDir: out, Date: date, Answers: a, EvidenceRoots: []string{filepath.Join(root, "nope")}})
	assert.Contains(t, requireProblem(t, err), "--evidence-root: evidence root "+filepath.Join(root, "nope"))
}

// A file packed and then gone before it is hashed: the user's problem,
// naming the answers file, the control and the path as written.
func TestDescribeEvidenceFileGone(t *testing.T) {
	root, a, res := teamProject(t)
	chk, err := evidence.NewChecker(filepath.Join(root, "team"), filepath.Join(root, "shared"))
	require.NoError(t, err)
	packed, err := PackEvidence(context.Background(), a, chk)
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(root, "team", "docs", "b", "x.pdf")))
	err = DescribeEvidence(res, a, packed)
	msg := requireProblem(t, err)
	assert.Equal(t, a.Path+`: control FH-DATA-1: evidence "docs/b/x.pdf": `+filepath.Join(root, "team", "docs", "b", "x.pdf")+": no such file or directory", msg)
	var p *input.Problem
	require.True(t, errors.As(err, &p))
	assert.Equal(t, "evidence paths are relative to the answers file's folder", p.Hint)

	assert.NoError(t, DescribeEvidence(res, nil, packed), "no answers, nothing to describe")
}

// The package is signed by the key given, says who signed it, and warns
// about files in its folder that are not the package's.
func TestAssembleSignedAndForeignFiles(t *testing.T) {
	res := synthetic.Results(3)
	out := filepath.Join(t.TempDir(), "pkg")
	s := testSigner(t)
	in := Assembly{OutDir: out, Formats: []string{"md"}, Date: date, Signer: s}
	sum, err := Assemble(context.Background(), res, in)
	require.NoError(t, err)
	assert.Equal(t, s.Fingerprint(), sum.Signer)
	assert.Equal(t, s.Fingerprint(), res.Signer)
	assert.Equal(t, "an ephemeral key (demo)", sum.SignedWith)
	assert.Empty(t, sum.Warnings)
	assert.Empty(t, sum.Notes)
	v, err := Verify(sum.Zip, trustOf(s))
	require.NoError(t, err)
	assert.True(t, v.OK(), "%+v", v.Problems)

	for _, n := range []string{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(out, n), []byte("mine"), 0o644))
	}
	sum, err = Assemble(context.Background(), res, in)
	require.NoError(t, err)
	assert.Equal(t, []string{out + " also holds files that are not part of the package (a.txt, b.txt, c.txt, d.txt, e.txt, and 2 more); send the zip"}, sum.Warnings)
}

// An Ed25519 key signs the package but not report.pdf: a note says why.
func TestAssembleNotesUnsignedPDF(t *testing.T) {
	res := synthetic.Results(3)
	out := filepath.Join(t.TempDir(), "pkg")
	sum, err := Assemble(context.Background(), res, Assembly{OutDir: out, Formats: []string{"pdf"}, Date: date, Key: ed25519Source(t)})
	require.NoError(t, err)
	assert.False(t, sum.PDFSigned)
	require.Len(t, sum.Notes, 1)
	assert.True(t, strings.HasPrefix(sum.Notes[0], "the package is signed, report.pdf is not: Ed25519 keys"), sum.Notes[0])
	assert.FileExists(t, filepath.Join(out, "report.pdf"))
}

// What the user gave wrong is refused before anything is written: an
// --out that is a file or whose zip would be a folder, an --out holding
// the results being re-packaged.
func TestAssembleRefusesBadOut(t *testing.T) {
	res := synthetic.Results(2)
	dir := t.TempDir()
	file := filepath.Join(dir, "results.json")
	require.NoError(t, os.WriteFile(file, []byte("{}"), 0o644))
	_, err := Assemble(context.Background(), res, Assembly{OutDir: file, Date: date})
	assert.Equal(t, "--out "+file+": is a file, not a folder", requireProblem(t, err))

	out := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(out+".zip", 0o755))
	_, err = Assemble(context.Background(), res, Assembly{OutDir: out, Date: date})
	assert.Equal(t, "--out "+out+": "+out+".zip is a folder", requireProblem(t, err))

	_, err = Assemble(context.Background(), res, Assembly{OutDir: dir, Date: date, Input: file})
	assert.Equal(t, "refusing to overwrite the input "+file, requireProblem(t, err))
	b, _ := os.ReadFile(file)
	assert.Equal(t, "{}", string(b))
}

// A broken --previous is the user's; a broken template stays a
// *report.TemplateError, for the CLI to blame --template-dir.
func TestAssemblePreviousAndTemplateErrors(t *testing.T) {
	res := synthetic.Results(2)
	dir := t.TempDir()
	_, err := Assemble(context.Background(), res, Assembly{OutDir: filepath.Join(dir, "pkg"), Date: date, PreviousPath: filepath.Join(dir, "missing.json")})
	assert.Equal(t, "--previous: "+filepath.Join(dir, "missing.json")+": no such file or directory", requireProblem(t, err))

	tpl := filepath.Join(dir, "tpl")
	require.NoError(t, os.Mkdir(tpl, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tpl, "report.md.tmpl"), []byte("{{ nope }}"), 0o644))
	_, err = Assemble(context.Background(), res, Assembly{OutDir: filepath.Join(dir, "pkg"), Formats: []string{"md"}, Date: date, TemplateDir: tpl})
	var te *report.TemplateError
	assert.True(t, errors.As(err, &te), "%T: %v", err, err)
	assert.NoDirExists(t, filepath.Join(dir, "pkg"))
}

// ed25519Source is a key source holding a fresh Ed25519 key.
func ed25519Source(t *testing.T) KeySource {
	kp, err := GenerateKeyType(KeyEd25519, nil, "")
	require.NoError(t, err)
	return KeySource{Getenv: func(k string) string {
		if k == EnvSigningKey {
			return string(kp.PrivatePEM)
		}
		return ""
	}}
}

// The demo's ephemeral key wins over the environment, not over --sign-key.
func TestLoadSignerEphemeral(t *testing.T) {
	src := ed25519Source(t)
	src.Ephemeral = true
	s, err := LoadSigner(src)
	require.NoError(t, err)
	assert.Equal(t, "an ephemeral key (demo)", s.From)
	src.Path = filepath.Join(t.TempDir(), "missing")
	_, err = LoadSigner(src)
	assert.Contains(t, requireProblem(t, err), "--sign-key: ")
}

// A package carries SOURCE_DATE_EPOCH when set, else when the assessment
// finished (in UTC), else now.
func TestReportDate(t *testing.T) {
	def := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvSourceDate {
				return v
			}
			return ""
		}
	}
	res := &assessment.Results{FinishedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CET", 3600))}
	got, err := ReportDate(res, env(""), def)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), got, "when the assessment finished, in UTC")
	got, err = ReportDate(&assessment.Results{}, env(""), def)
	require.NoError(t, err)
	assert.Equal(t, def, got, "unfinished: now")
	got, err = ReportDate(res, env("0"), def)
	require.NoError(t, err)
	assert.Equal(t, time.Unix(0, 0).UTC(), got, "SOURCE_DATE_EPOCH first")
}

// The checklist a re-made package holds must be the one the results were
// evaluated against.
func TestResultsChecklist(t *testing.T) {
	finhub, err := checklist.Builtin("finhub")
	require.NoError(t, err)
	res := &assessment.Results{Checklist: assessment.ChecklistRef{ID: "finhub", SHA256: finhub.SHA256}}

	cl, warning, err := ResultsChecklist(res, "", nil)
	require.NoError(t, err)
	assert.Equal(t, finhub.SHA256, cl.SHA256, "the built-in the results name")
	assert.Empty(t, warning)

	res.Checklist.SHA256 = strings.Repeat("0", 64)
	cl, warning, err = ResultsChecklist(res, "", nil)
	require.NoError(t, err)
	assert.Nil(t, cl, "a built-in changed since is left out")
	assert.Equal(t, "the built-in finhub checklist changed since these results; checklist.yaml is left out (name it with --checklist)", warning)

	_, _, err = ResultsChecklist(res, "finhub", nil)
	assert.Equal(t, "--checklist finhub (sha256 "+finhub.SHA256[:12]+"…) is not the checklist these results were evaluated against (sha256 000000000000…)", requireProblem(t, err))

	missing := filepath.Join(t.TempDir(), "mine.yaml")
	_, _, err = ResultsChecklist(res, missing, nil)
	msg := requireProblem(t, err)
	assert.True(t, strings.HasPrefix(msg, "--checklist: ") && strings.HasSuffix(msg, missing+": no such file or directory"), msg)

	cl, warning, err = ResultsChecklist(&assessment.Results{Checklist: assessment.ChecklistRef{ID: "own"}}, "", nil)
	assert.NoError(t, err)
	assert.Nil(t, cl, "not a built-in and none named: no checklist.yaml")
	assert.Empty(t, warning)
}
