package lang

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// memFS serves configs from memory and records what was read.
type memFS struct {
	mu    sync.Mutex
	files map[string]string
	read  []string
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read = append(m.read, name)
	src, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return []byte(src), nil
}

func load(t *testing.T, files map[string]string, opts Options) (*spec.Spec, error) {
	t.Helper()
	m := &memFS{files: files}
	opts.ReadFile = m.ReadFile
	return Load(context.Background(), "site.star", opts)
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	m := &memFS{files: map[string]string{"site.star": "x = 0\nwhile True:\n    x += 1\n"}}
	start := time.Now()
	_, err := Load(ctx, "site.star", Options{ReadFile: m.ReadFile, MaxSteps: 1 << 62})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want a deadline error", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
	// Where it stops depends on timing: anywhere in the file.
	if !strings.HasPrefix(err.Error(), "site.star:") || !strings.HasSuffix(err.Error(), ": evaluation cancelled: context deadline exceeded") {
		t.Errorf("error = %q", err)
	}
	checkErrorShape(t, err)

	// A context cancelled before the start stops before evaluating.
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, err = Load(done, "site.star", Options{ReadFile: m.ReadFile})
	if !errors.Is(err, context.Canceled) || err.Error() != "site.star: evaluation cancelled: context canceled" {
		t.Errorf("error = %v, want cancelled", err)
	}
}

func TestStepLimit(t *testing.T) {
	_, err := load(t, map[string]string{"site.star": "def f():\n    for i in range(1000000):\n        pass\nf()\n"}, Options{MaxSteps: 10000})
	if !errors.Is(err, ErrStepLimit) {
		t.Fatalf("error = %v, want ErrStepLimit", err)
	}
	want := "site.star:2:5: evaluation exceeded its step limit (10000 steps; is there an endless loop?)"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	// The default limit is ample for real work.
	if _, err := load(t, map[string]string{"site.star": "x = [i for i in range(100000)]\n"}, Options{}); err != nil {
		t.Errorf("default limit: %v", err)
	}
}

func TestPrint(t *testing.T) {
	var got []string
	_, err := load(t, map[string]string{"site.star": "x = 1\nprint('x is', x)\n"}, Options{
		Print: func(pos spec.Pos, msg string) { got = append(got, pos.String()+": "+msg) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"site.star:2:1: x is 1"}; !slices.Equal(got, want) {
		t.Errorf("printed %q, want %q", got, want)
	}
	// Without Print, print() is silent and harmless.
	if _, err := load(t, map[string]string{"site.star": "print('hi')\n"}, Options{}); err != nil {
		t.Error(err)
	}
}

// TestHermetic: evaluation reads the config and what it loads, nothing else.
func TestHermetic(t *testing.T) {
	m := &memFS{files: map[string]string{
		"conf/site.star":   "load('lib/a.star', 'a')\nload('@sup//pool.star', 'pool')\njob('web', cmd = 'sleep 1', dir = 'srv', stdout = '/etc/passwd')\n",
		"conf/lib/a.star":  "load('b.star', 'b')\na = b\n",
		"conf/lib/b.star":  "load('../lib/a2.star', 'x')\nb = x\n",
		"conf/lib/a2.star": "x = 1\n",
	}}
	if _, err := Load(context.Background(), "conf/site.star", Options{ReadFile: m.ReadFile}); err != nil {
		t.Fatal(err)
	}
	want := []string{"conf/site.star", "conf/lib/a.star", "conf/lib/b.star", "conf/lib/a2.star"}
	if !slices.Equal(m.read, want) {
		t.Errorf("read %q, want %q", m.read, want)
	}
}

// TestLoadCache: a module loaded twice is evaluated once.
func TestLoadCache(t *testing.T) {
	m := &memFS{files: map[string]string{
		"site.star":       "load('lib/a.star', 'a')\nload('lib/b.star', 'b')\nload('./lib/a.star', a2 = 'a')\n",
		"lib/a.star":      "load('common.star', 'c')\na = c\n",
		"lib/b.star":      "load('common.star', 'c')\nb = c\n",
		"lib/common.star": "job('shared', cmd = 'sleep 1')\nc = 1\n",
	}}
	s, err := Load(context.Background(), "site.star", Options{ReadFile: m.ReadFile})
	if err != nil {
		t.Fatal(err) // a second evaluation of common.star would declare "shared" twice
	}
	if len(s.Jobs) != 1 || strings.Count(strings.Join(m.read, " "), "common.star") != 1 {
		t.Errorf("jobs %d, reads %q", len(s.Jobs), m.read)
	}
}

// TestPaths: relative paths are resolved against the config's directory,
// made absolute; defaults sit beside the config.
func TestPaths(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "my.site.star")
	src := `job("web", cmd = "sleep 1", dir = "srv/web", stdout = "logs/web.out", stderr = "/var/log/web.err")
job("env", cmd = "sleep 1", dir = "${HOME}/x")
`
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := spec.Settings{
		Name:     "my.site",
		StateDir: filepath.Join(dir, ".sup"),
		Socket:   filepath.Join(dir, ".sup", "sup.sock"),
		LogDir:   filepath.Join(dir, ".sup", "logs"),
	}
	if s.Settings != want {
		t.Errorf("settings = %+v, want %+v", s.Settings, want)
	}
	if s.Config != cfg {
		t.Errorf("config = %q, want %q", s.Config, cfg)
	}
	web := s.Job("web")
	if web.Dir != filepath.Join(dir, "srv/web") || web.Stdout.Path != filepath.Join(dir, "logs/web.out") || web.Stderr.Path != "/var/log/web.err" {
		t.Errorf("web paths: dir %q stdout %q stderr %q", web.Dir, web.Stdout.Path, web.Stderr.Path)
	}
	if got := s.Job("env").Dir; got != "${HOME}/x" {
		t.Errorf("templated dir = %q, want it kept for spawn time", got)
	}
	if web.Pos != (spec.Pos{File: cfg, Line: 1, Col: 1}) {
		t.Errorf("pos = %v", web.Pos)
	}
}

func TestMissingConfig(t *testing.T) {
	_, err := load(t, map[string]string{}, Options{})
	want := "site.star: cannot read config: open site.star: file does not exist"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
}

func TestErrorList(t *testing.T) {
	_, err := load(t, map[string]string{"site.star": "group('a', jobs = ['x'])\ngroup('b', jobs = ['y'])\n"}, Options{})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("error = %#v, want an ErrorList of 2", err)
	}
	var first *Error
	if !errors.As(err, &first) || first != list[0] || first.Pos.Line != 1 {
		t.Errorf("errors.As gives %v, want the first of the list", first)
	}
}

// TestConcurrent: evaluations share nothing mutable.
func TestConcurrent(t *testing.T) {
	src, err := os.ReadFile("../examples/site.star")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			m := &memFS{files: map[string]string{"site.star": string(src) + "\nx = json.encode(struct(a = time.second))\n"}}
			if _, err := Load(context.Background(), "site.star", Options{ReadFile: m.ReadFile}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
