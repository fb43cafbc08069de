// Package service is accord's long-running server (`accord serve`): it
// answers lookups, image references and Kubernetes admission reviews from
// the repositories' verified state in memory, and keeps that state
// current in the background.
//
// # State
//
// [New] opens every declared repository (each must have a pinned root)
// and loads its verified state from the trust directory, as an offline
// run would, so that a restart during a repository's outage serves at
// once from what was verified. [Service.Start] then refreshes each
// repository on its own every [Config.Refresh] (with ±20% jitter; after a
// failure sooner, from one second doubling up to the interval), with a
// repo.Client that only the refresher uses: RefreshAhead, committed to the
// trust directory as the command line commits it, so that `accord
// --offline` on the same directory sees it. After each successful refresh
// the committed state is loaded into a new offline repo.Client and
// swapped in atomically; a failed refresh (unreachable, or refused: a
// rollback, a tampered file) keeps the previous state, is counted in the
// metrics and named by /v1/status and /readyz.
//
// A request never waits for a repository's network: it resolves, with
// package resolver, over the snapshots of the moment it arrived, whose
// lookups read memory (and, for a delegated role not yet read, the trust
// directory). Every question to a repository first checks its metadata's
// earliest expiry (repo.Client.Expires) against [Config.Now]: from that
// instant on the repository answers with [ErrExpired], so the service
// fails closed, until a refresh brings newer metadata.
//
// The snapshots of one moment, one resolver over them and a bounded cache
// of encoded lookup answers and image verdicts make a state, replaced
// whole whenever a refresh swaps any snapshot. A cached answer is served
// only while every repository of its state is unexpired at the request's
// clock, and an answer in which a repository failed is never cached, so
// the cache changes no answer, only its cost.
//
// # HTTP API
//
// See [Service.Handler]. Lookups answer SPEC's JSON for `accord --json
// lookup`. The admission webhook ([PathAdmission]) takes an
// admission.k8s.io/v1 AdmissionReview of a Pod, Deployment, StatefulSet,
// DaemonSet, ReplicaSet, Job or CronJob and checks every container, init
// container and ephemeral container image: [Validate] denies a workload
// naming an image that is not verified, [Mutate] also pins each verified
// image to IMAGE:TAG@sha256:<consensus digest> with a JSON patch, and
// [Warn] allows and returns the refusals as warnings. [PathValidate]
// answers the same for a validating webhook, never with a patch (the API
// server refuses one from it). A review that does
// not decode is a 400. Bodies are bounded ([MaxLookupBody],
// [MaxReviewBody]).
//
// # Concurrency
//
// A [Service] is safe for concurrent use; it has no global state (its
// Prometheus registry is its own). Replicas share nothing.
package service
