//go:build unix

package client

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// newWithCA runs New with cacert_file set to path, and fails the test if
// New does not return within a generous bound: reading /dev/zero or
// opening a named pipe never ends.
func newWithCA(t *testing.T, path string) (*Client, uint64, error) {
	t.Helper()
	type result struct {
		c     *Client
		err   error
		alloc uint64
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.alloc = allocated(func() { r.c, r.err = New(Config{Region: "r", Token: "t", CACertFile: path}) })
		done <- r
	}()
	select {
	case r := <-done:
		return r.c, r.alloc, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("New with cacert_file %s has not returned after 10 s", path)
	}
	return nil, 0, nil
}

// TestCACertFileRejectsWhatIsNotABundle: cacert_file = "/dev/zero" read
// 3 GB in 12 s. Anything but a regular file is now refused before it is
// read, and a regular file over 4 MiB too, with a *ConfigError on
// cacert_file that names the path and what is wrong with it.
func TestCACertFileRejectsWhatIsNotABundle(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxCACertFileBytes+1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	link := filepath.Join(dir, "zero.pem")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		want       []string
	}{
		{"/dev/zero", "/dev/zero", []string{`"/dev/zero" is a character device, not a regular file`}},
		{"a link to /dev/zero", link, []string{link, "is a character device, not a regular file"}},
		{"a directory", dir, []string{dir, "is a directory, not a regular file"}},
		{"a named pipe", fifo, []string{fifo, "is a named pipe, not a regular file"}},
		{"over 4 MiB", big, []string{big, "is larger than 4 MiB"}},
		{"missing", filepath.Join(dir, "missing.pem"), []string{"missing.pem", "cannot be read", "no such file"}},
		{"not PEM", notPEM, []string{notPEM, "holds no PEM certificate"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, alloc, err := newWithCA(t, tc.path)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != "cacert_file" {
				t.Fatalf("error %T %v, want a *ConfigError on cacert_file", err, err)
			}
			wantParts(t, err, tc.want...)
			if alloc > allocBound(8<<20) {
				t.Errorf("allocated %d MiB to refuse it", alloc>>20)
			}
		})
	}
}

// TestCACertFileTrusted: a real bundle at the size limit's side is read, and
// its CA is trusted.
func TestCACertFileTrusted(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"task_count": "0", "tasks": []any{}})
	}))
	defer srv.Close()
	bundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	// Padded with comments to just the limit: PEM ignores text between
	// blocks.
	padding := strings.Repeat("#", MaxCACertFileBytes-len(bundle)-1) + "\n"
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, append([]byte(padding), bundle...), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Region: testRegion, Token: "t", CACertFile: path, Endpoints: map[string]string{"dms": srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListTasks(context.Background(), TaskQuery{Region: testRegion, ProjectID: testProject, InstanceID: "i"}); err != nil {
		t.Fatalf("the bundle's CA is not trusted: %v", err)
	}
}
