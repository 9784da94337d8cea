package sched

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/sup-run/sup/runtime/statedir"
)

// Store keeps the last fire time of each schedule across restarts.
type Store interface {
	Load() (map[string]time.Time, error)
	Save(map[string]time.Time) error
}

// FileStore is a Store in one JSON file, replaced atomically (written
// beside, synced, renamed) so a crash leaves the old or the new file.
type FileStore struct{ Path string }

// Load reads the file; a missing file is an empty record.
func (f FileStore) Load() (map[string]time.Time, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]time.Time{}, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		LastFire map[string]time.Time `json:"last_fire"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if doc.LastFire == nil {
		doc.LastFire = map[string]time.Time{}
	}
	return doc.LastFire, nil
}

// Save replaces the file.
func (f FileStore) Save(m map[string]time.Time) error {
	b, err := json.MarshalIndent(map[string]any{"schema": "sup.schedules/v1", "last_fire": m}, "", "  ")
	if err != nil {
		return err
	}
	return statedir.WriteFile(f.Path, append(b, '\n'))
}

// MemStore is a Store in memory, for tests.
type MemStore struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// Load returns a copy of what was saved.
func (s *MemStore) Load() (map[string]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]time.Time{}
	for k, v := range s.m {
		out[k] = v
	}
	return out, nil
}

// Save keeps a copy of m.
func (s *MemStore) Save(m map[string]time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = map[string]time.Time{}
	for k, v := range m {
		s.m[k] = v
	}
	return nil
}
