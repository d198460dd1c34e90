package localserver

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStartWaitStop(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))

	// a program that exits without listening: reported at once, not after d
	p, err := Start(dir, "sh", "-c", "echo started; exit 3")
	if err != nil {
		t.Fatal(err)
	}
	if err := WaitListening(addr, time.Minute, p.Exited()); err == nil || !strings.Contains(err.Error(), "exited") {
		t.Errorf("got %v, want 'server exited'", err)
	}
	p.Stop()
	if b, _ := os.ReadFile(p.Log); string(b) != "started\n" {
		t.Errorf("log holds %q, want the program's output", b)
	}

	// a running program and something listening on addr
	p, err = Start(dir, "sleep", "30")
	if err != nil {
		t.Fatal(err)
	}
	if err := WaitListening(addr, 200*time.Millisecond, p.Exited()); err == nil {
		t.Error("nothing listens yet, but WaitListening succeeded")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := WaitListening(addr, 10*time.Second, nil); err != nil {
		t.Error(err)
	}
	p.Stop()
	select {
	case <-p.Exited():
	default:
		t.Error("Stop returned before the program ended")
	}
}
