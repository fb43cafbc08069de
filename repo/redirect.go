package repo

import (
	"fmt"
	"net/http"
)

// MaxRedirects is how many redirects one request follows at most.
const MaxRedirects = 5

// CheckRedirect is accord's redirect policy, for [http.Client]'s
// CheckRedirect field:
//
//   - a redirect is followed to any host and port: every file is verified
//     whatever server answers it, and mirrors behind a CDN redirect;
//   - at most [MaxRedirects] redirects per request;
//   - never from https to anything else, at any hop: a request made over
//     TLS is not continued in clear text;
//   - no Referer header is sent: a mirror's URL is not told to the next
//     server.
//
// [New] applies it to a [Config.HTTPClient] whose CheckRedirect is nil.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", MaxRedirects)
	}
	for _, v := range via {
		if v.URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect from %s to %s refused: a downgrade from https", via[len(via)-1].URL.Redacted(), req.URL.Redacted())
		}
	}
	req.Header.Del("Referer")
	return nil
}

// withRedirectPolicy returns hc, or a copy of it with [CheckRedirect] when
// it has no policy of its own; nil gives a new client, without an overall
// Timeout: each request is bounded by its context.
func withRedirectPolicy(hc *http.Client) *http.Client {
	if hc == nil {
		return &http.Client{CheckRedirect: CheckRedirect}
	}
	if hc.CheckRedirect != nil {
		return hc
	}
	cp := *hc
	cp.CheckRedirect = CheckRedirect
	return &cp
}
