package checklist

// ProbedControls counts the controls that probes verify: without a target
// to probe, they come out not tested.
func (c *Checklist) ProbedControls() int {
	n := 0
	for _, sc := range c.Controls() {
		if len(sc.Control.Probes) > 0 {
			n++
		}
	}
	return n
}
