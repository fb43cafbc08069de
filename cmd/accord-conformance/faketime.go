package main

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// absoluteLayout is libfaketime's absolute time: "%Y-%m-%d %H:%M:%S".
const absoluteLayout = "2006-01-02 15:04:05"

// maxOffset bounds a relative FAKETIME, in seconds: what a time.Duration
// holds, about 292 years.
const maxOffset = float64(math.MaxInt64 / int64(time.Second))

var (
	absoluteRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
	relativeRE = regexp.MustCompile(`^([+-])(\d{1,12}(?:[.,]\d{1,9})?)([smhdy]?)$`)
)

// unitSeconds are the units of a relative FAKETIME.
var unitSeconds = map[string]float64{
	"":  1,
	"s": 1,
	"m": 60,
	"h": 60 * 60,
	"d": 24 * 60 * 60,
	"y": 365 * 24 * 60 * 60,
}

// parseFaketime returns the reference time that the FAKETIME value v
// means (see the package doc), with now as the system clock and loc as the
// time zone of absolute times.
func parseFaketime(v string, now time.Time, loc *time.Location) (time.Time, error) {
	s := strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(s, "@"):
		return parseAbsolute(strings.TrimPrefix(s, "@"), loc, v)
	case strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-"):
		return parseRelative(s, now, v)
	}
	return parseAbsolute(s, loc, v)
}

func parseAbsolute(s string, loc *time.Location, orig string) (time.Time, error) {
	if absoluteRE.MatchString(s) {
		t, err := time.ParseInLocation(absoluteLayout, s, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("FAKETIME %q: %w", orig, unwrapParse(err))
		}
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("FAKETIME %q: want \"@YYYY-MM-DD hh:mm:ss\", \"YYYY-MM-DD hh:mm:ss\" or an offset such as \"+2d\" or \"-3600\"", orig)
}

func parseRelative(s string, now time.Time, orig string) (time.Time, error) {
	m := relativeRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("FAKETIME %q: want an offset such as \"+2d\", \"-1h\", \"+10m\", \"+30s\" or \"-3600\" (clock speed modifiers are not supported)", orig)
	}
	n, err := strconv.ParseFloat(strings.Replace(m[2], ",", ".", 1), 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("FAKETIME %q: %w", orig, err)
	}
	secs := n * unitSeconds[m[3]]
	if secs >= maxOffset {
		return time.Time{}, fmt.Errorf("FAKETIME %q: offset out of range", orig)
	}
	if m[1] == "-" {
		secs = -secs
	}
	return now.Add(time.Duration(secs * float64(time.Second))), nil
}

// unwrapParse shortens time.Parse's errors ("parsing time … : month out
// of range") to their point.
func unwrapParse(err error) error {
	if pe, ok := err.(*time.ParseError); ok && pe.Message != "" {
		return fmt.Errorf("%s", strings.TrimPrefix(pe.Message, ": "))
	}
	return err
}
