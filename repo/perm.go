package repo

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// looseDirs returns a warning for each existing directory the
// repository's state depends on that others may write: the trust
// directory, its metadata and targets directories, and the repository's
// own metadata and spool directories. Whoever may write one of them may
// replace the pinned root. Links are followed: the mode that counts is
// the directory's.
func (c *Client) looseDirs(trustDir string) []error {
	dirs := []string{c.mdir, c.spool}
	if trustDir != "" {
		dirs = append([]string{trustDir, filepath.Join(trustDir, "metadata"), filepath.Join(trustDir, "targets")}, dirs...)
	}
	var warnings []error
	seen := map[string]bool{}
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 == 0 {
			continue
		}
		who := "group"
		if fi.Mode().Perm()&0o002 != 0 {
			who = "world"
		}
		warnings = append(warnings, fmt.Errorf("%s is %s-writable (mode %04o): whoever may write it may replace the pinned roots; run: chmod go-w %s", d, who, fi.Mode().Perm(), shellQuote(d)))
	}
	return warnings
}

// plainWord matches what a shell takes literally.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9/._+,:@%=-]+$`)

// shellQuote quotes s for a POSIX shell, where needed.
func shellQuote(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
