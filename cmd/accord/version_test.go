package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	tuf := func(replace *debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/accord-tuf/accord", Version: "v1.2.3"},
			Deps: []*debug.Module{
				{Path: "github.com/urfave/cli/v2", Version: "v2.27.7"},
				{Path: goTUF, Version: "v2.4.2", Replace: replace},
			},
		}
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want []string // lines, in order
	}{
		{"released", tuf(nil), []string{"accord v1.2.3", "go-tuf v2.4.2", "go1.26.8 "}},
		{"go-tuf replaced by a local copy", tuf(&debug.Module{Path: "./third_party/go-tuf"}),
			[]string{"accord v1.2.3", "go-tuf v2.4.2, replaced by ./third_party/go-tuf", "go1.26.8 "}},
		{"go-tuf replaced by a fork", tuf(&debug.Module{Path: "example.com/go-tuf", Version: "v2.4.3"}),
			[]string{"accord v1.2.3", "go-tuf v2.4.2, replaced by example.com/go-tuf v2.4.3", "go1.26.8 "}},
		{"source tree", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/accord-tuf/accord", Version: "(devel)"}},
			[]string{"accord (devel)", "go-tuf (not linked)", "go1.26.8 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(versionText(tt.info, true), "\n"), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("lines %q, want %d", lines, len(tt.want))
			}
			for i, want := range tt.want {
				if !strings.HasPrefix(lines[i], want) || (!strings.HasSuffix(want, " ") && lines[i] != want) {
					t.Errorf("line %d: %q, want %q", i+1, lines[i], want)
				}
			}
		})
	}
	if got := versionText(nil, false); !strings.HasPrefix(got, "accord (unknown version") {
		t.Errorf("without build information: %q", got)
	}
}
