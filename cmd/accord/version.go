package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// goTUF is the module path of go-tuf, whose version --version reports.
const goTUF = "github.com/theupdateframework/go-tuf/v2"

// versionText is what --version prints, from the build information of the
// binary: accord's version ("(devel)" for a build from a source tree),
// go-tuf's as the binary was built with it (with its replacement, if go.mod
// replaces it), and the Go toolchain's.
func versionText(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return fmt.Sprintf("accord (unknown version: no build information)\n%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "accord %s\n", moduleVersion(&info.Main))
	tuf := "go-tuf (not linked)"
	for _, d := range info.Deps {
		if d.Path == goTUF {
			tuf = "go-tuf " + moduleVersion(d)
		}
	}
	b.WriteString(tuf + "\n")
	fmt.Fprintf(&b, "%s %s/%s\n", info.GoVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}

// moduleVersion is m's version, and what replaces it, if anything: a
// local directory (which has no version) or another module.
func moduleVersion(m *debug.Module) string {
	v := m.Version
	if v == "" {
		v = "(devel)"
	}
	if r := m.Replace; r != nil {
		v += ", replaced by " + r.Path
		if r.Version != "" {
			v += " " + r.Version
		}
	}
	return v
}
