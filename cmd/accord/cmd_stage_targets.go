package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/stage"
)

// changeJSON is the --json output of "accord stage add" and "remove".
type changeJSON struct {
	Stage     string               `json:"stage"`
	Targets   []stage.TargetChange `json:"targets"`
	Version   int64                `json:"version"`
	Published bool                 `json:"published"`
	Pending   *stage.Pending       `json:"pending"`
}

func (a *accord) stageAdd(c *cli.Context) error {
	var edits []stage.Edit
	if c.IsSet("from") {
		if err := argRange(c, 1, 1); err != nil {
			return err
		}
		for _, f := range []string{"file", "length", "sha256", "sha512", "custom"} {
			if c.IsSet(f) {
				return usageErrorf("stage add: --from and --%s; with --from every target is hashed from --files ROOT", f)
			}
		}
		if !c.IsSet("files") || c.String("files") == "" {
			return usageErrorf("stage add: --from needs --files ROOT, the folder holding each target's bytes")
		}
		targets, err := a.readTargets(c.String("from"))
		if err != nil {
			return err
		}
		root := c.String("files")
		for _, t := range targets {
			file := filepath.Join(root, filepath.FromSlash(t))
			info, err := stage.InfoFromFile(file)
			if err != nil {
				return usageErrorf("target %q: %v", t, err)
			}
			edits = append(edits, stage.Edit{Target: t, Info: info, File: file, Replace: c.Bool("replace")})
		}
	} else {
		if err := argRange(c, 2, 2); err != nil {
			return err
		}
		if c.IsSet("files") {
			return usageErrorf("stage add: --files goes with --from")
		}
		e, err := editFromFlags(c)
		if err != nil {
			return err
		}
		edits = []stage.Edit{e}
	}
	return a.stageChange(c, edits)
}

// editFromFlags reads one target's info from --file, or from --length,
// --sha256 and --sha512, with --custom.
func editFromFlags(c *cli.Context) (stage.Edit, error) {
	target := c.Args().Get(1)
	if err := mapfile.ValidateTarget(target); err != nil {
		return stage.Edit{}, usageError(err)
	}
	e := stage.Edit{Target: target, Replace: c.Bool("replace")}
	switch {
	case c.IsSet("file") && (c.IsSet("length") || c.IsSet("sha256") || c.IsSet("sha512")):
		return e, usageErrorf("stage add: --file, or --length with --sha256; not both")
	case c.IsSet("file"):
		info, err := stage.InfoFromFile(c.String("file"))
		if err != nil {
			return e, usageErrorf("--file: %v", err)
		}
		e.Info, e.File = info, c.String("file")
	case c.IsSet("length") && c.IsSet("sha256"):
		n, err := strconv.ParseInt(c.String("length"), 10, 64)
		if err != nil || n < 0 {
			return e, usageErrorf("--length: %q is not a length in bytes", c.String("length"))
		}
		e.Info = &metadata.TargetFiles{Length: n, Hashes: metadata.Hashes{}}
		for alg, size := range map[string]int{"sha256": 32, "sha512": 64} {
			if !c.IsSet(alg) {
				continue
			}
			d, err := hex.DecodeString(c.String(alg))
			if err != nil || len(d) != size {
				return e, usageErrorf("--%s: %q is not a %s digest in hex (%d characters)", alg, c.String(alg), strings.ToUpper(alg[:3])+"-"+alg[3:], 2*size)
			}
			e.Info.Hashes[alg] = d
		}
	default:
		return e, usageErrorf("stage add: give --file PATH, or --length N and --sha256 HEX")
	}
	if c.IsSet("custom") {
		raw := json.RawMessage(c.String("custom"))
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			return e, usageErrorf("--custom: not a JSON object")
		}
		e.Info.Custom = &raw
	}
	return e, nil
}

func (a *accord) stageRemove(c *cli.Context) error {
	var targets []string
	if c.IsSet("from") {
		if err := argRange(c, 1, 1); err != nil {
			return err
		}
		var err error
		if targets, err = a.readTargets(c.String("from")); err != nil {
			return err
		}
	} else {
		if err := argRange(c, 2, 2); err != nil {
			return err
		}
		t := c.Args().Get(1)
		if err := mapfile.ValidateTarget(t); err != nil {
			return usageError(err)
		}
		targets = []string{t}
	}
	edits := make([]stage.Edit, len(targets))
	for i, t := range targets {
		edits[i] = stage.Edit{Target: t}
	}
	return a.stageChange(c, edits)
}

// stageChange applies edits and prints what they did.
func (a *accord) stageChange(c *cli.Context, edits []stage.Edit) error {
	s, keys, err := a.openStageKeys(c, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP)
	if err != nil {
		return err
	}
	res, err := s.Change(edits, keys)
	if err != nil {
		return stageError(err)
	}
	if a.opts.json {
		return writeJSON(a.stdout, changeJSON{Stage: s.Name(), Targets: res.Targets, Version: res.Version, Published: res.Published, Pending: res.Pending})
	}
	for _, t := range res.Targets {
		info := t.New
		if info == nil {
			info = t.Old
		}
		fmt.Fprintf(a.stdout, "%s %s (%s)\n", t.Action, termtext.Name(t.Target), describeInfo(info))
	}
	switch {
	case res.Published:
		fmt.Fprintf(a.stdout, "published targets version %d of %s\n", res.Version, termtext.Name(s.Name()))
	case res.Pending != nil:
		a.printPendingState(s, res.Pending)
	}
	return nil
}

// printPendingState says who signed the pending version and what to run.
func (a *accord) printPendingState(s *stage.Stage, p *stage.Pending) {
	fmt.Fprintf(a.stdout, "pending targets version %d: %d of %d signatures\n", p.Version, len(p.Signed), p.Threshold)
	dir := termtext.Name(s.Dir())
	if p.Missing() > 0 {
		fmt.Fprintf(a.stdout, "sign it with: accord stage sign %s --key FILE\n", dir)
	} else {
		fmt.Fprintf(a.stdout, "publish it with: accord stage publish %s\n", dir)
	}
}

// printChanges lists what a pending version changes.
func printChanges(a *accord, p *stage.Pending) {
	if len(p.Changes) == 0 {
		fmt.Fprintln(a.stdout, "  no target changes (a new version of the same targets)")
	}
	for _, ch := range p.Changes {
		switch ch.Action {
		case stage.Added:
			fmt.Fprintf(a.stdout, "  + %s  %s\n", termtext.Name(ch.Target), describeInfo(ch.New))
		case stage.Removed:
			fmt.Fprintf(a.stdout, "  - %s  %s\n", termtext.Name(ch.Target), describeInfo(ch.Old))
		default:
			fmt.Fprintf(a.stdout, "  ~ %s  %s -> %s\n", termtext.Name(ch.Target), describeInfo(ch.Old), describeInfo(ch.New))
		}
	}
}

// signJSON is the --json output of "accord stage sign".
type signJSON struct {
	Stage   string         `json:"stage"`
	Added   int            `json:"added"`
	Pending *stage.Pending `json:"pending"`
}

func (a *accord) stageSign(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	s, keys, err := a.openStageKeys(c, metadata.TARGETS)
	if err != nil {
		return err
	}
	p, err := s.Pending()
	if err != nil {
		return stageError(err)
	}
	if p == nil {
		return usageErrorf("stage %s: nothing pending to sign", s.Dir())
	}
	if keys, err = s.FilterKeys(keys, metadata.TARGETS); err != nil {
		return stageError(err)
	}
	if len(keys) == 0 {
		return usageErrorf("stage %s: no targets key to sign with: give one with --key FILE (targets expects %s)", s.Dir(), strings.Join(p.KeyIDs, ", "))
	}
	if !a.opts.json {
		fmt.Fprintf(a.stdout, "targets version %d of %s, since the published version:\n", p.Version, termtext.Name(s.Name()))
		printChanges(a, p)
	}
	if !c.Bool("yes") {
		ok, err := a.confirm(fmt.Sprintf("sign targets version %d with %s?", p.Version, count(len(keys), "key", "keys")))
		if err != nil {
			return err
		}
		if !ok {
			return usageErrorf("stage sign: not confirmed; nothing signed")
		}
	}
	after, n, err := s.Sign(keys, p.Digest)
	if err != nil {
		return stageError(err)
	}
	if a.opts.json {
		return writeJSON(a.stdout, signJSON{Stage: s.Name(), Added: n, Pending: after})
	}
	fmt.Fprintf(a.stdout, "added %s\n", count(n, "signature", "signatures"))
	a.printPendingState(s, after)
	return nil
}

// confirm asks question on the terminal; without one it refuses, naming
// --yes.
func (a *accord) confirm(question string) (bool, error) {
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, usageErrorf("stage sign: no terminal to confirm on; review with accord stage status, then sign with --yes")
	}
	fmt.Fprintf(a.diag.w, "accord: %s [y/N] ", question)
	line, _ := bufio.NewReader(f).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}

func (a *accord) stageStatus(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	s, err := a.openStage(c)
	if err != nil {
		return err
	}
	st, err := s.Status()
	if err != nil {
		return stageError(err)
	}
	for _, r := range st.Roles {
		switch {
		case r.Expired:
			a.diag.warnf("%s version %d of %s expired at %s", r.Role, r.Version, s.Name(), formatTime(r.Expires))
		case r.Expiring:
			a.diag.warnf("%s version %d of %s expires at %s, within a quarter of its period", r.Role, r.Version, s.Name(), formatTime(r.Expires))
		}
	}
	if a.opts.json {
		return writeJSON(a.stdout, st)
	}
	fmt.Fprintf(a.stdout, "stage %s (%d targets)\n", termtext.Name(st.Name), st.Targets)
	t := newTable(a.stdout)
	for _, r := range st.Roles {
		v := "-"
		if r.Version > 0 {
			v = strconv.FormatInt(r.Version, 10)
		}
		fmt.Fprintf(t, "  %s\tversion %s\texpires %s\t%d of %s\n", r.Role, v, formatTime(r.Expires), r.Threshold, count(len(r.KeyIDs), "key", "keys"))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	p := st.Pending
	if p == nil {
		fmt.Fprintln(a.stdout, "nothing pending")
		return nil
	}
	fmt.Fprintf(a.stdout, "pending targets version %d, expires %s:\n", p.Version, formatTime(p.Expires))
	printChanges(a, p)
	for _, id := range p.KeyIDs {
		state := "missing"
		for _, s := range p.Signed {
			if s == id {
				state = "signed"
			}
		}
		fmt.Fprintf(a.stdout, "  key %s  %s\n", id, state)
	}
	a.printPendingState(s, p)
	return nil
}

func (a *accord) stagePublish(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	s, keys, err := a.openStageKeys(c, metadata.SNAPSHOT, metadata.TIMESTAMP)
	if err != nil {
		return err
	}
	p, err := s.Publish(keys)
	if err != nil {
		return stageError(err)
	}
	if a.opts.json {
		return writeJSON(a.stdout, map[string]any{"stage": s.Name(), "version": p.Version, "changes": p.Changes})
	}
	fmt.Fprintf(a.stdout, "published targets version %d of %s\n", p.Version, termtext.Name(s.Name()))
	return nil
}

func (a *accord) stageTimestamp(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	s, keys, err := a.openStageKeys(c, metadata.SNAPSHOT, metadata.TIMESTAMP)
	if err != nil {
		return err
	}
	res, err := s.Timestamp(keys)
	if err != nil {
		return stageError(err)
	}
	if a.opts.json {
		return writeJSON(a.stdout, res)
	}
	fmt.Fprintf(a.stdout, "timestamp version %d, expires %s\n", res.Timestamp, formatTime(res.TimestampExpires))
	if res.SnapshotSigned {
		fmt.Fprintf(a.stdout, "snapshot version %d, expires %s\n", res.Snapshot, formatTime(res.SnapshotExpires))
	}
	return nil
}

func (a *accord) stagePrune(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	if !c.IsSet("keep") {
		return usageErrorf("stage prune: give how many versions to keep with --keep N")
	}
	keep, _, err := positiveInt(c, "keep", 1)
	if err != nil {
		return err
	}
	s, err := a.openStage(c)
	if err != nil {
		return err
	}
	res, err := s.Prune(keep)
	if err != nil {
		return stageError(err)
	}
	if a.opts.json {
		return writeJSON(a.stdout, res)
	}
	for _, f := range res.Removed {
		fmt.Fprintf(a.stdout, "removed %s\n", termtext.Name(f))
	}
	fmt.Fprintf(a.stdout, "removed %s\n", count(len(res.Removed), "file", "files"))
	return nil
}

func (a *accord) stageDiscard(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	s, err := a.openStage(c)
	if err != nil {
		return err
	}
	if err := s.Discard(); err != nil {
		return stageError(err)
	}
	if !a.opts.json {
		fmt.Fprintln(a.stdout, "discarded the pending version")
		return nil
	}
	return writeJSON(a.stdout, map[string]string{"stage": s.Name()})
}
