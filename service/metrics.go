package service

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/accord-tuf/accord/repo"
)

// metrics are the service's Prometheus metrics, in a registry of its own
// (the package has no global state).
type metrics struct {
	reg         *prometheus.Registry
	lookups     *prometheus.CounterVec // by status
	latency     prometheus.Histogram   // per looked-up target
	reviews     *prometheus.CounterVec // admission reviews by outcome
	refreshes   *prometheus.CounterVec // by repository and result
	expires     *prometheus.GaugeVec   // earliest metadata expiry, by repository
	lastRefresh *prometheus.GaugeVec   // last successful refresh, by repository
	inFlight    prometheus.Gauge       // HTTP requests being answered
}

func newMetrics(names []string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_lookups_total",
			Help: "Targets looked up, by result status (verified, not_found, no_consensus, conflict, invalid).",
		}, []string{"status"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "accord_lookup_duration_seconds",
			Help:    "Time to resolve one target from memory.",
			Buckets: []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25},
		}),
		reviews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_admission_reviews_total",
			Help: "Admission reviews answered, by outcome (allowed, denied, malformed).",
		}, []string{"outcome"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_refreshes_total",
			Help: "Background refreshes, by repository and result (ok, unreachable, refused).",
		}, []string{"repository", "result"}),
		expires: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "accord_repository_expiry_timestamp_seconds",
			Help: "Earliest expiry of a repository's verified metadata in memory, as a Unix time.",
		}, []string{"repository"}),
		lastRefresh: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "accord_repository_last_refresh_timestamp_seconds",
			Help: "Start of a repository's last successful background refresh, as a Unix time.",
		}, []string{"repository"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "accord_http_requests_in_flight",
			Help: "HTTP requests being answered, this one included.",
		}),
	}
	m.reg.MustRegister(m.lookups, m.latency, m.reviews, m.refreshes, m.expires, m.lastRefresh, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, n := range names {
		for _, r := range []string{"ok", "unreachable", "refused"} {
			m.refreshes.WithLabelValues(n, r)
		}
	}
	return m
}

// expiry records the earliest expiry of c's verified metadata.
func (m *metrics) expiry(name string, c *repo.Client) {
	if exp, ok := c.Expires(); ok {
		m.expires.WithLabelValues(name).Set(float64(exp.Unix()))
	}
}

// refreshed counts one background refresh.
func (m *metrics) refreshed(name string, err error, start time.Time) {
	m.refreshes.WithLabelValues(name, refreshResult(err)).Inc()
	if err == nil {
		m.lastRefresh.WithLabelValues(name).Set(float64(start.Unix()))
	}
}
