package service

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	restore := TuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(GCPercent); got != GCPercent {
		t.Errorf("GC target %d after TuneGC, want %d", got, GCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC target %d after restore, want 100", got)
	}

	restore = TuneGC(func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	})
	defer restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC target %d with $GOGC set, want the operator's (100 here) kept", got)
	}
}
