package sourceprobe

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func TestScratchDir(t *testing.T) {
	dir := os.Getenv("SCRATCH_DIR")
	if dir == "" {
		t.Skip()
	}
	for _, r := range Scan(context.Background(), dir, nil) {
		fmt.Println(r.ID, r.Status, r.Summary, r.DurationMS)
		for i, f := range r.Findings {
			if i >= 12 { break }
			fmt.Println("   ", f.Status, f.Rule, f.Location, "|", f.Evidence)
		}
	}
}
