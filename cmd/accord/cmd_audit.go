package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/audit"
	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/repo"
)

func (a *accord) auditCommand() *cli.Command {
	return &cli.Command{
		Name:      "audit",
		Usage:     "report what the map file, the pinned roots and the cached metadata really guarantee",
		UsageText: "accord audit [--within DURATION] [--refresh] [--groups G1,G2]",
		Description: "audit reads the map file, the pinned roots and the verified metadata\n" +
			"cached in the trust directory (no network access unless --refresh) and\n" +
			"reports, for every mapping with a threshold of 2 or more (and the\n" +
			"--groups): keys that sign for two of its repositories, two repositories\n" +
			"with one root, and the effective threshold, the least number of key\n" +
			"holders who could make the mapping verify a target of their choosing;\n" +
			"repositories whose targets share no hash algorithm, or only weak ones;\n" +
			"roles that expire within --within (default 7d) at the reference time,\n" +
			"and roots that expire before the targets they vouch for; mappings that\n" +
			"any one repository satisfies, repositories no mapping uses, and the\n" +
			"warnings of \"accord map check\".\n\n" +
			"The exit status is 1 when a finding is an error (an effective threshold\n" +
			"below the stated one, a shared root), 0 otherwise, and 2 for a\n" +
			"configuration error. --refresh first refreshes every repository it\n" +
			"audits, as \"accord refresh\" does.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "within", Value: "7d", Usage: "report roles expiring within `DURATION` (such as 7d, 36h)"},
			&cli.BoolFlag{Name: "refresh", Usage: "refresh the repositories before the audit"},
			groupsFlag(),
		},
		Action: a.audit,
	}
}

// parseWithin reads --within: a Go duration, or a whole number of days
// such as 7d.
func parseWithin(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 && n <= 100000 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usageErrorf("--within: %q is not a positive duration such as 7d or 36h", s)
	}
	return d, nil
}

func (a *accord) audit(c *cli.Context) error {
	if err := argRange(c, 0, 0); err != nil {
		return err
	}
	within, err := parseWithin(c.String("within"))
	if err != nil {
		return err
	}
	m, err := a.loadMap()
	if err != nil {
		return err
	}
	groups, err := a.checkGroups(c, m)
	if err != nil {
		return err
	}
	for i, g := range groups {
		r, _ := m.Repository(g)
		groups[i] = r.Name
	}
	in := audit.Input{Map: m, Groups: groups, At: a.opts.at, Within: within, Trusted: map[string]*repo.Trusted{}}
	needed := map[string]bool{}
	for _, mp := range m.Mapping {
		for _, r := range mp.Repositories {
			needed[r] = true
		}
	}
	for _, g := range groups {
		needed[g] = true
	}
	var names []string
	for _, n := range m.Names() {
		if needed[n] {
			names = append(names, n)
		}
	}
	if _, err := a.openAll(names); err != nil {
		return err
	}
	if c.Bool("refresh") {
		a.refreshForAudit(c.Context, m.Names())
	}
	for _, n := range m.Names() {
		tr, err := a.trustedOffline(c.Context, n)
		switch {
		case errors.Is(err, repo.ErrNotPinned) && !needed[n]:
			continue
		case err != nil && !needed[n]:
			a.diag.warnf("repository %q is not audited: %v", n, err)
			continue
		case err != nil:
			return usageError(err)
		}
		in.Trusted[n] = tr
	}
	rep, err := audit.Run(in)
	if err != nil {
		return usageError(err)
	}
	if a.opts.json {
		err = writeJSON(a.stdout, auditJSON(rep))
	} else {
		err = a.printAudit(rep)
	}
	if err != nil {
		return err
	}
	if n := rep.Errors(); n > 0 {
		return failedf("audit: %s", count(n, "finding is an error", "findings are errors"))
	}
	return nil
}

// refreshForAudit refreshes the named repositories that are pinned as
// "accord refresh" does. A repository that fails is reported on stderr;
// the audit reads what the trust directory holds either way.
func (a *accord) refreshForAudit(ctx context.Context, names []string) {
	var clients []*repo.Client
	for _, n := range names {
		if rc, err := a.repository(n); err == nil {
			clients = append(clients, rc)
		}
	}
	errs := each(ctx, clients, func(ctx context.Context, rc *repo.Client) error {
		return rc.RefreshAhead(ctx)
	})
	for _, err := range errs {
		if err != nil {
			a.diag.warnf("refresh failed, auditing the trust directory as it is: %v", err)
		}
	}
}

// trustedOffline returns what the trust directory holds for repository
// name, verified offline: the audit never reads a file that did not verify
// and never touches the network.
func (a *accord) trustedOffline(ctx context.Context, name string) (*repo.Trusted, error) {
	r, _ := a.m.Repository(name)
	cfg, err := a.repoConfig(r)
	if err != nil {
		return nil, err
	}
	cfg.Offline = true
	rc, err := repo.New(cfg)
	if err != nil {
		if errors.Is(err, repo.ErrNotPinned) {
			return nil, &notPinnedError{name: name}
		}
		return nil, err
	}
	return rc.Trusted(ctx)
}

// auditReportJSON is the --json output of "accord audit".
type auditReportJSON struct {
	ReferenceTime time.Time          `json:"reference_time"`
	Within        string             `json:"within"`
	Mappings      []auditSummaryJSON `json:"mappings"`
	Groups        *auditSummaryJSON  `json:"groups,omitempty"`
	Findings      []auditFindingJSON `json:"findings"`
	Errors        int                `json:"errors"`
	Warnings      int                `json:"warnings"`
}

type auditSummaryJSON struct {
	Index        *int     `json:"index,omitempty"`
	Paths        []string `json:"paths,omitempty"`
	Repositories []string `json:"repositories"`
	Threshold    int      `json:"threshold"`
	Effective    *int     `json:"effective_threshold,omitempty"`
	Exact        bool     `json:"exact"`
}

type auditFindingJSON struct {
	Severity string            `json:"severity"`
	Check    string            `json:"check"`
	Code     string            `json:"code"`
	Location auditLocationJSON `json:"location"`
	Keys     []auditKeyJSON    `json:"keys,omitempty"`
	Message  string            `json:"message"`
	Advice   string            `json:"advice"`
}

type auditLocationJSON struct {
	Mapping    *int   `json:"mapping,omitempty"`
	Groups     bool   `json:"groups,omitempty"`
	Path       string `json:"path,omitempty"`
	Repository string `json:"repository,omitempty"`
	Role       string `json:"role,omitempty"`
	KeyID      string `json:"key_id,omitempty"`
}

type auditKeyJSON struct {
	Repository string `json:"repository"`
	Role       string `json:"role"`
	KeyID      string `json:"key_id"`
}

func auditJSON(rep *audit.Report) auditReportJSON {
	out := auditReportJSON{
		ReferenceTime: rep.At.UTC(),
		Within:        rep.Within.String(),
		Mappings:      []auditSummaryJSON{},
		Findings:      []auditFindingJSON{},
	}
	summary := func(s audit.Summary) auditSummaryJSON {
		j := auditSummaryJSON{Repositories: s.Repositories, Threshold: s.Threshold, Exact: s.Exact}
		if s.Mapping >= 0 {
			idx := s.Mapping
			j.Index, j.Paths = &idx, s.Paths
		}
		if s.Effective > 0 {
			e := s.Effective
			j.Effective = &e
		}
		return j
	}
	for _, s := range rep.Mappings {
		out.Mappings = append(out.Mappings, summary(s))
	}
	if rep.Groups != nil {
		g := summary(*rep.Groups)
		out.Groups = &g
	}
	for _, f := range rep.Findings {
		l := f.Location
		j := auditFindingJSON{
			Severity: string(f.Severity), Check: string(f.Check), Code: f.Code,
			Location: auditLocationJSON{Groups: l.Groups, Path: l.Path, Repository: l.Repository, Role: l.Role, KeyID: l.KeyID},
			Message:  f.Message, Advice: f.Advice,
		}
		if l.Mapping >= 0 {
			idx := l.Mapping
			j.Location.Mapping = &idx
		}
		for _, k := range f.Keys {
			j.Keys = append(j.Keys, auditKeyJSON(k))
		}
		out.Findings = append(out.Findings, j)
		if f.Severity == audit.Error {
			out.Errors++
		} else {
			out.Warnings++
		}
	}
	return out
}

// printAudit prints the mappings with their effective thresholds, then
// one row per finding with its advice below it, then the counts.
func (a *accord) printAudit(rep *audit.Report) error {
	t := newTable(a.stdout)
	fmt.Fprintln(t, "MAPPING\tPATHS\tREPOSITORIES\tTHRESHOLD\tEFFECTIVE")
	row := func(name string, s audit.Summary) {
		eff := "-"
		if s.Effective > 0 {
			eff = strconv.Itoa(s.Effective)
			if !s.Exact {
				eff = "<=" + eff
			}
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%d of %d\t%s\n", name, termtext.Line(strings.Join(s.Paths, " ")),
			strings.Join(s.Repositories, ","), s.Threshold, len(s.Repositories), eff)
	}
	for _, s := range rep.Mappings {
		row(strconv.Itoa(s.Mapping), s)
	}
	if rep.Groups != nil {
		row("groups", *rep.Groups)
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout)
	errs := rep.Errors()
	if len(rep.Findings) == 0 {
		fmt.Fprintln(a.stdout, "no findings")
		return nil
	}
	t = newTable(a.stdout)
	fmt.Fprintln(t, "SEVERITY\tCHECK\tLOCATION\tFINDING")
	for _, f := range rep.Findings {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", f.Severity, f.Check, termtext.Line(location(f.Location)), termtext.Line(f.Message))
		fmt.Fprintf(t, "\t\t\tadvice: %s\n", termtext.Line(f.Advice))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\n%s, %s\n", count(errs, "error", "errors"), count(len(rep.Findings)-errs, "warning", "warnings"))
	return nil
}

// location writes a finding's place: "mapping[0] ci/targets key 1a2b3c4d5e6f".
func location(l audit.Location) string {
	var parts []string
	switch {
	case l.Path != "":
		parts = append(parts, l.Path)
	case l.Groups:
		parts = append(parts, "groups")
	case l.Mapping >= 0:
		parts = append(parts, fmt.Sprintf("mapping[%d]", l.Mapping))
	}
	if l.Repository != "" {
		r := l.Repository
		if l.Role != "" {
			r += "/" + l.Role
		}
		parts = append(parts, r)
	}
	if l.KeyID != "" {
		id := l.KeyID
		if len(id) > 12 {
			id = id[:12]
		}
		parts = append(parts, "key "+id)
	}
	return strings.Join(parts, " ")
}
