package repo_test

import (
	"context"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// benchWorld is a hash-bin repository of 10,000 targets in 64 bins, served
// on loopback, and a trust directory that has looked every target up.
func benchWorld(b *testing.B) (srv *fixtures.Server, trust string) {
	b.Helper()
	r, err := fixtures.HashBinRepo(fixtures.Options{Seed: "ci"}, 10000, 6)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := r.Latest().WriteMetadata(dir); err != nil {
		b.Fatal(err)
	}
	srv = fixtures.Serve(b, dir)
	root, err := r.Root(1)
	if err != nil {
		b.Fatal(err)
	}
	trust = b.TempDir()
	if _, err := repo.Pin(trust, "ci", root, repo.PinOptions{}); err != nil {
		b.Fatal(err)
	}
	c, err := repo.New(repo.Config{Name: "ci", TrustDir: trust, Mirrors: mirrors(srv.URL)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Targets(context.Background()); err != nil {
		b.Fatal(err)
	}
	return srv, trust
}

// BenchmarkTargetInfo measures lookups by one Client after its refresh.
func BenchmarkTargetInfo(b *testing.B) {
	srv, trust := benchWorld(b)
	c, err := repo.New(repo.Config{Name: "ci", TrustDir: trust, Mirrors: mirrors(srv.URL)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := c.TargetInfo(ctx, fixtures.HashBinTarget(i%10000)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdLookup measures what one command run does: a new Client,
// a refresh that changes nothing, one lookup.
func BenchmarkColdLookup(b *testing.B) {
	srv, trust := benchWorld(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		c, err := repo.New(repo.Config{Name: "ci", TrustDir: trust, Mirrors: mirrors(srv.URL)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.TargetInfo(ctx, fixtures.HashBinTarget(i%10000)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOfflineLookup is BenchmarkColdLookup without the network.
func BenchmarkOfflineLookup(b *testing.B) {
	_, trust := benchWorld(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		c, err := repo.New(repo.Config{Name: "ci", TrustDir: trust, Offline: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.TargetInfo(ctx, fixtures.HashBinTarget(i%10000)); err != nil {
			b.Fatal(err)
		}
	}
}
