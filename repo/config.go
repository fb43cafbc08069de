package repo

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"time"
)

// DefaultTimeout is the limit for one metadata request, body included, and
// the longest silence of a target download, when [Config.Timeout] is zero.
const DefaultTimeout = 30 * time.Second

// Default metadata size limits, in bytes: go-tuf's defaults.
const (
	DefaultRootMaxLength      = 512000
	DefaultTimestampMaxLength = 16384
	DefaultSnapshotMaxLength  = 2000000
	DefaultTargetsMaxLength   = 5000000
)

// Mirror is one place a repository is served from: two base URLs, for
// metadata (<Metadata>/<N>.root.json, <Metadata>/timestamp.json, …) and for
// targets (<Targets>/<path>). Schemes are http, https and file.
type Mirror struct {
	Metadata string
	Targets  string
}

// Limits bounds the size of each metadata file read, in bytes. Zero fields
// mean go-tuf's defaults (Default*MaxLength). Delegated roles use Targets.
// Snapshot and targets files whose length is signed are bounded by that
// length instead.
type Limits struct {
	Root      int64
	Timestamp int64
	Snapshot  int64
	Targets   int64
}

func (l Limits) withDefaults() Limits {
	if l.Root <= 0 {
		l.Root = DefaultRootMaxLength
	}
	if l.Timestamp <= 0 {
		l.Timestamp = DefaultTimestampMaxLength
	}
	if l.Snapshot <= 0 {
		l.Snapshot = DefaultSnapshotMaxLength
	}
	if l.Targets <= 0 {
		l.Targets = DefaultTargetsMaxLength
	}
	return l
}

// Config describes one repository for [New].
type Config struct {
	// Name is the repository's name: [A-Za-z0-9][A-Za-z0-9._-]{0,63}.
	Name string
	// Mirrors are tried in order, file by file. Required unless Offline.
	Mirrors []Mirror
	// TrustDir holds the repository's state in TrustDir/metadata/<Name>/
	// and its download spool in TrustDir/targets/<Name>/.
	TrustDir string
	// MetadataDir, when set, overrides TrustDir/metadata/<Name> as the
	// directory of the repository's metadata (plain TUF client layout).
	MetadataDir string
	// HTTPClient is used for every request; nil means a client of its own.
	// It may be shared between Clients. When its CheckRedirect is nil, a
	// copy of it with [CheckRedirect] is used. Leave its Timeout zero: the
	// Client bounds each request itself (see Timeout), and an
	// http.Client.Timeout would also bound a large target's whole body.
	HTTPClient *http.Client
	// Timeout limits each metadata request, body included. For a target's
	// body it is the longest silence (no byte for Timeout), and the whole
	// download is bounded by Timeout plus the signed length at
	// [MinTargetRate]. 0 means [DefaultTimeout].
	Timeout time.Duration
	// At is the reference time for every expiry check, root included;
	// zero means the current time.
	At time.Time
	// Offline forbids every network access: metadata is verified from the
	// trust directory alone.
	Offline bool
	// MaxAge, when positive, lets a refresh use the trust directory's
	// metadata without a request when the repository last refreshed
	// successfully online at most MaxAge ago (by Clock, see
	// [Client.LastRefresh]): the cached metadata is verified as an offline
	// Client verifies it, expiry at the reference time included, and when
	// it does not verify the refresh goes online as usual. With
	// MetadataDir no record is kept (see [RefreshRecord]), so MaxAge has
	// no effect.
	MaxAge time.Duration
	// Clock returns the wall-clock time, used to record and age successful
	// refreshes (never for expiry, see At); nil means time.Now.
	Clock func() time.Time
	// Limits bounds metadata sizes.
	Limits Limits
	// KeepVerified makes a failed update still commit the files it
	// verified before failing (new root versions, then the timestamp,
	// snapshot and targets metadata that passed verification), as the TUF
	// specification's client workflow persists each file as it is
	// verified (5.3.8, 5.4.5, 5.5.7, 5.6.6). By default a failed update
	// leaves the trust directory as it was, so that a refused update is
	// all or nothing.
	KeepVerified bool
	// Sequential asks for metadata strictly one file after another, in
	// the order of TUF's client workflow. By default the timestamp is
	// asked for together with the first root version after the trusted
	// one (one round trip less; it is used only if no newer root exists,
	// and verified like any file).
	Sequential bool
	// Warn, when set, receives warnings: conditions that do not fail an
	// operation but that the user should hear of, such as a cached
	// metadata file that was ignored because it does not load or verify
	// (it is fetched again), or a directory of the trust directory that
	// others may write. Each is an error value, usually an [*Error]
	// naming the repository and the file. It may be called from any
	// goroutine that uses the Client, and from [New].
	Warn func(error)
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// validName reports whether name may be a repository name.
func validName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid repository name %q: want [A-Za-z0-9][A-Za-z0-9._-]{0,63}", name)
	}
	return nil
}

// metadataDir returns the repository's metadata directory.
func metadataDir(trustDir, override, name string) (string, error) {
	if override != "" {
		return filepath.Clean(override), nil
	}
	if trustDir == "" {
		return "", fmt.Errorf("repository %q: no trust directory", name)
	}
	return filepath.Join(trustDir, "metadata", name), nil
}

// checkMirror validates one mirror's base URLs.
func checkMirror(m Mirror) error {
	for _, base := range []string{m.Metadata, m.Targets} {
		u, err := url.Parse(base)
		if err != nil {
			return fmt.Errorf("mirror %q: %w", base, err)
		}
		switch u.Scheme {
		case "http", "https":
			if u.Host == "" {
				return fmt.Errorf("mirror %q: no host", base)
			}
		case "file":
			if u.Host != "" && u.Host != "localhost" {
				return fmt.Errorf("mirror %q: file URL with host %q", base, u.Host)
			}
			if filePath(u) == "" {
				return fmt.Errorf("mirror %q: no path", base)
			}
		case "":
			return fmt.Errorf("mirror %q: no scheme", base)
		default:
			return fmt.Errorf("mirror %q: unsupported scheme %q", base, u.Scheme)
		}
	}
	return nil
}

// DirMirror returns the mirror of a local directory in the string-mirror
// layout (as [Client.WriteMirror] writes it): file:// URLs of dir and
// dir/targets, with dir made absolute.
func DirMirror(dir string) (Mirror, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Mirror{}, fmt.Errorf("mirror %q: %w", dir, err)
	}
	meta := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	targets := url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(abs, "targets"))}
	return Mirror{Metadata: meta.String(), Targets: targets.String()}, nil
}

// filePath returns the local path of a file URL: its path, or for the
// relative form file:dir/sub its opaque part.
func filePath(u *url.URL) string {
	if u.Path == "" && u.Opaque != "" {
		if p, err := url.PathUnescape(u.Opaque); err == nil {
			return p
		}
	}
	return u.Path
}
