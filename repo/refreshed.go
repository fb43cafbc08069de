package repo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/accord-tuf/accord/internal/atomicfile"
)

// RefreshRecord is the file of the metadata directory that records when
// the repository last refreshed successfully online: one RFC 3339 time and
// a newline. Its name does not end in ".json", so no role's file can take
// it. It is committed with the metadata it vouches for: in the same
// directory exchange when the refresh changed anything, otherwise
// atomically in place, under the same lock. A metadata directory given as
// [Config.MetadataDir] (a plain TUF client layout, which other TUF clients
// may read) holds TUF metadata only: no record is kept there, and
// [Config.MaxAge] never finds one.
const RefreshRecord = "refreshed-at"

// maxRecordLength bounds the refresh record's size.
const maxRecordLength = 64

// now returns the wall-clock time, for the refresh record: [Config.Clock],
// else the current time. It is never [Config.At], which is the reference
// time for expiry alone.
func (c *Client) now() time.Time {
	if c.clock != nil {
		return c.clock().UTC()
	}
	return time.Now().UTC()
}

// recordBytes is the refresh record's content for t.
func recordBytes(t time.Time) []byte {
	return []byte(t.UTC().Format(time.RFC3339Nano) + "\n")
}

// writeRecordInPlace records a successful refresh that changed no other
// file. The caller holds the exclusive lock.
func (c *Client) writeRecordInPlace() error {
	if !c.record {
		return nil
	}
	if err := atomicfile.WriteFile(filepath.Join(c.mdir, RefreshRecord), recordBytes(c.now()), filePerm); err != nil {
		return c.errf(RefreshRecord, err)
	}
	return nil
}

// LastRefresh returns when the repository last refreshed successfully
// online, as recorded in the trust directory by this Client or any other
// (the zero time when it never did), without network access and without
// waiting for a writer. A record that does not parse is an error naming
// it; the next successful refresh replaces it.
func (c *Client) LastRefresh() (time.Time, error) {
	files, err := readCommitted(c.mdir, []string{RefreshRecord}, func(string) int64 { return maxRecordLength })
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, c.errf(RefreshRecord, err)
	}
	data, ok := files[RefreshRecord]
	if !ok {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSuffix(string(data), "\n"))
	if err != nil {
		return time.Time{}, c.errf(RefreshRecord, fmt.Errorf("does not parse: %w; the next refresh replaces it", err))
	}
	return t.UTC(), nil
}

// fresh reports whether the last successful online refresh is at most
// [Config.MaxAge] old by the wall clock. A record in the future, or one
// that cannot be read, is not fresh.
func (c *Client) fresh() bool {
	if c.maxAge <= 0 {
		return false
	}
	last, err := c.LastRefresh()
	if err != nil || last.IsZero() {
		return false
	}
	age := c.now().Sub(last)
	return age >= 0 && age <= c.maxAge
}

// loadFresh returns the cached state when the last online refresh is
// within [Config.MaxAge] and the cached metadata verifies at the reference
// time, as [Client.loadOffline] does; otherwise nil, for an update.
func (c *Client) loadFresh(ctx context.Context) (*state, error) {
	if !c.fresh() {
		return nil, nil
	}
	st, err := c.loadOffline(ctx)
	if err != nil {
		return nil, nil
	}
	return st, nil
}
