// Package localserver runs real server programs (nginx, openssl s_server)
// on loopback ports for tests and benchmarks: pick a port, start the
// process with its output in a log file, wait until it listens, stop it.
package localserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// FreePort returns a loopback TCP port that was free a moment ago. Another
// process may take it before the server binds it: callers retry on failure.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Process is a started server program.
type Process struct {
	// Log is the file holding the program's stdout and stderr.
	Log  string
	cmd  *exec.Cmd
	logf *os.File
	done chan struct{}
}

// Start runs name with args, its output going to dir/name.log.
func Start(dir, name string, args ...string) (*Process, error) {
	p := &Process{Log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	var err error
	if p.logf, err = os.Create(p.Log); err != nil {
		return nil, err
	}
	p.cmd = exec.Command(name, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.logf, p.logf
	if err := p.cmd.Start(); err != nil {
		p.logf.Close()
		return nil, err
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// Exited is closed when the program has ended.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Stop kills the program and waits for it to end.
func (p *Process) Stop() {
	p.cmd.Process.Kill()
	<-p.done
	p.logf.Close()
}

// WaitListening polls addr until something accepts a connection there, for
// at most d; it gives up at once when exited (may be nil) is closed, as
// Process.Exited is when the server program ends.
func WaitListening(addr string, d time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("server exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s after %s: %w", addr, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
