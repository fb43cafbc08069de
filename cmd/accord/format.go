package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/resolver"
)

// shortDigestLen is how many hex digits a short digest shows.
const shortDigestLen = 8

// shortDigest names target info by one digest, shortened:
// "sha256:1a2b3c4d". It prefers sha256, else the first algorithm by name.
// The algorithm's name, which the repository chose, is escaped.
func shortDigest(h metadata.Hashes) string {
	alg := preferredAlg(h)
	if alg == "" {
		return "-"
	}
	d := h[alg].String()
	if len(d) > shortDigestLen {
		d = d[:shortDigestLen]
	}
	return termtext.Name(alg) + ":" + d
}

// fullDigest is shortDigest without the shortening.
func fullDigest(h metadata.Hashes) string {
	alg := preferredAlg(h)
	if alg == "" {
		return "-"
	}
	return termtext.Name(alg) + ":" + h[alg].String()
}

func preferredAlg(h metadata.Hashes) string {
	if _, ok := h["sha256"]; ok {
		return "sha256"
	}
	algs := sortedAlgs(h)
	if len(algs) == 0 {
		return ""
	}
	return algs[0]
}

func sortedAlgs(h metadata.Hashes) []string {
	algs := make([]string, 0, len(h))
	for alg := range h {
		algs = append(algs, alg)
	}
	slices.Sort(algs)
	return algs
}

// printResult prints one resolution as aligned text: what was decided and
// by which mapping, then every repository asked and its answer. Names and
// causes are escaped (see [termtext]) before the table measures them.
func printResult(w io.Writer, m *mapfile.Map, res *resolver.Result) error {
	t := newTable(w)
	fmt.Fprintf(t, "target\t%s\n", termtext.Name(res.Target))
	fmt.Fprintf(t, "status\t%s\n", res.Status)
	if res.Status == resolver.StatusVerified {
		fmt.Fprintf(t, "length\t%d\n", res.Length)
		for _, alg := range sortedAlgs(res.Hashes) {
			fmt.Fprintf(t, "%s\t%s\n", termtext.Name(alg), res.Hashes[alg])
		}
	}
	fmt.Fprintf(t, "mapping\t%s\n", termtext.Line(describeMapping(m, res)))
	fmt.Fprintf(t, "agreed\t%s\n", joinOrNone(res.Agreed))
	if len(res.Groups) > 0 {
		fmt.Fprintf(t, "groups\t%s\n", strings.Join(res.Groups, ", "))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if len(res.Answers) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t = newTable(w)
	fmt.Fprintln(t, "REPOSITORY\tANSWER\tLENGTH\tDIGEST")
	for _, a := range res.Answers {
		switch a.Kind {
		case resolver.Signed:
			fmt.Fprintf(t, "%s\tsigned\t%d\t%s\n", a.Name, a.Info.Length, shortDigest(a.Info.Hashes))
		case resolver.Missing:
			fmt.Fprintf(t, "%s\tmissing\t-\t-\n", a.Name)
		default:
			fmt.Fprintf(t, "%s\terror\t-\t%s\n", a.Name, termtext.Line(answerCause(a)))
		}
	}
	return t.Flush()
}

// describeMapping says which mapping decided res: "0 (library/*), threshold
// 2 of 2", or why none did.
func describeMapping(m *mapfile.Map, res *resolver.Result) string {
	switch {
	case res.Mapping >= 0 && res.Mapping < len(m.Mapping):
		mp := m.Mapping[res.Mapping]
		return fmt.Sprintf("%d (%s), threshold %d of %d", res.Mapping, strings.Join(mp.Paths, " "), res.Threshold, len(mp.Repositories))
	case res.Mapping >= 0:
		return fmt.Sprintf("%d, threshold %d", res.Mapping, res.Threshold)
	case len(res.Groups) > 0 && res.Threshold > 0:
		return fmt.Sprintf("none: the groups decide, threshold %d of %d", res.Threshold, len(res.Groups))
	case len(m.Match(res.Target)) == 0:
		return "none matches"
	default:
		return "none decided: every matching mapping fell through"
	}
}

// answerCause is a failed answer's cause, without the repository's name
// when the cause begins with it (the row already names it).
func answerCause(a resolver.Answer) string {
	if a.Err == nil {
		return "unknown error"
	}
	msg := a.Err.Error()
	if rest, ok := strings.CutPrefix(msg, fmt.Sprintf("repository %q: ", a.Name)); ok {
		return rest
	}
	return msg
}

// refusal explains a result that is not verified, for stderr: a headline
// "TARGET: no consensus: REASON", then one line per repository asked with
// its full digest, so that a disagreement shows both hashes and a group
// repository that did not sign is named.
func refusal(res *resolver.Result) []string {
	var status string
	switch res.Status {
	case resolver.StatusNotFound:
		status = "not found"
	case resolver.StatusConflict:
		status = "conflict"
	default:
		status = "no consensus"
	}
	head := termtext.Name(res.Target) + ": " + status
	if res.Reason != "" {
		head += ": " + res.Reason
	}
	lines := []string{head}
	if res.Status == resolver.StatusNotFound {
		return lines
	}
	for _, a := range res.Answers {
		lines = append(lines, "  "+describeAnswer(a))
	}
	return lines
}

// describeAnswer says one repository's answer in full: "qa signed
// sha256:… (4107 bytes)", "staging missing", "prod error: cause".
func describeAnswer(a resolver.Answer) string {
	switch a.Kind {
	case resolver.Signed:
		return fmt.Sprintf("%s signed %s (%d bytes)", a.Name, fullDigest(a.Info.Hashes), a.Info.Length)
	case resolver.Missing:
		return a.Name + " does not sign the target"
	default:
		return a.Name + " error: " + answerCause(a)
	}
}

// reportRefusal prints the refusal of res on stderr.
func (a *accord) reportRefusal(res *resolver.Result) {
	for _, l := range refusal(res) {
		a.diag.errorf("%s", l)
	}
}

func joinOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// jsonField is one field added to a result's JSON object.
type jsonField struct {
	name  string
	value any
}

// resultJSON returns the JSON object of res (SPEC section 5) with fields
// appended after its own, in order.
func resultJSON(res *resolver.Result, fields ...jsonField) (json.RawMessage, error) {
	data, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return data, nil
	}
	var b bytes.Buffer
	b.Write(bytes.TrimSuffix(bytes.TrimSpace(data), []byte("}")))
	for _, f := range fields {
		name, err := json.Marshal(f.name)
		if err != nil {
			return nil, err
		}
		value, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.WriteByte(',')
		b.Write(name)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// formatSize prints a byte count for people: "4096 bytes", "12.5 MiB".
func formatSize(n int64) string {
	const mib = 1 << 20
	switch {
	case n >= mib:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
