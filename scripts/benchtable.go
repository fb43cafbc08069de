//go:build ignore

// benchtable reads the output of `go test -bench` (from the files named,
// or stdin) and prints the results of accord's benchmarks as a table, then
// the ratios BENCHMARKS.md states its targets in, each against the anchor
// measured in the same run. With -count > 1 it takes each benchmark's
// median. It exits 1 when the output reports a failure.
//
//	go test -run '^$' -bench . -benchmem ./resolver/ | tee bench.txt
//	go run scripts/benchtable.go bench.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// result is one benchmark's metrics by unit ("ns/op", "cpu-ns/op", …):
// every value seen, one per run.
type result struct {
	name    string
	metrics map[string][]float64
}

// median returns the median value of unit, and whether there is one.
func (r *result) median(unit string) (float64, bool) {
	vs := slices.Clone(r.metrics[unit])
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	return vs[len(vs)/2], true
}

var (
	lineRE = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+(.*)$`)
	failRE = regexp.MustCompile(`^(--- FAIL|FAIL|panic:)`)
)

func main() {
	results, failed, err := read(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(2)
	}
	byName := map[string]*result{}
	for _, r := range results {
		byName[r.name] = r
	}
	printResults(results)
	printRatios(byName)
	if failed {
		fmt.Fprintln(os.Stderr, "benchtable: the benchmark output reports a failure")
		os.Exit(1)
	}
}

// read parses the benchmark lines of the named files (stdin if none), in
// the order first seen.
func read(files []string) ([]*result, bool, error) {
	var readers []io.Reader
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, false, err
		}
		defer fh.Close()
		readers = append(readers, fh)
	}
	if len(readers) == 0 {
		readers = append(readers, os.Stdin)
	}
	var out []*result
	seen := map[string]*result{}
	failed := false
	sc := bufio.NewScanner(io.MultiReader(readers...))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if failRE.MatchString(line) {
			failed = true
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r := seen[m[1]]
		if r == nil {
			r = &result{name: m[1], metrics: map[string][]float64{}}
			seen[m[1]] = r
			out = append(out, r)
		}
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			r.metrics[f[i+1]] = append(r.metrics[f[i+1]], v)
		}
	}
	return out, failed, sc.Err()
}

// columns are the metrics of the results table, with their headings and
// scales.
var columns = []struct {
	unit, heading string
	scale         float64
	format        string
}{
	{"ns/op", "time/op (ms)", 1e-6, "%.3f"},
	{"cpu-ns/op", "cpu/op (ms)", 1e-6, "%.3f"},
	{"req/op", "req/op", 1, "%.0f"},
	{"lookups/s", "lookups/s", 1, "%.0f"},
	{"lookups/cpu-s", "lookups/cpu-s", 1, "%.0f"},
	{"peak-heap-MB", "peak heap (MB)", 1, "%.1f"},
	{"B/op", "alloc/op (KB)", 1.0 / 1024, "%.0f"},
	{"allocs/op", "allocs/op", 1, "%.0f"},
}

// printResults prints every result as a Markdown table row.
func printResults(results []*result) {
	head := []string{"benchmark", "runs"}
	for _, c := range columns {
		head = append(head, c.heading)
	}
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|" + strings.Repeat(" --- |", len(head)))
	for _, r := range results {
		row := []string{strings.TrimPrefix(r.name, "Benchmark"), strconv.Itoa(len(r.metrics["ns/op"]))}
		for _, c := range columns {
			v, ok := r.median(c.unit)
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, fmt.Sprintf(c.format, v*c.scale))
		}
		fmt.Println("| " + strings.Join(row, " | ") + " |")
	}
	fmt.Println()
}

// ratio is one line of the ratios table: num/den of unit, with the target
// it is held to (a bound and whether the ratio must stay at most or at
// least that; no bound: shown for reference).
type ratio struct {
	what     string
	num, den string // benchmark names without "Benchmark"; den "" for an absolute value
	unit     string
	bound    float64
	atMost   bool
}

// ratios are the comparisons BENCHMARKS.md states its targets in.
func ratios() []ratio {
	var rs []ratio
	rs = append(rs, ratio{"promote 1,000 targets: stage add one by one / promote --from", "Promote1000/mode=add-each", "Promote1000/mode=from", "ns/op", 0, false})
	for _, d := range []string{"0ms", "20ms"} {
		cold := "LookupCold/delay=" + d
		bound := 0.0
		if d == "20ms" {
			bound = 1.3
		}
		rs = append(rs,
			ratio{"cold, delay " + d + ": accord 4 repos / 1 repo", cold + "/repos=4/impl=accord", cold + "/repos=1/impl=accord", "ns/op", bound, true},
			ratio{"cold, delay " + d + ": multirepo / accord, 1 repo", cold + "/repos=1/impl=multirepo", cold + "/repos=1/impl=accord", "ns/op", 0, false},
		)
		if d == "20ms" {
			bound = 3
		}
		rs = append(rs, ratio{"cold, delay " + d + ": multirepo / accord, 4 repos", cold + "/repos=4/impl=multirepo", cold + "/repos=4/impl=accord", "ns/op", bound, false})
		warm := "LookupWarm/delay=" + d
		rs = append(rs,
			ratio{"warm, delay " + d + ": accord 4 repos / 1 repo", warm + "/repos=4/impl=accord", warm + "/repos=1/impl=accord", "ns/op", 0, true},
			ratio{"warm, delay " + d + ": multirepo / accord, 4 repos", warm + "/repos=4/impl=multirepo", warm + "/repos=4/impl=accord", "ns/op", 0, false},
		)
	}
	for _, n := range []string{"1", "4"} {
		bound := 0.0
		if n == "4" {
			bound = 2
		}
		for _, unit := range []string{"ns/op", "cpu-ns/op"} {
			rs = append(rs, ratio{"offline " + n + " repos / floor (" + unit + ")",
				"LookupOffline/delay=0ms/repos=" + n + "/impl=accord", "Floor/repos=" + n, unit, bound, true})
		}
	}
	for _, d := range []string{"0ms", "20ms"} {
		rs = append(rs,
			ratio{"10,000 lookups, one core, delay " + d + " (lookups/s)", "Lookups10k/delay=" + d + "/procs=1", "", "lookups/s", 50000, false},
			ratio{"10,000 lookups, one core, delay " + d + " (lookups/cpu-s)", "Lookups10k/delay=" + d + "/procs=1", "", "lookups/cpu-s", 50000, false},
		)
		hb := "HashBins/delay=" + d
		rs = append(rs,
			ratio{"1,000,000 / 1,000 targets in bins, delay " + d, hb + "/targets=1000000/layout=bins", hb + "/targets=1000/layout=bins", "ns/op", 2, true},
			ratio{"1,000,000 in bins / 1,000 flat, delay " + d, hb + "/targets=1000000/layout=bins", hb + "/targets=1000/layout=flat", "ns/op", 2, true},
			ratio{"1,000,000 in bins: peak heap (MB), delay " + d, hb + "/targets=1000000/layout=bins", "", "peak-heap-MB", 64, true},
		)
	}
	return rs
}

// printRatios prints the ratios whose benchmarks ran.
func printRatios(byName map[string]*result) {
	fmt.Println("| ratio | value | target | met |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, q := range ratios() {
		num, ok := byName["Benchmark"+q.num]
		if !ok {
			continue
		}
		v, ok := num.median(q.unit)
		if !ok {
			continue
		}
		if q.den != "" {
			den, ok := byName["Benchmark"+q.den]
			if !ok {
				continue
			}
			d, ok := den.median(q.unit)
			if !ok || d == 0 {
				continue
			}
			v /= d
		}
		target, met := "", ""
		if q.bound != 0 {
			op := "≥"
			if q.atMost {
				op = "≤"
			}
			target = op + " " + strconv.FormatFloat(q.bound, 'f', -1, 64)
			met = "no"
			if (q.atMost && v <= q.bound) || (!q.atMost && v >= q.bound) {
				met = "yes"
			}
		}
		value := fmt.Sprintf("%.2f", v)
		if q.den == "" {
			value = fmt.Sprintf("%.0f", v)
			if v < 1000 {
				value = fmt.Sprintf("%.1f", v)
			}
		} else {
			value += "×"
		}
		fmt.Printf("| %s | %s | %s | %s |\n", q.what, value, target, met)
	}
}
