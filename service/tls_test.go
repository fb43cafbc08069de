package service

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with serial
// number serial, and its key, to certFile and keyFile; it returns the
// certificate.
func writeCert(t *testing.T, certFile, keyFile string, serial int64, mtime time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for file, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(file, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestTLSReload serves TLS from a certificate pair, replaces the pair and
// checks that the next connection gets the new certificate, that a pair
// that does not load keeps the last good one, and that TLS 1.1 is refused.
func TestTLSReload(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	start := time.Now().Add(-time.Hour)
	c1 := writeCert(t, certFile, keyFile, 1, start)
	reloader, err := NewCertReloader(certFile, keyFile, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(ctx, w.config(Validate))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, reloader.Config()) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	pool := x509.NewCertPool()
	pool.AddCert(c1)
	serial := func(maxVersion uint16) (int64, error) {
		t.Helper()
		client := &http.Client{Transport: &http.Transport{
			DisableKeepAlives: true,
			TLSClientConfig:   &tls.Config{RootCAs: pool, MaxVersion: maxVersion},
		}}
		resp, err := client.Get("https://" + ln.Addr().String() + "/healthz")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64(), nil
	}
	if n, err := serial(0); err != nil || n != 1 {
		t.Fatalf("first certificate: serial %d, %v; want 1", n, err)
	}
	c2 := writeCert(t, certFile, keyFile, 2, start.Add(time.Minute))
	pool.AddCert(c2)
	if n, err := serial(0); err != nil || n != 2 {
		t.Fatalf("after the files changed: serial %d, %v; want 2", n, err)
	}
	// A key that does not match the certificate: the last good pair stays.
	other := filepath.Join(dir, "other.key")
	writeCert(t, filepath.Join(dir, "other.crt"), other, 3, start)
	data, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := serial(0); err != nil || n != 2 {
		t.Fatalf("after a mismatched key: serial %d, %v; want 2 kept", n, err)
	}
	if _, err := serial(tls.VersionTLS11); err == nil {
		t.Fatal("a TLS 1.1 client was served")
	}
}
