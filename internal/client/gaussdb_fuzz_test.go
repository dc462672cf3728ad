package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeJob answers GetJob with arbitrary 200 bodies, over HTTP, so
// that the whole path of a job's body is under test: reading, decoding and
// the check for a missing "job". A body that holds a job object gives
// exactly that job, its entities still JSON; any other body gives a
// *DecodeError that names the request id and quotes a short excerpt, never
// a zero Job.
func FuzzDecodeJob(f *testing.F) {
	for _, s := range []string{
		`{"job":{"id":"31b8ae23-c687-4d80-b7b4-42a66c9bb886","name":"CreateGaussDBforMySQLInstance","status":"Completed","created":"2018-08-06T10:41:14+0800","ended":"2018-08-06T16:41:14+0000","process":"","instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07","name":"mysql"},"entities":{"resource_ids":["a.vm"]},"fail_reason":""}}`,
		`{"job":{"status":"Running","process":"60%","entities":[1,null,{"a":1e400}]}}`,
		`{"job":{}}`,
		`{"job":null}`,
		`{"jobs":[{"id":"x"}]}`,
		`{"job":{"id":1}}`,
		`{"job":{"entities":"x"},"job":{"id":"last wins"}}`,
		`[]`,
		`<html><body>502</body></html>`,
		``,
	} {
		f.Add([]byte(s))
	}
	var (
		mu   sync.Mutex
		body []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b := body
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-fuzz")
		_, _ = w.Write(b)
	}))
	f.Cleanup(srv.Close)
	c, err := New(Config{
		Region: testRegion, AccessKey: testAK, SecretKey: testSK, MaxRetries: new(int),
		Endpoints: map[string]string{"gaussdb": srv.URL},
	})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, b []byte) {
		mu.Lock()
		body = b
		mu.Unlock()
		job, err := c.GetJob(context.Background(), GaussDBJobs, testRegion, testProject, "j", "")

		var want struct {
			Job *Job `json:"job"`
		}
		decodeErr := json.Unmarshal(b, &want)
		if decodeErr == nil && want.Job != nil {
			if err != nil || !reflect.DeepEqual(job, want.Job) {
				t.Fatalf("%q: got %+v, %v; want %+v", b, job, err, want.Job)
			}
			if len(job.Entities) > 0 && !json.Valid(job.Entities) {
				t.Fatalf("%q: entities %q are not JSON", b, job.Entities)
			}
			return
		}
		var de *DecodeError
		if job != nil || !errors.As(err, &de) {
			t.Fatalf("%q: got %+v, %v; want a *DecodeError", b, job, err)
		}
		if de.StatusCode != http.StatusOK || de.RequestID != "req-fuzz" || de.Excerpt != Excerpt(b, 200) || utf8.RuneCountInString(de.Excerpt) > 200 {
			t.Fatalf("%q: %+v", b, de)
		}
		if decodeErr == nil && !errors.Is(err, errNoJob) {
			t.Fatalf("%q: a body without a job gave %v", b, err)
		}
		if !utf8.ValidString(err.Error()) {
			t.Fatalf("%q: message %q is not UTF-8", b, err.Error())
		}
	})
}
