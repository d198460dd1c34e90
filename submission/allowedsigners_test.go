package submission

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/selfassess/selfassess/internal/testenv"
)

func authorizedKey(k ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k)))
}

func TestAllowedSignersParsing(t *testing.T) {
	key := authorizedKey(testSigner(t).PublicKey())
	file := "# team keys\n\n" +
		"alice@example.com " + key + " alice\n" +
		"  \"bob,carol\"\t" + key + "\r\n" +
		"dave NAMESPACES=\"git,selfassess\",valid-after=\"20260101\",Valid-Before=\"202701011230Z\" " + key + "\n"
	got, err := ParseAllowedSigners("team", []byte(file))
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []int{3, 4, 5}, []int{got[0].Line, got[1].Line, got[2].Line})
	assert.Equal(t, "alice@example.com", got[0].Principals)
	assert.Equal(t, "bob,carol", got[1].Principals)
	assert.Equal(t, "git,selfassess", got[2].Namespaces)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local), got[2].ValidAfter)
	assert.Equal(t, time.Date(2027, 1, 1, 12, 30, 0, 0, time.UTC), got[2].ValidBefore)

	for line, want := range map[string]string{
		"x y z":                                                            "team:1: no public key",
		"selfassess":                                                       "team:1: no public key",
		"\"selfassess " + key:                                              "team:1: principals: missing end quote",
		"selfassess cert-authority " + key:                                 "team:1: cert-authority lines are not supported; list the signing key itself",
		"selfassess no-touch-required " + key:                              `team:1: unknown option "no-touch-required" (want namespaces, valid-after or valid-before)`,
		"selfassess namespaces=selfassess " + key:                          "team:1: namespaces: the value must be in double quotes",
		`selfassess namespaces="a",namespaces="b" ` + key:                  "team:1: more than one namespaces option",
		`selfassess valid-after="2026" ` + key:                             `team:1: valid-after: "2026" is not a time (want YYYYMMDD[HHMM[SS]][Z])`,
		`selfassess valid-before="20261345" ` + key:                        `team:1: valid-before: "20261345" is not a valid date`,
		`selfassess valid-after="20270101",valid-before="20260101" ` + key: "team:1: valid-before is not after valid-after",
		"# only a comment":                                                 "team: no signers listed",
	} {
		_, err := ParseAllowedSigners("team", []byte(line+"\n"))
		if assert.Error(t, err, line) {
			assert.Equal(t, want, err.Error(), line)
		}
	}
	_, err = ParseAllowedSigners("team", []byte("selfassess cert-authority "+key+"\n"))
	assert.ErrorIs(t, err, ErrCertAuthority)
}

func TestMatchPatternList(t *testing.T) {
	for _, c := range []struct {
		list string
		want int
	}{
		{"selfassess", 1}, {"alice,selfassess", 1}, {"self*", 1}, {"?elfassess", 1}, {"*", 1},
		{"alice", 0}, {"SelfAssess", 0}, {"selfassess ", 0}, {"sel[f]assess", 0}, {`self\assess`, 0},
		{"!selfassess,*", -1}, {"*,!self*", -1}, {"!alice", 0}, {"!alice,selfassess", 1},
	} {
		assert.Equal(t, c.want, matchPatternList("selfassess", c.list), c.list)
	}
	assert.Equal(t, 1, matchPatternList("a[b", "a[b"), "[ is literal, as in OpenSSH")
}

// verifyAt is the clock both selfassess and ssh-keygen check validity at.
var verifyAt = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// --allowed-signers is honoured as ssh-keygen -Y verify -I selfassess -n
// selfassess honours it: principals, namespaces, valid-after/valid-before.
// Where ssh-keygen is installed, it must reach the same verdict on the same
// file at the same time (-O verify-time).
func TestAllowedSignersVerdictsAgreeWithSSHKeygen(t *testing.T) {
	s := testSigner(t)
	dir, _ := buildPackage(t, s)
	key := authorizedKey(s.PublicKey())
	other := authorizedKey(testSigner(t).PublicKey())
	cases := []struct {
		name, file string
		ok         bool
		why        string // part of the problem when refused
	}{
		{"exact principal", "selfassess KEY", true, ""},
		{"principal list", "alice,selfassess KEY", true, ""},
		{"quoted principal list", `"alice,selfassess" KEY`, true, ""},
		{"star pattern", "self* KEY", true, ""},
		{"question mark pattern", "?elfassess KEY", true, ""},
		{"any principal", "* KEY", true, ""},
		{"other principal", "alice@example.com KEY", false, `line 1 lists the key for "alice@example.com", not principal "selfassess"`},
		{"principals are case-sensitive", "SelfAssess KEY", false, "not principal"},
		{"negated principal", "!selfassess,* KEY", false, "not principal"},
		{"bracket is literal", "sel[f]assess KEY", false, "not principal"},
		{"other key", "selfassess OTHER", false, ""},
		{"namespace selfassess", `selfassess namespaces="selfassess" KEY`, true, ""},
		{"namespace pattern list", `selfassess namespaces="git,self*" KEY`, true, ""},
		{"option names are case-insensitive", `selfassess NAMESPACES="selfassess" KEY`, true, ""},
		{"namespace git only", `selfassess namespaces="git" KEY`, false, `line 1 allows the key for namespaces "git", not "selfassess"`},
		{"within validity", `selfassess valid-after="20260101",valid-before="20270101" KEY`, true, ""},
		{"valid from the verify time", `selfassess valid-after="20261122120000Z" KEY`, true, ""},
		{"not yet valid", `selfassess valid-after="20261122120001Z" KEY`, false, "line 1: the key is not valid before 2026-11-22T12:00:01Z"},
		{"not yet valid (local time)", `selfassess valid-after="20261125" KEY`, false, "not valid before"},
		{"valid until the verify time", `selfassess valid-before="202611221200Z" KEY`, true, ""},
		{"expired", `selfassess valid-before="20261122115959UTC" KEY`, false, "line 1: the key expired at 2026-11-22T11:59:59Z"},
		{"expired (local time)", `selfassess valid-before="20261120" KEY`, false, "expired"},
		{"a later line trusts the key", "alice KEY\nselfassess valid-before=\"20200101\" KEY\nselfassess OTHER\nself* KEY", true, ""},
		{"every line refuses", "alice KEY\nselfassess valid-before=\"20200101\" KEY\nselfassess OTHER", false, `line 1 lists the key for "alice", not principal "selfassess"; line 2: the key expired`},
	}
	sshKeygen, _ := exec.LookPath("ssh-keygen")
	if sshKeygen == "" {
		if testenv.Required() {
			requireTool(t, "ssh-keygen") // fails under SELFASSESS_REQUIRE_INTEROP=1
		}
		t.Log("ssh-keygen not installed: our verdicts are checked, the cross-check with ssh-keygen is not")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := strings.NewReplacer("KEY", key, "OTHER", other).Replace(c.file) + "\n"
			signers, err := ParseAllowedSigners("allowed_signers", []byte(file))
			require.NoError(t, err)
			res, err := Verify(dir, TrustedKeys{Signers: signers, Source: "test", Now: func() time.Time { return verifyAt }})
			require.NoError(t, err)
			assert.Equal(t, c.ok, res.OK(), "%q", res.Problems)
			assert.Equal(t, c.ok, res.SignatureOK)
			if !c.ok {
				require.Len(t, res.Problems, 1)
				assert.Contains(t, res.Problems[0], "not by the key you trust (test)")
				assert.Contains(t, res.Problems[0], c.why)
			}
			if sshKeygen == "" {
				return
			}
			allowed := filepath.Join(t.TempDir(), "allowed_signers")
			require.NoError(t, os.WriteFile(allowed, []byte(file), 0o644))
			sums, err := os.ReadFile(filepath.Join(dir, SumsFile))
			require.NoError(t, err)
			cmd := exec.Command(sshKeygen, "-Y", "verify", "-f", allowed, "-I", Principal, "-n", Namespace,
				"-s", filepath.Join(dir, SigFile), "-O", "verify-time="+verifyAt.Format("20060102150405")+"Z")
			cmd.Stdin = bytes.NewReader(sums)
			out, err := cmd.CombinedOutput()
			assert.Equal(t, c.ok, err == nil, "ssh-keygen disagrees: %s", out)
		})
	}
}

// The package's own allowed_signers is held to the same rules.
func TestOwnAllowedSignersNeedsPrincipal(t *testing.T) {
	s := testSigner(t)
	dir, _ := buildPackage(t, s)
	p := filepath.Join(dir, AllowedSignersFile)
	line := fmt.Sprintf("alice %s\n", authorizedKey(s.PublicKey()))
	require.NoError(t, os.WriteFile(p, []byte(line), 0o644))
	res, err := Verify(dir, TrustedKeys{})
	require.NoError(t, err)
	assert.False(t, res.OK())
	assert.Contains(t, strings.Join(res.Problems, "\n"), `not principal "selfassess"`)
}
