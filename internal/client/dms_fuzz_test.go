package client

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeTaskPage feeds the task-list decoder arbitrary bodies. A page it
// accepts has the count the body gives, as a string or a number, never a
// negative one, and survives a round trip unchanged: the decoder loses and
// alters nothing.
func FuzzDecodeTaskPage(f *testing.F) {
	for _, s := range []string{
		`{"task_count":"1","tasks":[{"id":"ff80808272dcc90f0172df1e490f41b0","name":"bindInstancePublicIp","params":"{\"a\":1}","status":"SUCCESS","created_at":"2020-06-23T03:00:03.471Z"}]}`,
		`{"task_count":2,"tasks":[]}`,
		`{"task_count":"","tasks":null}`,
		`{"task_count":"-1"}`,
		`{"task_count":" 7 "}`,
		`{"task_count":1e2}`,
		`{"task_count":"1","task_count":3}`,
		`{"task_count":null,"tasks":[{"id":"\u00e9\ud800","params":"\\u0000"}]}`,
		`{"task_count":"1","tasks":[{"id":`,
		`<html>502</html>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var page TaskPage
		if err := json.Unmarshal(body, &page); err != nil {
			return
		}
		if page.TaskCount < 0 {
			t.Fatalf("negative task_count %d from %q", page.TaskCount, body)
		}
		var raw struct {
			TaskCount json.RawMessage `json:"task_count"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatalf("%q decodes as a page but not as JSON: %v", body, err)
		}
		want := 0
		if text := string(raw.TaskCount); text != "" && text != "null" {
			if strings.HasPrefix(text, `"`) {
				if err := json.Unmarshal(raw.TaskCount, &text); err != nil {
					t.Fatal(err)
				}
			}
			if text != "" {
				var err error
				if want, err = strconv.Atoi(text); err != nil {
					t.Fatalf("task_count %s accepted as %d", raw.TaskCount, page.TaskCount)
				}
			}
		}
		if int(page.TaskCount) != want {
			t.Fatalf("task_count %s decoded as %d, want %d", raw.TaskCount, page.TaskCount, want)
		}
		again, err := json.Marshal(page)
		if err != nil {
			t.Fatal(err)
		}
		var back TaskPage
		if err := json.Unmarshal(again, &back); err != nil || !reflect.DeepEqual(back, page) {
			t.Fatalf("%q → %+v → %s → %+v, %v", body, page, again, back, err)
		}
	})
}

// FuzzDecodeAPIError feeds the error-body decoder arbitrary bodies. A body
// of one of the three known shapes gives its code and message exactly, as
// the API wrote them; any other body gives no code and a short, readable
// excerpt of itself. Either way the message names the status and is valid
// UTF-8.
func FuzzDecodeAPIError(f *testing.F) {
	for _, s := range []string{
		`{"error_code":"DMS.00404022","error_msg":"This DMS instance does not exist."}`,
		`{"code":"DBS.280234","message":"x"}`,
		`{"error":{"code":401,"message":"The username or password is wrong."}}`,
		`{"error":{"code":null,"message":""},"code":"X"}`,
		`{"error_code":12.5e1}`,
		`{"error":"plain"}`,
		`{"foo":"bar"}`,
		"<html><title>502 Bad Gateway</title></html>",
		"\xff\xfe",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := decodeAPIError(502, nil, body, func(s string) string { return s })
		code, message := parseErrorBody(body)
		switch {
		case code != "" || message != "":
			if e.Code != cut(code) || e.Message != cut(message) || e.NotAPIError {
				t.Fatalf("%q: got %q %q (not an API error: %t), want the body's %q %q", body, e.Code, e.Message, e.NotAPIError, code, message)
			}
			if n := utf8.RuneCountInString(message); n > MaxMessageRunes && !strings.HasSuffix(e.Message, fmt.Sprintf("(%d more characters)", n-MaxMessageRunes)) {
				t.Fatalf("%q: a message of %d runes was cut without saying so: %q", body, n, e.Message)
			}
		case e.Code != "" || e.Message != Excerpt(body, 200) || e.NotAPIError != (e.Message != ""):
			t.Fatalf("%q: got %q %q (not an API error: %t), want no code and the excerpt", body, e.Code, e.Message, e.NotAPIError)
		case utf8.RuneCountInString(e.Message) > 200:
			t.Fatalf("%q: an excerpt of %d runes", body, utf8.RuneCountInString(e.Message))
		case len(body) > 0 && strings.TrimSpace(string(body)) != "" && !strings.HasPrefix(strings.TrimSpace(string(body)), "<") && e.Message == "":
			t.Fatalf("%q: no message at all", body)
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "502") || !utf8.ValidString(msg) {
			t.Fatalf("%q: message %q", body, msg)
		}
	})
}
