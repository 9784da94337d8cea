package daemon

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestServePprof(t *testing.T) {
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	if ln := servePprof("", log); ln != nil {
		t.Fatal("an empty SUP_PPROF must serve nothing")
	}
	ln := servePprof("127.0.0.1:0", log)
	if ln == nil {
		t.Fatalf("no listener; log: %s", logs)
	}
	defer ln.Close()
	if !strings.Contains(logs.String(), `msg="profiler listening" addr=`+ln.Addr().String()) {
		t.Fatalf("log: %s", logs)
	}
	resp, err := http.Get("http://" + ln.Addr().String() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("status %d body %.80s", resp.StatusCode, body)
	}
	if servePprof("256.0.0.1:x", log) != nil || !strings.Contains(logs.String(), `msg="cannot serve the profiler" env=SUP_PPROF`) {
		t.Fatalf("a bad address must be logged, not served; log: %s", logs)
	}
}
