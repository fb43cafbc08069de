package mapfile

import (
	"fmt"
	"net/url"
	"strings"
)

// checkURL checks a mirror URL and returns it without trailing slashes, and
// what is wrong with it, or "".
func checkURL(raw string) (string, string) {
	s := strings.TrimRight(raw, "/")
	if raw == "" {
		return s, "empty URL"
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return s, fmt.Sprintf("URL %s contains white space", quote(raw))
	}
	u, err := url.Parse(s)
	if err != nil {
		return s, fmt.Sprintf("invalid URL %s", quote(raw))
	}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "":
		return s, fmt.Sprintf("URL %s has no scheme: write https://, http:// or file://", quote(raw))
	case scheme != "https" && scheme != "http" && scheme != "file":
		return s, fmt.Sprintf("URL %s: scheme %s is not https, http or file", quote(raw), quote(u.Scheme))
	case u.Opaque != "" || !strings.HasPrefix(raw[len(u.Scheme)+1:], "//"):
		return s, fmt.Sprintf("URL %s: write %s://", quote(raw), scheme)
	case u.User != nil:
		return s, fmt.Sprintf("URL %s has user information", quote(raw))
	case u.RawQuery != "" || u.ForceQuery:
		return s, fmt.Sprintf("URL %s has a query", quote(raw))
	case u.Fragment != "" || strings.Contains(s, "#"):
		return s, fmt.Sprintf("URL %s has a fragment", quote(raw))
	case scheme == "file" && u.Host != "":
		return s, fmt.Sprintf("file URL %s names a host: write file:///PATH", quote(raw))
	case scheme == "file" && u.Path == "":
		return s, fmt.Sprintf("file URL %s has no path", quote(raw))
	case scheme != "file" && u.Hostname() == "":
		return s, fmt.Sprintf("URL %s has no host", quote(raw))
	}
	return s, ""
}
