// Command hwtasks-emulator serves the local emulator of the Huawei Cloud APIs
// that terraform-provider-hwtasks reads, for demos and manual tries:
//
//	go run ./internal/emulator/cmd/hwtasks-emulator -listen 127.0.0.1:0 [-fixtures file] [-url-file path] [-fault spec]...
//	  [-temporary-key-ttl duration] [-metadata-tokens optional|required|unsupported]
//
// It prints its base URL, the endpoint of each service (IAM, DMS and
// GaussDB(for MySQL) at the base URL, the others under a prefix, such as
// rds = BASE_URL/rds and ecs = BASE_URL/ecs), the fake credentials it
// accepts (the agency it lets them assume included), the IDs of the
// instances, tasks and jobs it holds (ECS, EVS, IMS and CCE jobs
// included), and the faults it injects. It logs one line per request to
// stderr, and stops cleanly on SIGINT or SIGTERM.
//
// The base URL also serves the ECS metadata service, so HW_METADATA_ENDPOINT
// can point at it. -metadata-tokens says whether that service issues,
// requires or ignores session tokens, and -temporary-key-ttl makes every
// temporary key it, or IAM's securitytokens, issues expire that soon, to
// watch a client renew them:
//
//	hwtasks-emulator -temporary-key-ttl 2m -metadata-tokens required
//
// -fault makes it misbehave, for trying the provider against a hostile
// server through the real terraform CLI. It may be repeated; faults on one
// route apply in the order given. For example, task lists whose pages never
// end, and a job whose entities are 5,000 levels deep:
//
//	hwtasks-emulator -fault route=dms.tasks.list,kind=endless-pages,task-count=150 \
//	  -fault route=gaussdb.job,kind=deep-entities,depth=5000
//
// `hwtasks-emulator -help` lists every kind and its keys.
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
	"strings"
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
	var faults []injected
	fs.Func("fault", "inject a fault, described by `spec`; repeatable, applied in order on each route:\n"+emulator.FaultSpecHelp, func(spec string) error {
		route, f, err := emulator.ParseFault(spec)
		if err != nil {
			return err
		}
		faults = append(faults, injected{route, f})
		return nil
	})
	keyTTL := fs.Duration("temporary-key-ttl", 0, "lifetime of every temporary key issued by IAM's securitytokens or the ECS metadata\nservice, in place of duration_seconds and the metadata keys' hour, such as 2m;\n0 keeps those")
	metadataTokens := emulator.MetadataTokensOptional
	var modes []string
	for _, m := range emulator.MetadataTokenModes() {
		modes = append(modes, string(m))
	}
	fs.Func("metadata-tokens", "`mode` of the ECS metadata service's session tokens: optional (the default)\ntakes a valid token or none; required refuses keys without one; unsupported\nanswers PUT 404, as an older service does", func(v string) error {
		if !slices.Contains(emulator.MetadataTokenModes(), emulator.MetadataTokenMode(v)) {
			return fmt.Errorf("%q is not one of %s", v, strings.Join(modes, ", "))
		}
		metadataTokens = emulator.MetadataTokenMode(v)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: hwtasks-emulator [flags]\n\n"+
			"Serves a local emulator of Huawei Cloud IAM, the DMS and DCS background tasks,\n"+
			"the task centers of GaussDB(for MySQL), RDS, openGauss, DDS and GeminiDB, the\n"+
			"jobs of ECS, EVS, IMS and CCE, and the ECS metadata service on one base URL,\n"+
			"most services under a prefix (rds = BASE_URL/rds). It prints each service's\n"+
			"endpoint, the fake credentials it accepts and the IDs of the data it holds,\n"+
			"logs each request to stderr, and stops on SIGINT or SIGTERM.\n\n"+
			"Example: hwtasks-emulator -fault route=dms.tasks.list,kind=endless-pages,task-count=150\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *keyTTL < 0 {
		return fmt.Errorf("-temporary-key-ttl %s: a lifetime cannot be negative", *keyTTL)
	}

	cfg := emulator.DefaultConfig()
	cfg.Logger = log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
	cfg.TemporaryKeyTTL = *keyTTL
	cfg.MetadataTokens = metadataTokens
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
	for _, f := range faults {
		e.InjectFault(f.route, f.fault)
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
	printData(stdout, e, *fixtures)
	printFaults(stdout, faults)
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

// printBanner prints the URL, the credentials and how the issued ones
// behave. They are the emulator's own fake ones, accepted nowhere else, so
// printing them is the point.
func printBanner(w io.Writer, baseURL string, cfg emulator.Config) {
	c := cfg.Credentials
	fmt.Fprintf(w, "hwtasks-emulator listening on %s\n", baseURL)
	fmt.Fprintf(w, "Point each endpoint at its URL; services whose paths collide have a prefix:\n")
	for _, svc := range emulator.Services() {
		if svc == "metadata" {
			continue // HW_METADATA_ENDPOINT, below, is no endpoint key.
		}
		fmt.Fprintf(w, "  %-9s = %s%s\n", svc, baseURL, emulator.ServicePrefix(svc))
	}
	fmt.Fprintf(w, "It accepts:\n")
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
		{"domain ID", emulator.DomainID},
		{"user name", c.UserName},
		{"password", c.Password},
	}
	for _, a := range cfg.Agencies {
		rows = append(rows, [2]string{"agency", a.Name + " in domain " + a.DomainName + " (ID " + a.DomainID + ")"})
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-21s %s\n", r[0]+":", r[1])
	}
	keys := "keys live " + emulator.MetadataKeyLifetime.String()
	issued := "Temporary keys it issues live as long as duration_seconds asks (900 s by default)."
	if cfg.TemporaryKeyTTL > 0 {
		keys = "keys live " + cfg.TemporaryKeyTTL.String()
		issued = "Every temporary key it issues expires after " + cfg.TemporaryKeyTTL.String() + " (-temporary-key-ttl)."
	}
	fmt.Fprintf(w, "It is also the ECS metadata service: set HW_METADATA_ENDPOINT=%s\n", baseURL)
	fmt.Fprintf(w, "  (session tokens %s, %s).\n", cfg.MetadataTokens, keys)
	fmt.Fprintln(w, issued)
}

// injected is a fault given with -fault.
type injected struct {
	route emulator.Route
	fault emulator.Fault
}

// printData lists the instances, tasks and jobs the emulator holds, so that
// a newcomer knows which IDs to put in a configuration.
func printData(w io.Writer, e *emulator.Emulator, fixtures string) {
	source := "the built-in fixtures"
	switch fixtures {
	case "":
	case fixturesNone:
		source = "no fixtures (-fixtures " + fixturesNone + ")"
	default:
		source = fixtures
	}
	instances, jobs := e.Instances(), e.Jobs()
	if len(instances) == 0 && len(jobs) == 0 {
		fmt.Fprintf(w, "It holds no instance and no job: it loaded %s.\n", source)
		return
	}
	fmt.Fprintf(w, "It holds, from %s (use these IDs in a configuration):\n", source)
	primary := e.Config().Projects[emulator.DefaultRegion]
	inProject := func(project string) string {
		if project == primary {
			return ""
		}
		return ", in project " + project
	}
	// One line per instance or job: what it is, its ID, and what it holds.
	var lines [][3]string
	for _, in := range instances {
		tasks := "no task"
		switch in.Tasks {
		case 0:
		case 1:
			tasks = "1 task: " + in.NewestTask
		default:
			tasks = fmt.Sprintf("%d tasks, the newest %s", in.Tasks, in.NewestTask)
		}
		lines = append(lines, [3]string{strings.ToUpper(in.Service) + " instance", in.ID, tasks + inProject(in.ProjectID)})
	}
	for _, j := range jobs {
		status := j.Status
		if len(j.Steps) > 0 {
			steps := make([]string, len(j.Steps))
			for i, s := range j.Steps {
				steps[i] = strings.TrimSpace(s.Status + " " + s.Process)
			}
			status = "reads show " + strings.Join(steps, ", then ")
		}
		switch j.SubJobs {
		case 0:
		case 1:
			status += ", 1 sub-job"
		default:
			status += fmt.Sprintf(", %d sub-jobs", j.SubJobs)
		}
		lines = append(lines, [3]string{j.Product + " job", j.ID, j.Name + ", " + status + inProject(j.ProjectID)})
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0]))
	}
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s %s (%s)\n", width, l[0], l[1], l[2])
	}
}

// printFaults lists the faults given with -fault, so that nobody mistakes
// a misbehaving emulator for a well-behaved one.
func printFaults(w io.Writer, faults []injected) {
	if len(faults) == 0 {
		return
	}
	fmt.Fprintf(w, "It misbehaves on purpose, with these faults:\n")
	for _, f := range faults {
		times := "every response"
		switch {
		case f.fault.Times == 1:
			times = "1 response"
		case f.fault.Times > 1:
			times = fmt.Sprintf("%d responses", f.fault.Times)
		}
		fmt.Fprintf(w, "  -fault %s (%s)\n", emulator.FormatFault(f.route, f.fault), times)
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
