package interview

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/huh"
)

// runAccessible asks field by field with huh's accessible (line-based)
// prompts. huh's accessible form runs every field of every group and ignores
// hide functions, so pages and conditions are walked here instead.
func (s *session) runAccessible(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := newLineReader(ctx, s.opts.In)
	out := s.opts.Out
	for ; s.pos < len(s.queue); s.pos++ {
		st := s.nextStep()
		fmt.Fprintf(out, "\n%s\n%s\n%s\n\n", st.progress, st.header, st.body)
		for _, pg := range st.pages {
			if pg.hidden != nil && pg.hidden() {
				continue
			}
			for _, e := range pg.entries {
				if e.help != "" {
					fmt.Fprintln(out, e.help)
				}
				form := huh.NewForm(huh.NewGroup(e.field)).
					WithAccessible(true).WithInput(in).WithOutput(out)
				if err := form.RunWithContext(ctx); err != nil {
					if errors.Is(err, huh.ErrUserAborted) {
						return ErrInterrupted
					}
					return fmt.Errorf("questionnaire: %w", err)
				}
				// huh's line prompts take end of input as "keep the
				// default": never record an answer nobody gave.
				if in.ended() {
					fmt.Fprintln(out, "Input ended: the answers to this control were not saved.")
					return ErrInterrupted
				}
			}
		}
		if err := s.commit(st); err != nil {
			return err
		}
		fmt.Fprintf(out, "Saved %s.\n", st.ctl.ID)
	}
	s.done = true
	return nil
}

// lineReader hands huh's accessible prompts one line per Read. Each prompt
// wraps the reader in a fresh bufio.Scanner, which would otherwise swallow
// the lines meant for the next prompts. Reading happens in a goroutine so a
// cancelled ctx ends a prompt waiting for a line.
type lineReader struct {
	ctx     context.Context
	lines   chan string
	pending string
	eof     bool
}

func newLineReader(ctx context.Context, r io.Reader) *lineReader {
	l := &lineReader{ctx: ctx, lines: make(chan string)}
	go func() {
		defer close(l.lines)
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			if line != "" {
				select {
				case l.lines <- line:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return l
}

func (l *lineReader) Read(p []byte) (int, error) {
	if l.pending == "" {
		select {
		case <-l.ctx.Done():
			l.eof = true
			return 0, io.EOF
		case line, ok := <-l.lines:
			if !ok {
				l.eof = true
				return 0, io.EOF
			}
			if !strings.HasSuffix(line, "\n") { // a last line without newline was not submitted
				l.eof = true
				return 0, io.EOF
			}
			l.pending = line
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

func (l *lineReader) ended() bool { return l.eof }
