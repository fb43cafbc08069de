package stage_test

import (
	"crypto/sha256"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/stage"
)

// newStage makes a stage in a temporary directory with generated keys.
func newStage(t *testing.T, opts stage.InitOptions) (*stage.Stage, *stage.InitResult) {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "ci"
	}
	dir := filepath.Join(t.TempDir(), opts.Name)
	res, err := stage.Init(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Stage, res
}

// keys loads every key of s's keys folder.
func keys(t *testing.T, s *stage.Stage) []*stage.Key {
	t.Helper()
	ks, err := stage.LoadKeysDir(s.KeysDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// info returns the target info of data.
func info(data string) *metadata.TargetFiles {
	sum := sha256.Sum256([]byte(data))
	return &metadata.TargetFiles{Length: int64(len(data)), Hashes: metadata.Hashes{"sha256": sum[:]}}
}

// updaterAt returns a go-tuf updater for the stage served at url, trusting
// root, its clock at ref (zero: now).
func updaterAt(t *testing.T, url string, root []byte, ref time.Time) *updater.Updater {
	t.Helper()
	cfg, err := config.New(url, root)
	if err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	cfg.LocalMetadataDir = filepath.Join(local, "metadata")
	cfg.LocalTargetsDir = filepath.Join(local, "targets")
	if err := cfg.SetDefaultFetcherHTTPClient(&http.Client{Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	up, err := updater.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !ref.IsZero() {
		up.UnsafeSetRefTime(ref)
	}
	return up
}

// serve serves s's public/ on loopback and returns the URL and root 1.
func serve(t *testing.T, s *stage.Stage) (string, []byte) {
	t.Helper()
	srv := fixtures.Serve(t, s.PublicDir())
	root, err := os.ReadFile(filepath.Join(s.PublicDir(), "1.root.json"))
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// roleKeysOf returns the keys of the keys folder that res lists for role.
func roleKeysOf(t *testing.T, s *stage.Stage, res *stage.InitResult, role string) []*stage.Key {
	t.Helper()
	var out []*stage.Key
	for _, k := range keys(t, s) {
		if slices.Contains(res.KeyIDs[role], k.ID) {
			out = append(out, k)
		}
	}
	return out
}
