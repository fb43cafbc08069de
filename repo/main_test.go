package repo_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accord-tuf/accord/repo"
)

// Environment of a child process that refreshes a trust directory (see
// TestConcurrentRefresh).
const (
	envChild = "ACCORD_REPO_TEST_CHILD" // number of refreshes per goroutine
	envTrust = "ACCORD_REPO_TEST_TRUST"
	envURL   = "ACCORD_REPO_TEST_URL"
)

// envLoop makes a child process refresh until it is killed.
const envLoop = "ACCORD_REPO_TEST_LOOP"

func TestMain(m *testing.M) {
	if os.Getenv(envLoop) != "" {
		os.Exit(loop())
	}
	if n := os.Getenv(envChild); n != "" {
		os.Exit(child(n))
	}
	os.Exit(m.Run())
}

// loop refreshes the trust directory over and over, and says so on stdout
// after each refresh, until it is killed (or fails).
func loop() int {
	cfg := repo.Config{Name: "ci", TrustDir: os.Getenv(envTrust), Mirrors: mirrors(os.Getenv(envURL)), Timeout: 10 * time.Second}
	for i := 0; ; i++ {
		if err := refreshTimes(cfg, 1, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(i)
	}
}

// child refreshes the trust directory in two goroutines, n times each, and
// returns the exit status.
func child(n string) int {
	count, err := strconv.Atoi(n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg := repo.Config{Name: "ci", TrustDir: os.Getenv(envTrust), Mirrors: mirrors(os.Getenv(envURL)), Timeout: 10 * time.Second}
	status := 0
	for _, err := range refreshTwice(cfg, count, nil) {
		fmt.Fprintln(os.Stderr, err)
		status = 1
	}
	return status
}

// refreshTwice runs refreshTimes in two goroutines at once and returns
// their errors.
func refreshTwice(cfg repo.Config, n int, after func(i int)) []error {
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- refreshTimes(cfg, n, after)
		}()
	}
	wg.Wait()
	close(errs)
	var out []error
	for err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// refreshTimes refreshes a new Client for cfg n times, calling after (if
// not nil) after each.
func refreshTimes(cfg repo.Config, n int, after func(i int)) error {
	for i := 0; i < n; i++ {
		c, err := repo.New(cfg)
		if err != nil {
			return err
		}
		if err := c.Refresh(context.Background()); err != nil {
			return fmt.Errorf("refresh %d: %w", i, err)
		}
		if after != nil {
			after(i)
		}
	}
	return nil
}
