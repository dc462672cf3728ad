package client

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzLoadProfile feeds any file to the shared config reader: it never
// panics, and its errors never quote the file, which holds keys.
func FuzzLoadProfile(f *testing.F) {
	f.Add([]byte(profileFile), "")
	f.Add([]byte(profileFile), "sso")
	f.Add([]byte(`{"current":"a","profiles":[{"name":"a","mode":"SSO","ssoAuth":{"stsToken":null}}]}`), "")
	f.Add([]byte(`{"profiles":{"name":"x"}}`), "x")
	f.Add([]byte("\xff\xfe{"), "")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, profile string) {
		// A file of its own per input: fuzzing workers may share dir.
		file, err := os.CreateTemp(dir, "config-*.json")
		if err != nil {
			t.Fatal(err)
		}
		p := file.Name()
		defer os.Remove(p)
		_, err = file.Write(data)
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		prof, err := LoadProfile(p, profile)
		if err == nil {
			if prof.AccessKey == "" || prof.SecretKey == "" {
				t.Fatalf("a profile without keys was accepted: %+v", prof)
			}
			return
		}
		// A long enough run of the file's own bytes in the message would
		// be quoting it; names are quoted on purpose, and are short.
		if len(data) >= 200 && strings.Contains(err.Error(), string(data[:200])) {
			t.Fatalf("the error quotes the file: %v", err)
		}
	})
}

// FuzzCredentialAnswer decodes any body as the credential of IAM's or the
// metadata service's answer: it never panics, accepts keys only when all
// three are there, and always dates them.
func FuzzCredentialAnswer(f *testing.F) {
	f.Add(`{"credential":{"access":"A","secret":"S","securitytoken":"T","expires_at":"2017-04-17T07:55:18.575000Z"}}`)
	f.Add(`{"credential":{"accessKeyId":"A","secretAccessKey":"S","securityToken":"T","expiration":"2017-04-17T07:55:18"}}`)
	f.Add(`{"credential":{"access":"A","secret":"S","securitytoken":"T","expires_at":"soon"}}`)
	f.Add(`{"credential":{"access":"A"}}`)
	f.Add(`{"credential":null}`)
	c, err := New(Config{Region: testRegion, AccessKey: "a", SecretKey: "s"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var out struct {
			Credential credentialJSON `json:"credential"`
		}
		if json.Unmarshal([]byte(body), &out) != nil {
			return
		}
		k, err := c.keysFromCredential(context.Background(), out.Credential)
		if err != nil {
			return
		}
		if k.AccessKey == "" || k.SecretKey == "" || k.SecurityToken == "" || k.Expires.IsZero() || k.obtained.IsZero() {
			t.Fatalf("incomplete keys accepted: %+v", k)
		}
		_ = k.fresh(time.Now())
	})
}
