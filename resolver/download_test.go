package resolver

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// flip returns data with one bit changed.
func flip(data []byte) []byte {
	c := bytes.Clone(data)
	c[len(c)/2] ^= 1
	return c
}

func TestDownload(t *testing.T) {
	const target = "library/app:1"
	data := []byte("the release bytes")
	info := targetInfo(t, target, data, "sha256", "sha512")
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci", "qa", "prod"], "threshold": 2}]`)
	tests := []struct {
		name     string
		serve    map[string][]byte // bytes each repository serves
		want     []byte            // nil when the download fails
		mismatch bool
	}{
		{name: "first supporter", serve: map[string][]byte{"ci": data, "qa": data}, want: data},
		{name: "corrupted first supporter", serve: map[string][]byte{"ci": flip(data), "qa": data}, want: data},
		{name: "first supporter too long", serve: map[string][]byte{"ci": append(bytes.Clone(data), '!'), "qa": data}, want: data},
		{name: "first supporter truncated", serve: map[string][]byte{"ci": data[:5], "qa": data}, want: data},
		{name: "first supporter unreachable", serve: map[string][]byte{"qa": data}, want: data},
		{name: "every supporter corrupted", serve: map[string][]byte{"ci": flip(data), "qa": data[1:], "prod": data}, mismatch: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(repoOf("ci").sign(info, tc.serve["ci"]), repoOf("qa").sign(info, tc.serve["qa"]), repoOf("prod"))
			w.repos["prod"].content[target] = tc.serve["prod"]
			r := New(m, w.open)
			res, err := r.Resolve(context.Background(), target, nil)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err = r.Download(context.Background(), res, &out)
			switch {
			case tc.want != nil && err != nil:
				t.Fatalf("Download: %v", err)
			case tc.want != nil && !bytes.Equal(out.Bytes(), tc.want):
				t.Errorf("wrote %q, want %q", out.Bytes(), tc.want)
			case tc.want == nil && (err == nil || out.Len() != 0):
				t.Errorf("Download = %v after writing %d bytes; want an error and nothing written", err, out.Len())
			}
			if tc.mismatch && (!errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), `repository "ci"`) || !strings.Contains(err.Error(), `repository "qa"`)) {
				t.Errorf("error = %v, want mismatches of ci and qa", err)
			}
			if tc.mismatch && strings.Contains(err.Error(), `repository "prod"`) {
				t.Errorf("error = %v: prod does not support the consensus and must not be asked", err)
			}
		})
	}
}

func TestDownloadRefusesUnverified(t *testing.T) {
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci"]}]`)
	w := newWorld(repoOf("ci"))
	r := New(m, w.open)
	res, _ := r.Resolve(context.Background(), "missing", nil)
	for _, res := range []*Result{nil, res} {
		var out bytes.Buffer
		if err := r.Download(context.Background(), res, &out); !errors.Is(err, ErrNotVerified) || out.Len() != 0 {
			t.Errorf("Download(%v) = %v", res, err)
		}
	}
}

func TestDownloadWithoutDownloader(t *testing.T) {
	const target = "app"
	info := targetInfo(t, target, []byte("x"), "sha256")
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci"]}]`)
	r := New(m, func(string) (Repository, error) { return onlyRepository{repoOf("ci").sign(info, []byte("x"))}, nil })
	res, err := r.Resolve(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Download(context.Background(), res, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "cannot download") {
		t.Errorf("Download = %v, want an error saying the repository cannot download", err)
	}
}

// onlyRepository hides every method but those of Repository.
type onlyRepository struct{ r Repository }

func (o onlyRepository) Refresh(ctx context.Context) error { return o.r.Refresh(ctx) }
func (o onlyRepository) TargetInfo(ctx context.Context, p string) (*metadata.TargetFiles, error) {
	return o.r.TargetInfo(ctx, p)
}

// TestDownloadGivesConsensusHashes: a supporter that lists fewer hash
// algorithms than the consensus is asked to check the consensus's others
// too, before its bytes reach the output.
func TestDownloadGivesConsensusHashes(t *testing.T) {
	const target = "library/app:1"
	data := []byte("the release bytes")
	full := targetInfo(t, target, data, "sha256", "sha512")
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 2}]`)
	w := newWorld(repoOf("ci").sign(full, nil), repoOf("qa").sign(withHashes(full, "sha256"), data))
	r := New(m, w.open)
	res, err := r.Resolve(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := r.Download(context.Background(), res, &out); err != nil || !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("Download = %v, wrote %q", err, out.Bytes())
	}
	asks := w.repos["qa"].asks
	if len(asks) != 1 || !bytes.Equal(asks[0].Hashes["sha512"], full.Hashes["sha512"]) || !bytes.Equal(asks[0].Hashes["sha256"], full.Hashes["sha256"]) {
		t.Fatalf("qa was asked for %v, want both consensus hashes", asks)
	}
	if len(w.repos["qa"].signed[target].Hashes) != 1 {
		t.Fatal("Download changed the repository's own signed info")
	}
}

// TestDownloadUncheckedDownloader: a Downloader that writes bytes before
// checking them breaks its contract; when they prove wrong, the download
// fails naming it, and no other repository is asked, as the output
// already holds a part.
func TestDownloadUncheckedDownloader(t *testing.T) {
	const target = "library/app:1"
	data := []byte("the release bytes")
	info := targetInfo(t, target, data, "sha256")
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 2}]`)
	ci := repoOf("ci").sign(info, flip(data))
	ci.unchecked = true
	w := newWorld(ci, repoOf("qa").sign(info, data))
	r := New(m, w.open)
	res, err := r.Resolve(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Download(context.Background(), res, &bytes.Buffer{})
	var de *DownloadError
	if !errors.As(err, &de) || len(de.Attempts) != 1 || de.Attempts[0].Name != "ci" || !errors.Is(err, ErrMismatch) {
		t.Fatalf("Download = %v, want ci's mismatch alone", err)
	}
	if len(w.repos["qa"].asks) != 0 {
		t.Fatal("qa was asked after ci's bytes reached the output")
	}
}
