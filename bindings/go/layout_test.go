package asyncore

import "testing"

// The Go mirrors of the C records the hot path shares (callpath.go) have
// the offsets and sizes C gives them, field by field.
func TestSharedLayout(t *testing.T) {
	names := []string{"loop.woke", "loop.nwoke", "loop.until_done", "loop.run", "loop.op", "loop.wake",
		"co.req", "co.rc", "co.fut",
		"co.delay", "co.h", "co.task", "co.n_wake", "co.kind", "co.f.bits", "co.f.n", "co.awaited",
		"co.ret_kind", "co.ret_u0", "co.ret_u1"}
	c, g := cLayout(), mirrorLayout()
	if len(c) != 2*len(names) || len(g) != len(c) {
		t.Fatalf("C lists %d numbers, Go %d, want %d", len(c), len(g), 2*len(names))
	}
	for i, name := range names {
		if c[2*i] != g[2*i] || c[2*i+1] != g[2*i+1] {
			t.Errorf("%s: C offset %d size %d, Go offset %d size %d", name, c[2*i], c[2*i+1], g[2*i], g[2*i+1])
		}
	}
	if !checkLayout() {
		t.Error("checkLayout: false")
	}
}
