package submission

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/selfassess/selfassess/answers"
	"github.com/selfassess/selfassess/internal/evidence"
)

// teamAnswers is in the form answers.Save writes (checklist order), so the
// packaged copy can differ from it only in the evidence lines.
const teamAnswers = `# Acme's answers for the FinHub certification.
schema: selfassess/answers/v1
checklist: finhub
controls:
  FH-AUTH-1:
    answers:
      secrets-manager: true
    # the vault runbook and its screenshot
    evidence:
      - docs/policies/2026/vault-runbook.md
      - ../shared/screens/vault.png
    owner: Dana
  FH-DATA-1:
    answers:
      hosted-fields: true
    evidence:
      - docs/a/x.pdf
      - docs/b/x.pdf
      - ./docs/b/x.pdf
      - top.txt
`

var teamEvidence = map[string]string{
	"team/docs/policies/2026/vault-runbook.md": "# Vault runbook\n",
	"shared/screens/vault.png":                 "\x89PNG fake",
	"team/docs/a/x.pdf":                        "first",
	"team/docs/b/x.pdf":                        "second",
	"team/top.txt":                             "top",
}

// The packaged answers.yaml names the packed evidence paths, so a reviewer
// (and report --package run on the unpacked package) finds every file; the
// team's own answers.yaml is left as it was.
func TestPackagedAnswersNamePackedEvidence(t *testing.T) {
	root := t.TempDir()
	for name, data := range teamEvidence {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	teamPath := filepath.Join(root, "team", "answers.yaml")
	require.NoError(t, os.WriteFile(teamPath, []byte(teamAnswers), 0o644))
	signer := testSigner(t)

	pack := func(answersPath, out string) {
		t.Helper()
		a, err := answers.Load(answersPath)
		require.NoError(t, err)
		// ../shared is outside the team's folder: named as a root (--evidence-root)
		chk, err := evidence.NewChecker(filepath.Dir(answersPath), filepath.Join(root, "shared"))
		require.NoError(t, err)
		ev, err := PackEvidence(context.Background(), a, chk)
		require.NoError(t, err)
		_, err = Build(out, []File{{Name: "answers.yaml", Data: ev.Answers}}, ev.Files, Options{Signer: signer, Zip: ZipPathFor(out)})
		require.NoError(t, err)
	}
	pkg := filepath.Join(root, "pkg")
	pack(teamPath, pkg)

	got, err := os.ReadFile(teamPath)
	require.NoError(t, err)
	assert.Equal(t, teamAnswers, string(got), "the team's answers.yaml must not change")

	packedPath := filepath.Join(pkg, "answers.yaml")
	packed, err := os.ReadFile(packedPath)
	require.NoError(t, err)
	checkEvidenceResolves(t, packedPath, map[string][]string{
		"FH-AUTH-1": {"evidence/FH-AUTH-1/vault-runbook.md", "evidence/FH-AUTH-1/vault.png"},
		"FH-DATA-1": {"evidence/FH-DATA-1/x.pdf", "evidence/FH-DATA-1/x-2.pdf", "evidence/FH-DATA-1/x-2.pdf", "evidence/FH-DATA-1/top.txt"},
	})
	// Everything but the evidence paths is kept, comments included.
	teamLines, packedLines := strings.Split(teamAnswers, "\n"), strings.Split(string(packed), "\n")
	require.Len(t, packedLines, len(teamLines), "packaged:\n%s", packed)
	for i := range teamLines {
		if teamLines[i] != packedLines[i] {
			assert.True(t, strings.HasPrefix(teamLines[i], "      - ") && strings.HasPrefix(packedLines[i], "      - evidence/"),
				"line %d changed: %q → %q", i+1, teamLines[i], packedLines[i])
		}
	}
	// The content of each packed file is the team's file.
	for rel, src := range map[string]string{
		"evidence/FH-AUTH-1/vault.png": "shared/screens/vault.png",
		"evidence/FH-DATA-1/x.pdf":     "team/docs/a/x.pdf",
		"evidence/FH-DATA-1/x-2.pdf":   "team/docs/b/x.pdf",
	} {
		b, err := os.ReadFile(filepath.Join(pkg, filepath.FromSlash(rel)))
		require.NoError(t, err)
		assert.Equal(t, teamEvidence[src], string(b), rel)
	}

	// A reviewer unpacks the zip and re-packs from its answers.yaml.
	unpacked := filepath.Join(root, "unpacked")
	unzip(t, pkg+".zip", unpacked)
	unpackedAnswers := filepath.Join(unpacked, "pkg", "answers.yaml")
	again := filepath.Join(root, "again")
	pack(unpackedAnswers, again)
	repacked, err := os.ReadFile(filepath.Join(again, "answers.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(packed), string(repacked), "re-packing keeps the packaged answers.yaml as it is")
	checkEvidenceResolves(t, filepath.Join(again, "answers.yaml"), nil)
	res, err := Verify(again+".zip", trustOf(signer))
	require.NoError(t, err)
	assert.True(t, res.OK(), "%+v", res)
}

// A missing or irregular evidence file is the user's input error, naming the file and control.
func TestPackEvidenceRefusesMissingAndIrregularFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "docs"), 0o755))
	a := &answers.File{Path: filepath.Join(dir, "answers.yaml"), Controls: map[string]*answers.Control{
		"C-1": {Evidence: []string{"missing.pdf"}}}}
	_, err := PackEvidence(context.Background(), a, nil)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), `control C-1: evidence "missing.pdf": no such file`)

	a.Controls["C-1"].Evidence = []string{"docs"}
	_, err = PackEvidence(context.Background(), a, nil)
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), `evidence "docs": is a folder, not a regular file`)

	ev, err := PackEvidence(context.Background(), nil, nil)
	require.NoError(t, err)
	assert.Nil(t, ev.Answers)
	assert.Empty(t, ev.Files)
}

func TestSafeSegment(t *testing.T) {
	for in, want := range map[string]string{"a.pdf": "a.pdf", "..": "_", ".": "_", "": "_", "a/b": "a_b", `a\b`: "a_b", "a\x01b": "a_b"} {
		assert.Equal(t, want, safeSegment(in), "%q", in)
	}
}

// checkEvidenceResolves loads a packaged answers.yaml and checks that every
// evidence path resolves to a file whose SHA-256 is the one SHA256SUMS
// lists for that path; want, when given, is the expected paths per control.
func checkEvidenceResolves(t *testing.T, answersPath string, want map[string][]string) {
	t.Helper()
	a, err := answers.Load(answersPath)
	require.NoError(t, err)
	pkg := filepath.Dir(answersPath)
	sumsData, err := os.ReadFile(filepath.Join(pkg, SumsFile))
	require.NoError(t, err)
	entries, err := ParseSums(sumsData)
	require.NoError(t, err)
	sums := map[string]string{}
	for _, e := range entries {
		sums[e.Name] = e.Hex
	}
	n := 0
	for id, c := range a.Controls {
		if want != nil {
			assert.Equal(t, want[id], c.Evidence, id)
		}
		for _, e := range c.Evidence {
			n++
			p := answers.EvidencePath(a, e)
			b, err := os.ReadFile(p)
			if !assert.NoError(t, err, "control %s: evidence %q", id, e) {
				continue
			}
			rel, err := filepath.Rel(pkg, p)
			require.NoError(t, err)
			h := sha256.Sum256(b)
			assert.Equal(t, sums[filepath.ToSlash(rel)], hex.EncodeToString(h[:]), "control %s: evidence %q vs %s", id, e, SumsFile)
		}
	}
	assert.Positive(t, n, "no evidence paths in %s", answersPath)
}

func unzip(t *testing.T, zipPath, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	require.NoError(t, err)
	defer zr.Close()
	for _, f := range zr.File {
		require.False(t, strings.Contains(f.Name, ".."), f.Name)
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
}

func TestContentsFiles(t *testing.T) {
	c := Contents{Reports: map[string][]byte{"results.json": []byte("{}"), "report.md": []byte("# r")}, Answers: []byte("a"), Changes: []byte("c")}
	var names []string
	for _, f := range c.Files() {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"answers.yaml", "changes.md", "report.md", "results.json"}, names, "sorted; no checklist.yaml when none was given")
}
