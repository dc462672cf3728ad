package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client/signer"
	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// syncBuffer is a bytes.Buffer that run's goroutines and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitForFile polls for the URL file, as a script would.
func waitForFile(t *testing.T, path string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("run returned early: %v", err)
		default:
		}
		if b, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the URL file never appeared")
	return ""
}

func TestRunServesAndStops(t *testing.T) {
	cases := []struct {
		name     string
		fixtures []string
		jobCode  int // status of GET of the seed job
	}{
		{"built-in fixtures", nil, http.StatusOK},
		{"fixtures file", []string{"-fixtures", "../../testdata/fixtures.json"}, http.StatusOK},
		{"no fixtures", []string{"-fixtures", "none"}, http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			urlFile := filepath.Join(t.TempDir(), "url")
			var stdout, stderr syncBuffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			args := append([]string{"-listen", "127.0.0.1:0", "-url-file", urlFile}, tc.fixtures...)
			go func() { done <- run(ctx, args, &stdout, &stderr) }()

			base := waitForFile(t, urlFile, done)
			if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.Contains(stdout.String(), base) {
				t.Fatalf("URL %q; stdout:\n%s", base, stdout.String())
			}
			cred := emulator.DefaultConfig().Credentials
			for _, want := range []string{cred.AccessKey, cred.SecretKey, cred.SecurityToken, cred.UserName, cred.Password, emulator.DefaultProjectID} {
				if !strings.Contains(stdout.String(), want) {
					t.Fatalf("stdout does not show %q:\n%s", want, stdout.String())
				}
			}

			req, _ := http.NewRequest(http.MethodGet, base+"/v3/"+emulator.DefaultProjectID+"/jobs?id=31b8ae23-c687-4d80-b7b4-42a66c9bb886", nil)
			if err := signer.Sign(req, nil, cred.AccessKey, cred.SecretKey, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.jobCode {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.jobCode)
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("run did not stop when its context ended")
			}
			if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
				t.Fatalf("the URL file outlived the server: %v", err)
			}
			if !strings.Contains(stderr.String(), "route=gaussdb.job") {
				t.Fatalf("request not logged; stderr:\n%s", stderr.String())
			}
			if strings.Contains(stderr.String(), cred.SecretKey) {
				t.Fatal("the log shows the secret key")
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-port", "1"}, "flag provided but not defined"},
		{"extra argument", []string{"serve"}, "unexpected arguments"},
		{"missing fixtures file", []string{"-fixtures", "/nonexistent/fixtures.json"}, "no such file"},
		{"bad address", []string{"-listen", "127.0.0.1:notaport"}, "listen"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, &out, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one with %q", err, tc.want)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"-help"}, &out, &out)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "-fixtures") || !strings.Contains(out.String(), "none") {
			t.Fatalf("error %v, output:\n%s", err, out.String())
		}
	})
}
