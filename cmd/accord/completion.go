package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

func (a *accord) completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Prints a script that completes accord's commands, flags and file\n" +
			"arguments. To install it:\n" +
			"  bash: accord completion bash > ~/.local/share/bash-completion/completions/accord\n" +
			"  zsh:  accord completion zsh > \"${fpath[1]}/_accord\" (then restart zsh),\n" +
			"        or source <(accord completion zsh) in ~/.zshrc after compinit\n" +
			"  fish: accord completion fish > ~/.config/fish/completions/accord.fish",
		Action: a.completion,
	}
}

func (a *accord) completion(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	app := c.App
	var script string
	switch shell := c.Args().First(); shell {
	case "bash":
		script = bashCompletion(completionTree(app))
	case "zsh":
		script = zshCompletion(completionTree(app))
	case "fish":
		s, err := app.ToFishCompletion()
		if err != nil {
			return fmt.Errorf("completion: fish: %w", err)
		}
		script = s
	default:
		return usageErrorf("completion: unknown shell %q; want bash, zsh or fish", shell)
	}
	_, err := io.WriteString(a.stdout, script)
	return err
}

// completionNode is what a shell completes after a path of commands ("",
// "map", "map check"): its subcommands, its flags (the global flags
// included, as they are accepted anywhere), the flags of those that take a
// value, and of those the ones whose value is a file or directory.
type completionNode struct {
	path     string
	commands []string
	flags    []string
	values   []string
	files    []string
}

// completionTree describes every command path of app, in order.
func completionTree(app *cli.App) []completionNode {
	global := flagWords(app.VisibleFlags())
	root := completionNode{commands: commandNames(app.VisibleCommands())}
	root.addFlags(global)
	nodes := []completionNode{root}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, cmd := range cmds {
			if cmd.Hidden {
				continue
			}
			n := completionNode{path: strings.TrimSpace(prefix + " " + cmd.Name), commands: commandNames(cmd.VisibleCommands())}
			n.addFlags(flagWords(cmd.VisibleFlags()))
			n.addFlags(global)
			nodes = append(nodes, n)
			walk(n.path, cmd.Subcommands)
		}
	}
	walk("", app.VisibleCommands())
	return nodes
}

// flagSet is the words of some flags: every name with its dashes, and
// which take a value or a file.
type flagSet struct{ all, values, files []string }

func flagWords(flags []cli.Flag) flagSet {
	var s flagSet
	for _, f := range flags {
		takesValue := flagTakesValue(f)
		takesFile := false
		if sf, ok := f.(*cli.StringFlag); ok {
			takesFile = sf.TakesFile
		}
		for _, name := range f.Names() {
			w := "--" + name
			if len(name) == 1 {
				w = "-" + name
			}
			s.all = append(s.all, w)
			if takesValue {
				s.values = append(s.values, w)
			}
			if takesFile {
				s.files = append(s.files, w)
			}
		}
	}
	return s
}

func (n *completionNode) addFlags(s flagSet) {
	n.flags = append(n.flags, s.all...)
	n.values = append(n.values, s.values...)
	n.files = append(n.files, s.files...)
}

func commandNames(cmds []*cli.Command) []string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Names()...)
	}
	return names
}

// bashCompletion is the bash script for nodes: a function that finds the
// command path in the words before the cursor (skipping flags and their
// values) and completes subcommands, flags, or file names.
func bashCompletion(nodes []completionNode) string {
	var b strings.Builder
	b.WriteString(`# bash completion for accord, printed by "accord completion bash".

_accord_spec() {
    case "$1" in
`)
	for _, n := range nodes {
		fmt.Fprintf(&b, "    %s)\n", shellQuote(n.path))
		fmt.Fprintf(&b, "        _accord_cmds=%s\n", shellQuote(strings.Join(n.commands, " ")))
		fmt.Fprintf(&b, "        _accord_flags=%s\n", shellQuote(strings.Join(n.flags, " ")))
		fmt.Fprintf(&b, "        _accord_values=%s\n", shellQuote(strings.Join(n.values, " ")))
		fmt.Fprintf(&b, "        _accord_files=%s\n", shellQuote(strings.Join(n.files, " ")))
		b.WriteString("        ;;\n")
	}
	b.WriteString(`    *) return 1 ;;
    esac
}

_accord() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmdpath="" w i
    local _accord_cmds _accord_flags _accord_values _accord_files
    if ((COMP_CWORD > 0)); then
        prev="${COMP_WORDS[COMP_CWORD-1]}"
    fi
    _accord_spec ""
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "$w" in
        --)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        -*=*) ;;
        -*)
            if [[ " $_accord_values " == *" $w "* ]]; then
                ((i++))
            fi
            ;;
        *)
            if [[ " $_accord_cmds " == *" $w "* ]]; then
                cmdpath="${cmdpath:+$cmdpath }$w"
                _accord_spec "$cmdpath"
            fi
            ;;
        esac
    done
    if [[ -n "$prev" && " $_accord_values " == *" $prev "* ]]; then
        COMPREPLY=()
        if [[ " $_accord_files " == *" $prev "* ]]; then
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return 0
    fi
    case "$cur" in
    -*) COMPREPLY=($(compgen -W "$_accord_flags" -- "$cur")) ;;
    *)
        if [[ -n "$_accord_cmds" ]]; then
            COMPREPLY=($(compgen -W "$_accord_cmds" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        ;;
    esac
    return 0
}

complete -o filenames -F _accord accord
`)
	return b.String()
}

// zshCompletion is the zsh script for nodes, the same logic as
// bashCompletion's in zsh's own terms; it works from $fpath (as _accord)
// and when sourced.
func zshCompletion(nodes []completionNode) string {
	var b strings.Builder
	b.WriteString(`#compdef accord
# zsh completion for accord, printed by "accord completion zsh".

_accord_spec() {
    case "$1" in
`)
	for _, n := range nodes {
		fmt.Fprintf(&b, "    (%s)\n", shellQuote(n.path))
		fmt.Fprintf(&b, "        _accord_cmds=(%s)\n", zshWords(n.commands))
		fmt.Fprintf(&b, "        _accord_flags=(%s)\n", zshWords(n.flags))
		fmt.Fprintf(&b, "        _accord_values=(%s)\n", zshWords(n.values))
		fmt.Fprintf(&b, "        _accord_files=(%s)\n", zshWords(n.files))
		b.WriteString("        ;;\n")
	}
	b.WriteString(`    (*) return 1 ;;
    esac
}

_accord() {
    local -a _accord_cmds _accord_flags _accord_values _accord_files
    local cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmdpath="" w
    local -i i
    _accord_spec ""
    for (( i = 2; i < CURRENT; i++ )); do
        w=${words[i]}
        case $w in
        (--)
            _files
            return
            ;;
        (-*=*) ;;
        (-*)
            if (( ${_accord_values[(Ie)$w]} )); then
                (( i++ ))
            fi
            ;;
        (*)
            if (( ${_accord_cmds[(Ie)$w]} )); then
                cmdpath=${cmdpath:+$cmdpath }$w
                _accord_spec "$cmdpath"
            fi
            ;;
        esac
    done
    if (( CURRENT > 2 && ${_accord_values[(Ie)$prev]} )); then
        if (( ${_accord_files[(Ie)$prev]} )); then
            _files
        fi
        return
    fi
    if [[ $cur == -* ]]; then
        compadd -- "${_accord_flags[@]}"
    elif (( ${#_accord_cmds} )); then
        compadd -- "${_accord_cmds[@]}"
    else
        _files
    fi
}

if [[ "${funcstack[1]}" == "_accord" ]]; then
    _accord "$@"
else
    compdef _accord accord
fi
`)
	return b.String()
}

// shellQuote quotes s for a bash or zsh script, in single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func zshWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}
