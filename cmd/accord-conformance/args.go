package main

import (
	"errors"
	"fmt"
	"strings"
)

// usage is printed for --help and after a usage error.
const usage = `usage:
  accord-conformance --metadata-dir DIR init ROOT_FILE
  accord-conformance --metadata-url URL --metadata-dir DIR refresh
  accord-conformance --metadata-url URL --metadata-dir DIR --target-name NAME [--target-name NAME...]
                     --target-dir TDIR --target-base-url TURL download
`

// errHelp is the result of parsing --help.
var errHelp = errors.New("help requested")

// invocation is a parsed command line.
type invocation struct {
	command       string
	args          []string // positional arguments after the command word
	metadataDir   string
	metadataURL   string
	targetNames   []string
	targetDir     string
	targetBaseURL string
}

// parseArgs parses the command line. Flags may stand before or after the
// command word, as --flag VALUE or --flag=VALUE, with one or two dashes;
// "--" ends the flags.
func parseArgs(args []string) (*invocation, error) {
	inv := &invocation{}
	var positional []string
	single := map[string]*string{
		"metadata-dir":    &inv.metadataDir,
		"metadata-url":    &inv.metadataURL,
		"target-dir":      &inv.targetDir,
		"target-base-url": &inv.targetBaseURL,
	}
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		value, hasValue := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, value, hasValue = k, v, true
		}
		if name == "h" || name == "help" {
			return nil, errHelp
		}
		dest, isSingle := single[name]
		if !isSingle && name != "target-name" {
			return nil, fmt.Errorf("unknown flag %s", a)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if value == "" {
			return nil, fmt.Errorf("flag --%s: empty value", name)
		}
		if name == "target-name" {
			inv.targetNames = append(inv.targetNames, value)
			continue
		}
		if seen[name] {
			return nil, fmt.Errorf("flag --%s given twice", name)
		}
		seen[name] = true
		*dest = value
	}
	if len(positional) == 0 {
		return nil, errors.New("no command: want init, refresh or download")
	}
	inv.command, inv.args = positional[0], positional[1:]
	return inv, inv.check()
}

// check reports what the command lacks.
func (inv *invocation) check() error {
	var need []string
	switch inv.command {
	case "init":
		if len(inv.args) != 1 {
			return fmt.Errorf("init: want one argument, the root file; got %d", len(inv.args))
		}
		need = []string{"metadata-dir"}
	case "refresh":
		need = []string{"metadata-dir", "metadata-url"}
	case "download":
		need = []string{"metadata-dir", "metadata-url", "target-name", "target-dir", "target-base-url"}
	default:
		return fmt.Errorf("unknown command %q: want init, refresh or download", inv.command)
	}
	if inv.command != "init" && len(inv.args) > 0 {
		return fmt.Errorf("%s: unexpected argument %q", inv.command, inv.args[0])
	}
	values := map[string]bool{
		"metadata-dir":    inv.metadataDir != "",
		"metadata-url":    inv.metadataURL != "",
		"target-name":     len(inv.targetNames) > 0,
		"target-dir":      inv.targetDir != "",
		"target-base-url": inv.targetBaseURL != "",
	}
	for _, n := range need {
		if !values[n] {
			return fmt.Errorf("%s: flag --%s is required", inv.command, n)
		}
	}
	return nil
}
