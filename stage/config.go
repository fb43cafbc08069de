package stage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/internal/atomicfile"
)

// Files and folders of a stage directory.
const (
	ConfigFile = "stage.json" // the stage's settings, see [Config]
	PublicDir  = "public"     // the published tree, a string mirror's layout
	PendingDir = "pending"    // targets metadata waiting for signatures
	KeysDir    = "keys"       // generated private keys, unless Config.KeysDir says elsewhere
)

const (
	lockFile       = ".lock"        // in the stage directory: the lock every writer holds
	pendingTargets = "targets.json" // in pending/
)

// Roles returns the four top-level roles, in the order messages list them.
func Roles() []string {
	return []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}
}

// Default expiry periods.
const (
	DefaultRootExpiry      = 365 * 24 * time.Hour
	DefaultTargetsExpiry   = 90 * 24 * time.Hour
	DefaultSnapshotExpiry  = 7 * 24 * time.Hour
	DefaultTimestampExpiry = 24 * time.Hour
)

// Config is what stage.json holds: the settings that every command of the
// stage reads. Keys are not in it: the roles' keys are in root metadata.
type Config struct {
	// Name is the repository's name, as clients declare it in their map
	// file.
	Name string `json:"name"`
	// KeysDir is the folder commands look in for private keys when no key
	// is given; relative to the stage directory unless absolute.
	KeysDir string `json:"keys_dir"`
	// Expiry is each role's period: a new version of the role expires that
	// long after it is signed.
	Expiry map[string]Duration `json:"expiry"`
}

// Duration is a time.Duration written in JSON as Go writes durations
// ("2160h0m0s").
type Duration time.Duration

// MarshalJSON writes d as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a string such as "24h".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// period returns role's expiry period.
func (c *Config) period(role string) time.Duration {
	return time.Duration(c.Expiry[role])
}

// validate checks what Init and Open rely on.
func (c *Config) validate() error {
	if c.Name == "" {
		return errors.New("no name")
	}
	for _, r := range Roles() {
		if c.period(r) <= 0 {
			return fmt.Errorf("expiry of %s: %v is not a positive period", r, c.period(r))
		}
	}
	return nil
}

// readConfig reads dir's stage.json. A directory without one is not a
// stage: [ErrNotStage].
func readConfig(dir string) (*Config, error) {
	data, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotStageError{Dir: dir}
	}
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", dir, err)
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("stage %s: %s: %w", dir, ConfigFile, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("stage %s: %s: %w", dir, ConfigFile, err)
	}
	return &c, nil
}

// writeConfig writes c as dir's stage.json.
func writeConfig(dir string, c *Config) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, ConfigFile), append(data, '\n'), 0o644)
}
