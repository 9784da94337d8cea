package jobs

import (
	"errors"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/sup-run/sup/lang/internal/diag"
	"github.com/sup-run/sup/lang/internal/kwargs"
	"github.com/sup-run/sup/lang/internal/unpack"
	"github.com/sup-run/sup/runtime/spec"
	"go.starlark.net/starlark"
)

var settingsParams = []string{"name", "socket", "logdir", "state_dir", "tz", "tracking", "on_survivors"}

// pathParams are the settings that are paths.
var pathParams = []string{"socket", "logdir", "state_dir"}

// settingsBuiltin implements settings(name=, socket=, logdir=, state_dir=).
func (d *Decls) settingsBuiltin(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	a, err := kwargs.Bind("settings", d.env.Sites.Caller(thread), args, kw, 0, settingsParams...)
	if err != nil {
		return nil, err
	}
	if err := a.CheckUnknown(); err != nil {
		return nil, err
	}
	if d.settings != nil {
		return nil, diag.Errorf(a.Site.Pos(), "settings() is already called at %s", d.settings.Pos)
	}
	s := d.defaultSettings()
	s.Pos = a.Site.Pos()
	if err := kwargs.Opt(a, "name", &s.Name, settingsName); err != nil {
		return nil, err
	}
	paths := map[string]string{}
	if err := kwargs.Opt(a, "tz", &s.TZ, timeZone); err != nil {
		return nil, err
	}
	if err := kwargs.Opt(a, "tracking", &s.Tracking, choice("auto", "cgroup", "process-group")); err != nil {
		return nil, err
	}
	if err := kwargs.Opt(a, "on_survivors", &s.OnSurvivors, choice("kill", "adopt")); err != nil {
		return nil, err
	}
	for _, field := range pathParams {
		p, ok, err := pathArg(a, field)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if strings.Contains(p, "${") {
			return nil, a.Errorf(field, "templates are not expanded in settings: %q", p)
		}
		paths[field] = d.path(p)
	}
	if p, ok := paths["state_dir"]; ok {
		s.StateDir = p
		s.Socket = filepath.Join(p, "sup.sock")
		s.LogDir = filepath.Join(p, "logs")
	}
	if p, ok := paths["socket"]; ok {
		s.Socket = p
	}
	if p, ok := paths["logdir"]; ok {
		s.LogDir = p
	}
	d.settings = &s
	return starlark.None, nil
}

// defaultSettings are the settings of a config that does not call
// settings(): named after its file, state in ".sup" beside it.
func (d *Decls) defaultSettings() spec.Settings {
	stateDir := filepath.Join(d.env.dir(), ".sup")
	return spec.Settings{
		Name:     strings.TrimSuffix(filepath.Base(d.env.Config), ".star"),
		StateDir: stateDir,
		Socket:   filepath.Join(stateDir, "sup.sock"),
		LogDir:   filepath.Join(stateDir, "logs"),
	}
}

func settingsName(v starlark.Value) (string, error) {
	s, err := unpack.String(v)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", errors.New("must not be empty")
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", errors.New("must not contain control characters")
	}
	return s, nil
}
