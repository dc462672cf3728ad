package client

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeTaskPage feeds the task-list decoder arbitrary bodies: it must
// never panic, and a page it accepts has a non-negative count.
func FuzzDecodeTaskPage(f *testing.F) {
	for _, s := range []string{
		`{"task_count":"1","tasks":[{"id":"ff80808272dcc90f0172df1e490f41b0","name":"bindInstancePublicIp","params":"{\"a\":1}","status":"SUCCESS","created_at":"2020-06-23T03:00:03.471Z"}]}`,
		`{"task_count":2,"tasks":[]}`,
		`{"task_count":"","tasks":null}`,
		`{"task_count":"-1"}`,
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
	})
}

// FuzzDecodeAPIError feeds the error-body decoder arbitrary bodies: it must
// never panic, and its message is short whatever the body.
func FuzzDecodeAPIError(f *testing.F) {
	for _, s := range []string{
		`{"error_code":"DMS.00404022","error_msg":"This DMS instance does not exist."}`,
		`{"code":"DBS.280234","message":"x"}`,
		`{"error":{"code":401,"message":"The username or password is wrong."}}`,
		`{"error":"plain"}`,
		"<html><title>502 Bad Gateway</title></html>",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := decodeAPIError(502, nil, body)
		if e.Code == "" && e.Message == "" && len(body) > 0 && len(Excerpt(body, 200)) > 0 {
			t.Fatalf("no message for %q", body)
		}
		if _, _ = parseErrorBody(body); e.Code == "" && len([]rune(e.Message)) > 200 {
			t.Fatalf("excerpt of %d runes", len([]rune(e.Message)))
		}
		_ = e.Error()
	})
}
