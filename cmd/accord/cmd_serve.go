package main

import (
	"crypto/tls"
	"errors"
	"net"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/repo"
	"github.com/accord-tuf/accord/service"
)

// defaultListen is where serve listens without --listen.
const defaultListen = "127.0.0.1:8080"

func (a *accord) serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "answer lookups and Kubernetes admission reviews over HTTP from verified state in memory",
		UsageText: "accord serve [--listen ADDR] [--refresh DURATION] [--admission validate|mutate|warn]\n" +
			"             [--tls-cert FILE --tls-key FILE]",
		Description: "Loads the map file, the pins and the trust directory's verified state\n" +
			"(as --offline would), then refreshes every repository in the background\n" +
			"and answers every request from memory; a repository's answers become\n" +
			"errors the moment its metadata expires. Endpoints: GET /v1/lookup,\n" +
			"POST /v1/lookup, GET /v1/ref, GET /v1/status, POST /v1/admission\n" +
			"(mutating webhook), POST /v1/admission/validate (validating webhook),\n" +
			"GET /healthz, GET /readyz, GET /metrics (see README.md). With --offline\n" +
			"there is no background refresh: the trust directory's state serves\n" +
			"until it expires.\n" +
			"SIGTERM or SIGINT drains the requests in flight and exits 0; a\n" +
			"configuration error exits 2 before anything is served.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Value: defaultListen, Usage: "listen on `ADDR` (host:port; port 0 picks one, printed on stderr)"},
			&cli.StringFlag{Name: "refresh", Value: service.DefaultRefresh.String(), Usage: "refresh each repository every `DURATION`, with jitter"},
			&cli.StringFlag{Name: "admission", Value: string(service.Validate), Usage: "what the admission webhook does with an image that is not verified: `MODE` validate (deny), mutate (deny, and pin verified images to their digest) or warn (allow, with warnings)"},
			&cli.StringFlag{Name: "tls-cert", Usage: "serve TLS with the certificate `FILE` (PEM), reloaded when it changes", TakesFile: true},
			&cli.StringFlag{Name: "tls-key", Usage: "the TLS key `FILE` (PEM), reloaded when it changes", TakesFile: true},
		},
		Action: a.serve,
	}
}

func (a *accord) serve(c *cli.Context) error {
	if err := argRange(c, 0, 0); err != nil {
		return err
	}
	if !a.opts.at.IsZero() {
		return usageErrorf("serve: --at is not for a service; it answers at the current time")
	}
	refresh, err := time.ParseDuration(c.String("refresh"))
	if err != nil || refresh <= 0 {
		return usageErrorf("--refresh: %q is not a positive duration such as 1m", c.String("refresh"))
	}
	mode := service.AdmissionMode(c.String("admission"))
	if mode != service.Validate && mode != service.Mutate && mode != service.Warn {
		return usageErrorf("--admission: %q: want validate, mutate or warn", mode)
	}
	certFile, keyFile := c.String("tls-cert"), c.String("tls-key")
	if (certFile == "") != (keyFile == "") {
		return usageErrorf("--tls-cert and --tls-key go together")
	}
	m, err := a.loadMap()
	if err != nil {
		return err
	}
	var tlsConfig *tls.Config
	if certFile != "" {
		reloader, err := service.NewCertReloader(certFile, keyFile, a.diag.errorf)
		if err != nil {
			return usageError(err)
		}
		tlsConfig = reloader.Config()
	}
	if a.opts.offline {
		refresh = -1 // no background refresh: the trust directory's state until it expires
	}
	defer service.TuneGC(a.getenv)()
	svc, err := service.New(c.Context, service.Config{
		Map:       m,
		Open:      a.serviceRepository,
		Refresh:   refresh,
		Aliases:   a.opts.aliases,
		Admission: mode,
		Logf:      a.diag.errorf,
	})
	if err != nil {
		return a.openErrors(err)
	}
	ln, err := net.Listen("tcp", c.String("listen"))
	if err != nil {
		return usageErrorf("--listen: %v", err)
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	a.diag.errorf("serving on %s://%s", scheme, ln.Addr())
	svc.Start(c.Context)
	if err := svc.Serve(c.Context, ln, tlsConfig); err != nil {
		return err
	}
	a.drained.Store(true)
	return nil
}

// serviceRepository opens a repository for the service: an online Client
// for its refresher, offline ones for the state it answers from.
func (a *accord) serviceRepository(name string, offline bool) (*repo.Client, error) {
	m, err := a.loadMap()
	if err != nil {
		return nil, err
	}
	r, ok := m.Repository(name)
	if !ok {
		return nil, usageErrorf("repository %q is not declared in the map file", name)
	}
	cfg, err := a.repoConfig(r)
	if err != nil {
		return nil, err
	}
	cfg.Offline = cfg.Offline || offline
	cfg.Warn = a.warn
	c, err := repo.New(cfg)
	if errors.Is(err, repo.ErrNotPinned) {
		return nil, &notPinnedError{name: r.Name}
	}
	return c, err
}
