package mapfile

import "strconv"

// quote quotes s as Go would, so that any byte of it prints visibly.
func quote(s string) string { return strconv.Quote(s) }
