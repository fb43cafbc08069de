package main

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
)

func TestParseFaketime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	zone := time.FixedZone("UTC+2", 2*60*60)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"@2024-01-02 03:04:05", time.Date(2024, 1, 2, 3, 4, 5, 0, zone)},
		{"2024-01-02 03:04:05", time.Date(2024, 1, 2, 3, 4, 5, 0, zone)},
		{" @2024-01-02 03:04:05\n", time.Date(2024, 1, 2, 3, 4, 5, 0, zone)},
		{"2024-01-02T03:04:05Z", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"+2d", now.Add(48 * time.Hour)},
		{"-1h", now.Add(-time.Hour)},
		{"+10m", now.Add(10 * time.Minute)},
		{"+30s", now.Add(30 * time.Second)},
		{"-86400", now.Add(-24 * time.Hour)},
		{"+0", now},
		{"+1y", now.Add(365 * 24 * time.Hour)},
		{"+1,5h", now.Add(90 * time.Minute)},
		{"-0.5d", now.Add(-12 * time.Hour)},
	} {
		got, err := parseFaketime(tc.in, now, zone)
		if err != nil {
			t.Errorf("parseFaketime(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) {
			t.Errorf("parseFaketime(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{
		"", "@", "+", "-", "tomorrow", "2024-01-02", "2024-13-02 03:04:05",
		"2024-01-02 25:04:05", "@2024-01-02 03:04:05 x2", "+2d x10,0", "+2w",
		"2d", "+-2d", "+1e3s", "+inf", "+NaN", "+99999999999y", "+2.d", "+.5d",
	} {
		if got, err := parseFaketime(in, now, zone); err == nil {
			t.Errorf("parseFaketime(%q) = %v, want an error", in, got)
		} else if !strings.HasPrefix(err.Error(), "FAKETIME ") {
			t.Errorf("parseFaketime(%q): error %q does not name FAKETIME first", in, err)
		}
	}
}

func TestFaketimeRelativeOffsets(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	if err := w.r.SetExpires("timestamp", time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	w.publish(t)
	w.init(t)
	// The timestamp expires in a day: two days on, it has expired.
	for _, ft := range []string{"+2d", "+172800", "+49h"} {
		res := w.refresh(t, "FAKETIME="+ft)
		wantCode(t, res, 1)
		wantStderr(t, res, "timestamp.json", "expired")
	}
	for _, ft := range []string{"+10m", "+30s", "-1h", ""} {
		wantCode(t, w.refresh(t, "FAKETIME="+ft), 0)
	}
}

func TestFaketimeMakesExpiredRepositoryValid(t *testing.T) {
	t.Parallel()
	past := time.Now().Add(-400 * 24 * time.Hour).UTC().Truncate(time.Second)
	w := newWorld(t, fixtures.Options{Now: func() time.Time { return past }}, map[string]string{"a.txt": "a"})

	// Everything, root included, expired 35 days ago.
	res := adapter(t, nil, "--metadata-dir", w.mdir, "init", rootFile(t, w.root))
	wantCode(t, res, 0)
	wantStderr(t, res, "warning", "expired")
	res = w.refresh(t)
	wantCode(t, res, 1)
	wantStderr(t, res, "expired")

	day := past.Add(24 * time.Hour).Format("2006-01-02 15:04:05")
	for _, ft := range []string{"@" + day, day, "-395d"} {
		wantCode(t, w.refresh(t, "FAKETIME="+ft), 0)
	}
	res = w.refresh(t, "FAKETIME=@"+past.Add(366*24*time.Hour).Format("2006-01-02 15:04:05"))
	wantCode(t, res, 1)
	wantStderr(t, res, "expired")
}

func TestFaketimeUnparseable(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	before := files(t, w.mdir)
	for _, ft := range []string{"next tuesday", "+2d x2", "2024-02-30 00:00:00"} {
		res := w.refresh(t, "FAKETIME="+ft)
		wantCode(t, res, 1)
		wantStderr(t, res, "FAKETIME")
	}
	if reqs := w.srv.Requests(); len(reqs) != 0 {
		t.Errorf("requests made with an unparseable FAKETIME: %q", reqs)
	}
	sameFiles(t, before, files(t, w.mdir))
}
