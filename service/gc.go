package service

import "runtime/debug"

// GCPercent is the garbage collector's target (as $GOGC) that accord serve
// runs with when $GOGC does not set one. The live heap of a service is
// small (about 14 MiB with four repositories of 1,000 targets) and its
// requests allocate a few kilobytes each, so Go's default of 100 collects
// tens of times a second under load, and each collection shares the cores
// with the requests it delays; 400 collects a quarter as often for a heap
// that peaks near 5× the live one (well inside the 256 MiB limit of
// deploy/kubernetes).
const GCPercent = 400

// TuneGC sets the garbage collector's target to [GCPercent] unless getenv
// reports $GOGC set, in which case the operator's choice stands. It
// returns a function that restores the previous target.
func TuneGC(getenv func(string) string) (restore func()) {
	if getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(old) }
}
