package main

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// testApp is an application with the real global flags and commands shaped
// like accord's, flags that take values included.
func testApp() *cli.App {
	app := &cli.App{
		Name:  "accord",
		Flags: globalFlags(),
		Commands: []*cli.Command{
			{Name: "lookup", Flags: []cli.Flag{
				&cli.StringFlag{Name: "groups"},
				&cli.StringFlag{Name: "from"},
			}},
			{Name: "pin", Flags: []cli.Flag{
				&cli.StringFlag{Name: "sha256"},
				&cli.BoolFlag{Name: "force"},
			}},
			{Name: "download", Flags: []cli.Flag{
				&cli.StringFlag{Name: "output", Aliases: []string{"o"}},
			}},
			{Name: "map", Subcommands: []*cli.Command{{Name: "check"}}},
		},
	}
	app.Setup()
	return app
}

func TestPermute(t *testing.T) {
	tests := []struct {
		name string
		args string
		want string
	}{
		{"empty", "", ""},
		{"global before command", "--json lookup x", "--json lookup -- x"},
		{"global after argument", "lookup x --json", "--json lookup -- x"},
		{"global between arguments", "lookup library/ubuntu --json latest", "--json lookup -- library/ubuntu latest"},
		{"command flag after arguments", "lookup library/ubuntu latest --groups=CI,QA", "lookup --groups=CI,QA -- library/ubuntu latest"},
		{"command flag value separate", "lookup x --groups ci,qa", "lookup --groups ci,qa -- x"},
		{"bool command flag after arguments", "pin ci root.json --force", "pin --force -- ci root.json"},
		{"value flags keep their values", "pin ci root.json --sha256 abc -d /t", "-d /t pin --sha256 abc -- ci root.json"},
		{"short global with value", "-m map.json -v lookup x", "-m map.json -v lookup -- x"},
		{"inline global value", "lookup x --map=m.json --timeout=5s", "--map=m.json --timeout=5s lookup -- x"},
		{"single dash long flag", "lookup x -json", "-json lookup -- x"},
		{"value that looks like a command", "--map lookup lookup x", "--map lookup lookup -- x"},
		{"value that looks like a flag", "--map --json lookup x", "--map --json lookup -- x"},
		{"short command flag", "download x -o - --json", "--json download -o - -- x"},
		{"dash alone is positional", "download x -o out --from -", "download -o out --from -- x -"},
		{"double dash ends flags", "lookup --json -- --groups x", "--json lookup -- --groups x"},
		{"double dash first", "-- lookup", "-- lookup"},
		{"double dash keeps later double dash", "lookup -- a -- b", "lookup -- a -- b"},
		{"subcommand", "map check m.json --json", "--json map check -- m.json"},
		{"subcommand flags before", "--json map check", "--json map check"},
		{"command name as argument", "lookup pin", "lookup -- pin"},
		{"unknown command stays positional", "nosuch --json x", "--json -- nosuch x"},
		{"unknown flag goes to the command", "lookup x --bogus", "lookup --bogus -- x"},
		{"unknown flag without command", "--bogus lookup", "--bogus lookup"},
		{"help after command", "lookup --help", "lookup --help"},
		{"help after arguments", "pin ci root.json -h", "pin -h"},
		{"help without command", "--help", "--help"},
		{"help command", "help lookup", "help -- lookup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := permute(testApp(), strings.Fields(tt.args))
			if err != nil {
				t.Fatalf("permute(%q): %v", tt.args, err)
			}
			if want := strings.Fields(tt.want); !slices.Equal(got, want) {
				t.Errorf("permute(%q)\n got %q\nwant %q", tt.args, got, want)
			}
		})
	}
}

func TestPermuteMissingValue(t *testing.T) {
	for _, args := range []string{"lookup x --map", "lookup x --groups", "-d", "pin ci r.json --sha256"} {
		_, err := permute(testApp(), strings.Fields(args))
		if !errors.Is(err, errMissingValue) {
			t.Errorf("permute(%q) = %v, want %v", args, err, errMissingValue)
		}
	}
}

func TestResolveTrustDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name string
		flag string
		env  map[string]string
		want string
	}{
		{"flag first", "/flag", map[string]string{"ACCORD_HOME": "/a", "XDG_DATA_HOME": "/x"}, "/flag"},
		{"ACCORD_HOME", "", map[string]string{"ACCORD_HOME": "/a", "XDG_DATA_HOME": "/x"}, "/a"},
		{"XDG_DATA_HOME", "", map[string]string{"XDG_DATA_HOME": "/x"}, "/x/accord"},
		{"relative XDG_DATA_HOME ignored", "", map[string]string{"XDG_DATA_HOME": "x"}, home + "/.local/share/accord"},
		{"home", "", nil, home + "/.local/share/accord"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resolveTrustDir(tt.flag, env(tt.env))
			if err != nil || got != tt.want {
				t.Errorf("resolveTrustDir = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// FuzzPermute checks that permute never panics and only moves arguments:
// every one is kept, save a "--" that ends the flags, or positionals
// dropped for --help.
func FuzzPermute(f *testing.F) {
	f.Add("lookup library/ubuntu latest --groups=CI,QA --json")
	f.Add("pin ci root.json --sha256 abc --force -d /t")
	f.Add("-- map check -m x")
	f.Add("map check m.json --timeout")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		out, err := permute(testApp(), args)
		if err != nil {
			if !errors.Is(err, errMissingValue) {
				t.Fatalf("permute(%q): %v", args, err)
			}
			return
		}
		count := func(list []string) map[string]int {
			m := map[string]int{}
			for _, a := range list {
				if a != "--" {
					m[a]++
				}
			}
			return m
		}
		in, got := count(args), count(out)
		for a, n := range got {
			if in[a] < n {
				t.Fatalf("permute(%q) = %q: %q appears more often", args, out, a)
			}
		}
		if !slices.ContainsFunc(args, func(a string) bool {
			return a == "-h" || a == "--help" || a == "-help" || a == "--h" || strings.HasPrefix(a, "--help=") || strings.HasPrefix(a, "-h=") || strings.HasPrefix(a, "-help=") || strings.HasPrefix(a, "--h=")
		}) {
			for a, n := range in {
				if got[a] != n {
					t.Fatalf("permute(%q) = %q: %q lost", args, out, a)
				}
			}
		}
	})
}
