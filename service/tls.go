package service

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// CertReloader serves a certificate and key read from two files, read
// again whenever either file changes (cert-manager and Kubernetes secret
// volumes replace them in place). A change that does not load (a
// half-written pair, a key that does not match) keeps the previous
// certificate until the pair loads. It is safe for concurrent use.
type CertReloader struct {
	certFile, keyFile string
	logf              func(string, ...any)

	mu    sync.Mutex
	cert  *tls.Certificate
	stamp string // the files' sizes and modification times when read
}

// NewCertReloader loads the pair once; an error here is a configuration
// error.
func NewCertReloader(certFile, keyFile string, logf func(string, ...any)) (*CertReloader, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	c := &CertReloader{certFile: certFile, keyFile: keyFile, logf: logf}
	stamp, err := c.stampNow()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	c.cert, c.stamp = &cert, stamp
	return c, nil
}

// stampNow describes the two files as they are now.
func (c *CertReloader) stampNow() (string, error) {
	var stamp string
	for _, f := range []string{c.certFile, c.keyFile} {
		fi, err := os.Stat(f)
		if err != nil {
			return "", fmt.Errorf("tls: %w", err)
		}
		stamp += fmt.Sprintf("%d/%d;", fi.Size(), fi.ModTime().UnixNano())
	}
	return stamp, nil
}

// GetCertificate is for tls.Config.GetCertificate: the current pair,
// reloaded first if a file changed.
func (c *CertReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stamp, err := c.stampNow()
	if err != nil || stamp == c.stamp {
		return c.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		c.logf("tls: keeping the previous certificate: %v", err)
		return c.cert, nil
	}
	c.cert, c.stamp = &cert, stamp
	c.logf("tls: reloaded %s (%s)", c.certFile, time.Now().UTC().Format(time.RFC3339))
	return c.cert, nil
}

// Config returns a server TLS configuration over the reloader: TLS 1.2
// or later.
func (c *CertReloader) Config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.GetCertificate, NextProtos: []string{"h2", "http/1.1"}}
}
