package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/resolver"
)

// progressMin is the smallest target that gets a progress bar.
const progressMin = 1 << 20

func (a *accord) downloadCommand() *cli.Command {
	return &cli.Command{
		Name:      "download",
		Usage:     "resolve a target and fetch its bytes from the repositories that agree",
		ArgsUsage: "TARGET | GUN TAG",
		UsageText: "accord download TARGET | GUN TAG -o FILE [--groups G1,G2]",
		Description: "The target is resolved as \"accord lookup\" does; its bytes are fetched\n" +
			"from the supporting repositories in turn (a copy that does not match\n" +
			"is refused and the next repository asked), checked against the\n" +
			"consensus length and every hash, and only then written to FILE.\n" +
			"A target over 1 MiB is checked in a spool file under the trust\n" +
			"directory's targets/<repo>/, so memory does not grow with it.\n" +
			"\n" +
			"FILE is written atomically when it is absent or a regular file (which\n" +
			"keeps its permission bits): on failure nothing is left at FILE. A\n" +
			"character device (/dev/null) or a FIFO is written in place, with\n" +
			"verified bytes only; a FIFO waits for its reader. Anything else, a\n" +
			"symbolic link included, is refused before any network access (exit\n" +
			"2): give the file a link points to. \"-o -\" writes to stdout.\n" +
			"\n" +
			"--timeout bounds the silence of the target's body, not its length:\n" +
			"the body may fall silent for at most DURATION, and is due within\n" +
			"DURATION plus its signed length at 64 KiB/s. With --json, a failed\n" +
			"download still prints the lookup result, with \"downloaded\": false,\n" +
			"the error, and each supporting repository's cause in \"attempts\".\n" +
			"A progress bar shows on a terminal for targets over 1 MiB.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the target to `FILE`: a regular file (replaced atomically), a character device or a FIFO (written in place); \"-\" is stdout", TakesFile: true},
			groupsFlag(),
		},
		Action: a.download,
	}
}

func (a *accord) download(c *cli.Context) error {
	if err := argRange(c, 1, 2); err != nil {
		return err
	}
	target, err := targetArgs(c.Args().Slice())
	if err != nil {
		return err
	}
	out := c.String("output")
	var file *outputFile
	switch {
	case out == "":
		return usageErrorf("download: missing -o FILE; usage: %s", c.Command.UsageText)
	case out == "-" && a.opts.json:
		return usageErrorf("download: -o - writes the target to stdout, where --json would print; give -o FILE")
	case out != "-":
		if file, err = checkOutput(out); err != nil {
			return err
		}
	}
	bar := a.progressBar()
	watch := &downloadWatch{a: a, bar: bar}
	r, res, err := a.resolveVerified(c, target, watch.wrap, func(res *resolver.Result) error {
		return writeJSON(a.stdout, res)
	})
	if err != nil {
		return err
	}
	watch.agreed = res.Agreed
	if bar != nil && res.Length >= progressMin {
		bar.start(target, res.Length)
		defer bar.stop()
	}
	if file == nil {
		if err := r.Download(c.Context, res, a.stdout); err != nil {
			return downloadFailed(target, err)
		}
		return nil
	}
	err = file.write(c.Context, func(w io.Writer) error { return r.Download(c.Context, res, w) })
	bar.stop()
	if a.opts.json {
		if jerr := a.printDownload(res, out, err); jerr != nil {
			return jerr
		}
	}
	if err != nil {
		return downloadFailed(target, err)
	}
	if !a.opts.json {
		fmt.Fprintf(a.stdout, "%s: verified by %s; wrote %d bytes (%s) to %s\n",
			termtext.Name(target), joinOrNone(res.Agreed), res.Length, shortDigest(res.Hashes), termtext.Line(out))
	}
	return nil
}

// downloadAttempt is one supporting repository's failure in download's
// JSON document.
type downloadAttempt struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// printDownload prints download's JSON document: the lookup result, the
// output, whether the target was written and, when not, why, with each
// supporting repository's cause.
func (a *accord) printDownload(res *resolver.Result, out string, err error) error {
	fields := []jsonField{{"output", out}, {"downloaded", err == nil}}
	if err != nil {
		fields = append(fields, jsonField{"error", strings.TrimPrefix(err.Error(), fmt.Sprintf("target %q: ", res.Target))})
		attempts := []downloadAttempt{}
		var de *resolver.DownloadError
		if errors.As(err, &de) {
			for _, at := range de.Attempts {
				attempts = append(attempts, downloadAttempt{at.Name, causeOf(at.Name, at.Err)})
			}
		}
		fields = append(fields, jsonField{"attempts", attempts})
	}
	data, jerr := resultJSON(res, fields...)
	if jerr != nil {
		return jerr
	}
	return writeJSON(a.stdout, data)
}

// downloadFailed reports a failed download: exit status 1, the message
// naming the target once.
func downloadFailed(target string, err error) error {
	msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("target %q: ", target))
	return failedf("%s: %s", target, msg)
}

// resolveVerified resolves one target for download and verify, with the
// repositories wrapped by wrap (nil: as opened). A refusal is reported on
// stderr, its JSON document printed by refused under --json, and returned
// as exit status 1.
func (a *accord) resolveVerified(c *cli.Context, target string, wrap func(resolver.Repository) resolver.Repository, refused func(*resolver.Result) error) (*resolver.Resolver, *resolver.Result, error) {
	groups, r, err := a.prepareWith(c, target, wrap)
	if err != nil {
		return nil, nil, err
	}
	res, _ := r.Resolve(c.Context, target, groups)
	if res == nil {
		return nil, nil, fmt.Errorf("%s: resolution failed", target)
	}
	if res.Status != resolver.StatusVerified {
		a.reportRefusal(res)
		if a.opts.json {
			if err := refused(res); err != nil {
				return nil, nil, err
			}
		}
		return nil, nil, exitStatus(exitFailed)
	}
	return r, res, nil
}

// prepareWith is prepare for one target, with each repository wrapped.
func (a *accord) prepareWith(c *cli.Context, target string, wrap func(resolver.Repository) resolver.Repository) ([]string, *resolver.Resolver, error) {
	m, err := a.loadMap()
	if err != nil {
		return nil, nil, err
	}
	groups, err := a.checkGroups(c, m)
	if err != nil {
		return nil, nil, err
	}
	r := a.newResolver(m, wrap)
	if err := r.Prepare(c.Context, target, groups); err != nil {
		return nil, nil, a.openErrors(err)
	}
	return groups, r, nil
}

// downloadWatch stands between the resolver and the repositories of a
// download: it says on stderr when a supporting repository's copy is
// refused and the next is asked, and restarts the progress bar for it.
type downloadWatch struct {
	a      *accord
	bar    *progressBar
	agreed []string // the supporting repositories, in the order asked
}

// next reports whether a repository comes after name in the order asked.
func (d *downloadWatch) next(name string) bool {
	i := slices.Index(d.agreed, name)
	return i >= 0 && i < len(d.agreed)-1
}

func (d *downloadWatch) wrap(r resolver.Repository) resolver.Repository {
	name := ""
	if n, ok := r.(interface{ Name() string }); ok {
		name = n.Name()
	}
	return &watchedRepository{Repository: r, name: name, watch: d}
}

// watchedRepository is a repository whose downloads downloadWatch sees.
type watchedRepository struct {
	resolver.Repository
	name  string
	watch *downloadWatch
}

// Download downloads through the repository, reporting a failure.
func (w *watchedRepository) Download(ctx context.Context, info *metadata.TargetFiles, out io.Writer) error {
	d, ok := w.Repository.(resolver.Downloader)
	if !ok {
		return errors.New("repository cannot download targets")
	}
	w.watch.bar.restart()
	err := d.Download(ctx, info, out)
	if err != nil && ctx.Err() == nil && w.watch.next(w.name) {
		w.watch.bar.clear()
		w.watch.a.diag.warnf("repository %q: %s; trying the next supporting repository", w.name, causeOf(w.name, err))
	}
	return err
}

// causeOf drops a leading `repository "NAME": ` from err's message.
func causeOf(name string, err error) string {
	return answerCause(resolver.Answer{Name: name, Kind: resolver.Failed, Err: err})
}

// progressBar draws a download's progress on stderr, when stderr is a
// terminal. It counts the bytes of HTTP response bodies while started. A
// nil *progressBar does nothing.
type progressBar struct {
	w io.Writer

	mu     sync.Mutex
	active bool
	label  string
	total  int64
	n      int64
	shown  int // the last percentage drawn, -1 for none
}

// progressBar returns a bar when stderr is a terminal, and makes the run's
// HTTP client count response bodies for it; nil otherwise. It must be
// called before any repository is opened.
func (a *accord) progressBar() *progressBar {
	f, ok := a.diag.w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	bar := &progressBar{w: f, shown: -1}
	client := newHTTPClient(a.opts.timeout)
	client.Transport = &countingTransport{base: client.Transport, bar: bar}
	a.mu.Lock()
	a.client = client
	a.mu.Unlock()
	return bar
}

func (p *progressBar) start(label string, total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active, p.label, p.total, p.n, p.shown = true, label, total, 0, -1
}

// restart starts counting again from zero, for the next repository.
func (p *progressBar) restart() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n, p.shown = 0, -1
}

// clear erases the bar's line, so that a message can take it.
func (p *progressBar) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active && p.shown >= 0 {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = -1
	}
}

// stop ends the bar's line; calling it again does nothing.
func (p *progressBar) stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active && p.shown >= 0 {
		fmt.Fprintln(p.w)
	}
	p.active = false
}

// add counts n more bytes and redraws when the percentage changed.
func (p *progressBar) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.active || p.total <= 0 {
		return
	}
	p.n += int64(n)
	pct := int(min(100, p.n*100/p.total))
	if pct == p.shown {
		return
	}
	p.shown = pct
	const width = 30
	done := width * pct / 100
	bar := make([]byte, width)
	for i := range bar {
		switch {
		case i < done:
			bar[i] = '='
		case i == done:
			bar[i] = '>'
		default:
			bar[i] = ' '
		}
	}
	fmt.Fprintf(p.w, "\r\033[Kaccord: %s [%s] %3d%% of %s", p.label, bar, pct, formatSize(p.total))
}

// countingTransport counts the bytes of response bodies for a bar.
type countingTransport struct {
	base http.RoundTripper
	bar  *progressBar
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil && resp.Body != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, bar: t.bar}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	bar *progressBar
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.bar.add(n)
	}
	return n, err
}
