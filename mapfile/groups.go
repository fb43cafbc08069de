package mapfile

import "strings"

// SplitGroups splits a comma-separated list of repository names, as
// --groups, $ACCORD_GROUPS and accord serve's groups parameter give them:
// each name is trimmed of spaces and empty names are dropped, so a list
// that names nothing gives nil.
func SplitGroups(list string) []string {
	var groups []string
	for _, g := range strings.Split(list, ",") {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	return groups
}
