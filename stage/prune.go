package stage

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/internal/atomicfile"
)

// PruneResult lists the files [Stage.Prune] removed, relative to public/.
type PruneResult struct {
	Removed []string `json:"removed"`
}

// Prune removes from public/ the snapshot and targets versions older than
// the newest keep, and the target files that no kept targets version
// names. Root versions are never removed: a client pinned to an old root
// walks the whole chain. The versions the published timestamp names are
// always among those kept. Temporary files a killed writer left
// (".tmp-*") are removed too.
func (s *Stage) Prune(keep int) (*PruneResult, error) {
	if keep < 1 {
		return nil, fmt.Errorf("--keep %d: keep at least 1 version", keep)
	}
	st, unlock, err := s.lockLoad()
	if err != nil {
		return nil, err
	}
	defer unlock()
	res := &PruneResult{Removed: []string{}}
	if st.timestamp == nil {
		return res, nil
	}
	public := s.PublicDir()
	keepFrom := map[string]int64{
		"snapshot": st.snapshot.Signed.Version - int64(keep) + 1,
		"targets":  st.targets.Signed.Version - int64(keep) + 1,
	}
	entries, err := os.ReadDir(public)
	if err != nil {
		return nil, err
	}
	referenced := map[string]bool{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), atomicfile.TempPrefix) {
			// Left by a killed writer: every writer holds the lock, so
			// none is writing it now.
			if err := os.Remove(filepath.Join(public, e.Name())); err != nil {
				return res, err
			}
			res.Removed = append(res.Removed, e.Name())
			continue
		}
		n, role, ok := versioned(e.Name())
		if !ok || (role != "snapshot" && role != "targets") {
			continue
		}
		if n < keepFrom[role] {
			if err := os.Remove(filepath.Join(public, e.Name())); err != nil {
				return res, err
			}
			res.Removed = append(res.Removed, e.Name())
			continue
		}
		if role == "targets" {
			md, err := readMetadata[metadata.TargetsType](filepath.Join(public, e.Name()))
			if err != nil {
				return res, err
			}
			for name, info := range md.Signed.Targets {
				dir, base := path.Split(name)
				for _, d := range info.Hashes {
					referenced[dir+hex.EncodeToString(d)+"."+base] = true
				}
			}
		}
	}
	// Target files of a pending version are kept too.
	if next, err := s.loadPending(st); err == nil && next != nil {
		for name, info := range next.Signed.Targets {
			dir, base := path.Split(name)
			for _, d := range info.Hashes {
				referenced[dir+hex.EncodeToString(d)+"."+base] = true
			}
		}
	}
	troot := filepath.Join(public, "targets")
	err = filepath.WalkDir(troot, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == troot {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(troot, p)
		if err != nil {
			return err
		}
		if !referenced[filepath.ToSlash(rel)] {
			if err := os.Remove(p); err != nil {
				return err
			}
			res.Removed = append(res.Removed, "targets/"+filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	return res, atomicfile.SyncDir(public)
}

// versioned splits "N.role.json".
func versioned(name string) (int64, string, bool) {
	n, rest, ok := strings.Cut(name, ".")
	if !ok {
		return 0, "", false
	}
	role, ok := strings.CutSuffix(rest, ".json")
	if !ok {
		return 0, "", false
	}
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil || v < 1 {
		return 0, "", false
	}
	return v, role, true
}
