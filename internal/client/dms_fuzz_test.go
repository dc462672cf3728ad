package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeTaskPage feeds the task-list decoders arbitrary bodies. A page
// json.Unmarshal accepts has the count the body gives, as a string or a
// number, never a negative one, and survives a round trip unchanged: the
// decoder loses and alters nothing. The streaming decoder the client uses
// accepts exactly the same pages, decoded the same, except those the
// provider refuses on purpose: a task without an id, no tasks with a count
// above 0, tasks given twice; and a page is refused once it has more tasks
// than its limit.
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
		`{"TASKS":[{"ID":"a"}],"Task_Count":"1","x":{"y":[1,2,{}]}}`,
		`{"tasks":[{"id":"a"}],"Tasks":[{"id":"b"}]}`,
		`{"tasks":[{"id":"a"},null]}`,
		`{"task_count":"3"}`,
		`{"tasks":[]} {}`,
		`null`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		mine, err := decodeTaskPage(ctx, body, math.MaxInt)
		var page TaskPage
		uerr := json.Unmarshal(body, &page)
		switch {
		case err == nil && uerr != nil:
			t.Fatalf("%q: the streaming decoder accepts what json.Unmarshal refuses (%v)", body, uerr)
		case err == nil && !reflect.DeepEqual(*mine, page):
			t.Fatalf("%q: decoded as %+v, json.Unmarshal has %+v", body, *mine, page)
		case err != nil && uerr == nil && !errors.Is(err, ErrTaskWithoutID) && !errors.Is(err, ErrNullTasks) && !errors.Is(err, errTasksTwice):
			t.Fatalf("%q: refused (%v), though json.Unmarshal accepts it", body, err)
		}
		if err == nil {
			for i, task := range mine.Tasks {
				if task.ID == "" {
					t.Fatalf("%q: task %d has no id", body, i)
				}
			}
			if mine.TaskCount > 0 && mine.Tasks == nil {
				t.Fatalf("%q: no tasks with task_count %d", body, mine.TaskCount)
			}
			if n := len(mine.Tasks); n > 0 {
				if _, err := decodeTaskPage(ctx, body, n); err != nil {
					t.Fatalf("%q: %d tasks refused at a limit of %d: %v", body, n, n, err)
				}
				if _, err := decodeTaskPage(ctx, body, n-1); !errors.Is(err, ErrPageOverLimit) || !strings.Contains(err.Error(), fmt.Sprintf("limit of %d", n-1)) {
					t.Fatalf("%q: %d tasks at a limit of %d: %v", body, n, n-1, err)
				}
			}
		}
		if uerr != nil {
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

// FuzzReadAllTasksLyingCounts reads every task from a server whose every
// answer comes from the fuzz input: how many tasks a page holds (up to one
// over its limit), its task_count (plausible, anything up to 65,535, 0, or
// absurd), IDs shifted so that pages overlap, a task without an id, null
// tasks. Whatever it says, with max_tasks at 1000 the reader makes at most
// three reads of ten pages, returns only tasks that were served, each once
// and with an id, at most max_tasks of them, or fails with a typed error
// and no tasks.
func FuzzReadAllTasksLyingCounts(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0}, false)
	f.Add([]byte{0, 1, 0xff, 0xff}, false)
	f.Add([]byte{0, 1, 0x03, 0x20, 200, 0, 50, 0}, true)
	f.Add([]byte{0, 3, 0, 0}, false)
	f.Add([]byte{0, 2, 0, 0}, true)
	f.Add([]byte{0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2}, false)
	f.Add([]byte{228, 0, 0xff, 0}, false)
	f.Add([]byte{0, 0, 0xfe, 0, 129, 0, 0, 0}, false)
	f.Add([]byte{0, 1, 0xfd, 0xff}, false) // task_count 65,023 on pages that are all full
	f.Fuzz(func(t *testing.T, script []byte, sequential bool) {
		const maxTasks = 1000
		if len(script) < 4 {
			script = append(script, make([]byte, 4-len(script))...)
		}
		var (
			mu       sync.Mutex
			served   = map[string]bool{}
			hits     = map[int]int{}
			requests int
		)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start, _ := strconv.Atoi(r.URL.Query().Get("start"))
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			p := (max(start, 1)-1)/TaskPageSize + 1
			mu.Lock()
			requests++
			if requests > 2*maxReads*pagesFor(maxTasks) {
				// Far past the bound: end a reader that would never stop,
				// so that the property below fails instead of the fuzzer
				// hanging.
				mu.Unlock()
				writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "TEST.400", "error_msg": "too many requests"})
				return
			}
			k := hits[p]
			hits[p]++
			o := ((p - 1 + 7*k) * 4) % (len(script) - len(script)%4)
			b := script[o : o+4]
			// Full pages are the common case, to get past the first page.
			n := limit
			if b[0] >= 128 {
				n = int(b[0]-128) % (limit + 2)
			}
			var count string
			switch b[1] % 4 {
			case 0:
				count = strconv.Itoa(p*TaskPageSize + int(b[2]))
			case 1:
				count = strconv.Itoa(int(b[2])<<8 | int(b[3]))
			case 2:
				count = `"0"`
			case 3:
				count = `"2000000000"`
			}
			shift := int(b[3]) % 5
			var tasks []string
			for i := range n {
				id := fmt.Sprintf("t%d", start-1+i-shift)
				if b[2] == 0xff && i == n/2 {
					tasks = append(tasks, `{"name":"no id"}`)
					continue
				}
				served[id] = true
				tasks = append(tasks, fmt.Sprintf(`{"id":%q}`, id))
			}
			list := "[" + strings.Join(tasks, ",") + "]"
			if b[2] == 0xfe {
				list = "null"
			}
			mu.Unlock()
			w.Header().Set("X-Request-Id", "req-fuzz")
			fmt.Fprintf(w, `{"task_count":%s,"tasks":%s}`, count, list)
		}))
		defer srv.Close()
		c := newTestClient(t, srv, func(cfg *Config) { cfg.MaxTasks = maxTasks })
		concurrency := DefaultPageConcurrency
		if sequential {
			concurrency = 1
		}
		list, err := c.ListAllTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}, concurrency)
		mu.Lock()
		defer mu.Unlock()
		if limit := maxReads * pagesFor(maxTasks); requests > limit {
			t.Fatalf("%d requests, more than %d (%d reads of max_tasks/100 pages)", requests, limit, maxReads)
		}
		if err != nil {
			var (
				de           *DecodeError
				tooMany      *TooManyTasksError
				inconsistent *InconsistentPagesError
			)
			if !errors.As(err, &de) && !errors.As(err, &tooMany) && !errors.As(err, &inconsistent) {
				t.Fatalf("error %T %v, want a typed one", err, err)
			}
			if list != nil {
				t.Fatalf("%d tasks with the error %v", len(list.Tasks), err)
			}
			return
		}
		// Pages called off after an error past the end of the list (which
		// is then no error) count as requested, though some never reached
		// the server: at most the pages in flight.
		if list.Requests < requests || list.Requests > requests+concurrency {
			t.Fatalf("the reader counts %d requests, the server %d", list.Requests, requests)
		}
		if len(list.Tasks) > maxTasks {
			t.Fatalf("%d tasks kept, more than max_tasks %d", len(list.Tasks), maxTasks)
		}
		seen := map[string]bool{}
		for _, task := range list.Tasks {
			switch {
			case task.ID == "":
				t.Fatal("a task without an id")
			case seen[task.ID]:
				t.Fatalf("task %s twice", task.ID)
			case !served[task.ID]:
				t.Fatalf("task %s was never served", task.ID)
			}
			seen[task.ID] = true
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
			// Control characters show as escapes, which count towards the
			// limit, so the cut can come before the 500th rune of message.
			if n := utf8.RuneCountInString(CleanText(message)); n > MaxMessageRunes && !strings.HasSuffix(e.Message, " more characters)") {
				t.Fatalf("%q: a message of %d runes, once cleaned, was cut without saying so: %q", body, n, e.Message)
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
