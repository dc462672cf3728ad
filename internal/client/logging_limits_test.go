package client

import (
	"runtime"
	"strings"
	"testing"
)

// At TF_LOG=TRACE a 30 MiB page was decoded into Go values to redact it,
// for a log line that keeps 4 KiB of it: hundreds of MiB. A body over
// maxRedactedBody is left out of the log instead.
func TestRedactBodyLeavesOutWhatItCannotAffordToRedact(t *testing.T) {
	big := []byte(`{"tasks":[` + strings.Repeat(`{"id":"x","params":"{\"password\":\"p\"}"},`, 100_000) + `{"id":"y"}]}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := RedactBody(big)
	runtime.ReadMemStats(&after)
	if want := "(4300022 bytes, left out: larger than the 2 MiB the log redacts)"; got != want {
		t.Fatalf("got %.100q, want %q", got, want)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("allocated %d KiB to leave a body out", alloc>>10)
	}
	small := RedactBody([]byte(`{"params":"{\"password\":\"p\"}"}`))
	if strings.Contains(small, `\"p\"`) || !strings.Contains(small, "REDACTED") {
		t.Fatalf("a small body was not redacted: %s", small)
	}
}
