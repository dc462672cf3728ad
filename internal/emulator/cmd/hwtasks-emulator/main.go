// Command hwtasks-emulator serves the local emulator of the Huawei Cloud APIs
// that terraform-provider-hwtasks reads, for demos and manual tries:
//
//	go run ./internal/emulator/cmd/hwtasks-emulator -listen 127.0.0.1:0 [-fixtures file] [-url-file path]
//
// It prints its base URL and the fake credentials it accepts, logs one line
// per request to stderr, and stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "hwtasks-emulator:", err)
		os.Exit(1)
	}
}

// shutdownTimeout bounds how long in-flight requests may finish on stop.
const shutdownTimeout = 5 * time.Second

// fixturesNone is the -fixtures value that loads no data.
const fixturesNone = "none"

// run serves until ctx ends. It is main without the process around it, so
// that a test can start and stop it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hwtasks-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "`address` to listen on; port 0 picks a free port")
	fixtures := fs.String("fixtures", "", "fixture `file` to load (format: go doc ./internal/emulator); empty loads the built-in\nfixtures, the seeds' examples; \""+fixturesNone+"\" loads nothing, leaving only the default project")
	urlFile := fs.String("url-file", "", "write the base URL to this `path` once listening, so scripts can wait for it;\nthe file is removed on exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: hwtasks-emulator [flags]\n\n"+
			"Serves a local emulator of Huawei Cloud IAM, DMS background tasks and the\n"+
			"GaussDB(for MySQL) task center on one base URL. It prints the URL and the fake\n"+
			"credentials it accepts, logs each request to stderr, and stops on SIGINT or SIGTERM.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	cfg := emulator.DefaultConfig()
	cfg.Logger = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	e := emulator.New(cfg)
	switch *fixtures {
	case "":
		if err := e.LoadDefaultFixtures(); err != nil {
			return err
		}
	case fixturesNone:
	default:
		if err := e.LoadFixturesFile(*fixtures); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	baseURL := "http://" + ln.Addr().String()
	printBanner(stdout, baseURL, e.Config())
	if *urlFile != "" {
		if err := writeFileAtomic(*urlFile, baseURL+"\n"); err != nil {
			_ = srv.Close()
			return err
		}
		defer os.Remove(*urlFile)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	fmt.Fprintln(stdout, "hwtasks-emulator stopped")
	return nil
}

// printBanner prints the URL and the credentials. They are the emulator's
// own fake ones, accepted nowhere else, so printing them is the point.
func printBanner(w io.Writer, baseURL string, cfg emulator.Config) {
	c := cfg.Credentials
	fmt.Fprintf(w, "hwtasks-emulator listening on %s\n", baseURL)
	fmt.Fprintf(w, "Point every endpoint (IAM, DMS, GaussDB) at that URL. It accepts:\n")
	for _, region := range slices.Sorted(maps.Keys(cfg.Projects)) {
		fmt.Fprintf(w, "  region %-22s project ID %s\n", region, cfg.Projects[region])
	}
	rows := [][2]string{
		{"access key", c.AccessKey},
		{"secret key", c.SecretKey},
		{"temporary access key", c.TempAccessKey},
		{"temporary secret key", c.TempSecretKey},
		{"security token", c.SecurityToken},
		{"domain name", c.DomainName},
		{"user name", c.UserName},
		{"password", c.Password},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-21s %s\n", r[0]+":", r[1])
	}
}

// writeFileAtomic writes through a temporary file and a rename, so a
// script polling for the file never reads half a URL.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hwtasks-emulator-url-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
