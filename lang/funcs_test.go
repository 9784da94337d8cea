package lang

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sup-run/sup/runtime/spec"
)

// TestFunctionValuedFields calls the functions of cmd, env and instance as
// the runtime does at spawn time.
func TestFunctionValuedFields(t *testing.T) {
	src := `
def argv(ctx):
    return ["echo", ctx.event.name, ctx.event.vars["IFACE"], ctx.job, str(ctx.process_num)]
job("fn", cmd = argv, env = {"WHO": lambda ctx: ctx.instance},
    instance = lambda ctx: ctx.event.vars["IFACE"] + "x",
    start_on = on("up"))
job("str", cmd = lambda ctx: "prog --name '%s'" % ctx.instance)
job("loop", cmd = lambda ctx: [str(x) for x in range(100000000)])
`
	read := func(string) ([]byte, error) { return []byte(src), nil }
	sp, err := Load(context.Background(), "site.star", Options{ReadFile: read})
	if err != nil {
		t.Fatal(err)
	}
	c := spec.TemplateContext{Job: "fn", Instance: "fn:eth0x", Event: spec.Event{Name: "up", Vars: map[string]string{"IFACE": "eth0"}}}
	fn := sp.Job("fn")
	for field, want := range map[string]string{"cmd": "echo up eth0 fn 0", "env:WHO": "fn:eth0x", "instance": "eth0x"} {
		got, err := fn.Funcs[field].Render(context.Background(), c)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %q %v, want %q", field, got, err, want)
		}
	}
	got, err := sp.Job("str").Funcs["cmd"].Render(context.Background(), spec.TemplateContext{Instance: "a b"})
	if err != nil || strings.Join(got, "|") != "prog|--name|a b" {
		t.Errorf("string cmd: %q %v", got, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := sp.Job("loop").Funcs["cmd"].Render(ctx, c); err == nil || !strings.Contains(err.Error(), "too many steps") {
		t.Errorf("endless function: %v", err)
	}
}
