package client

import (
	"io"
	"net/http"
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

// Findings of a review, each a secret that survived: the masking looked
// for the secret as written in a text it had decoded, or masked before a
// step (cleaning, dropping tags, redacting nested JSON) that could bring
// the secret together again.
func TestSecretsThatSurvivedMasking(t *testing.T) {
	t.Run("a secret that looks like an escape, echoed escaped", func(t *testing.T) {
		s := &secretSet{}
		s.add(`ab%41c"d-secret`)
		for _, echo := range []string{`x ab%41c\"d-secret y`, `x ab%41c&quot;d-secret y`} {
			if got := s.mask(echo); got != "x *** y" {
				t.Errorf("mask(%q) = %q", echo, got)
			}
		}
	})
	t.Run("a control character that cleaning spells as the secret", func(t *testing.T) {
		c := &Client{secrets: &secretSet{}}
		c.secrets.add(`tab\tsecret`)
		if got := c.ServerText("tab\tsecret here", 100); strings.Contains(got, "secret") {
			t.Errorf("ServerText = %q", got)
		}
	})
	t.Run("a secret split by a tag in an excerpt", func(t *testing.T) {
		c := &Client{secrets: &secretSet{}}
		c.secrets.add("pass word")
		if got := c.excerpt([]byte("<p>pass<br>word</p>")); strings.Contains(got, "pass word") {
			t.Errorf("excerpt = %q", got)
		}
	})
	t.Run("a secret escaped twice, at the cut of a logged body", func(t *testing.T) {
		const secretText = "SuperSecretValue1234567890"
		s := &secretSet{}
		s.add(secretText)
		// The secret, \u-escaped inside JSON held in a string, comes out
		// raw when the log's redaction decodes that JSON; place it across
		// the 4 KiB cut.
		for pad := 3950; pad < 4150; pad++ {
			body := `{"params":"{\"pad\":\"` + strings.Repeat("x", pad) + `\",\"s\":\"\\u0053uperSecretValue1234567890\"}"}`
			if got := (lazyBody{[]byte(body), s}).String(); strings.Contains(got, "SuperSecr") {
				t.Fatalf("pad %d: the log line holds %q", pad, got[strings.Index(got, "SuperSecr"):])
			}
		}
	})
}

// A server's Content-Length used to size the buffer a body is read into:
// announcing 32 MiB and sending 14 bytes cost 32 MiB.
func TestReadBodyDoesNotTrustContentLength(t *testing.T) {
	resp := &http.Response{ContentLength: 32 << 20, Body: io.NopCloser(strings.NewReader(`{"tasks":[]}`))}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	body, err := readBody(resp)
	runtime.ReadMemStats(&after)
	if err != nil || string(body) != `{"tasks":[]}` {
		t.Fatalf("got %q, %v", body, err)
	}
	// Before, it was 32 MiB; the buffer is now sized at most 1 MiB up
	// front (and the race detector allocates more).
	limit := uint64(2 << 20)
	if raceEnabled {
		limit *= 2
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
		t.Fatalf("allocated %d KiB for a body of 12 bytes", alloc>>10)
	}
}

// A caller's limit above the API's maximum no longer widens what a page may
// hold.
func TestPageLimitIsAtMostTheAPIMaximum(t *testing.T) {
	for limit, want := range map[int]int{0: TaskPageSize, 7: 7, TaskPageSize: TaskPageSize, 1 << 30: TaskPageSize} {
		if got := (TaskQuery{Limit: limit}).pageLimit(); got != want {
			t.Errorf("limit %d: page limit %d, want %d", limit, got, want)
		}
	}
}

func TestCleanTextShowsInvisibleFormatCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"a\u200bb": `a\u200bb`, "\ufeffx": `\ufeffx`, "a\u2060b": `a\u2060b`, "t\U000E0041": `t\ue0041`, "é ok": "é ok",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}
