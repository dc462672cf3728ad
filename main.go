// Command terraform-provider-hwtasks serves the hwtasks Terraform provider,
// which reads asynchronous tasks of Huawei Cloud and Open Telekom Cloud.
package main

import (
	"flag"
	"log"
	"os"
	rdebug "runtime/debug"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// gcPercent is the provider's GOGC, unless the environment sets one. A
// provider process lives for one Terraform phase and keeps little, and at
// Go's default of 100 it spent about a fifth of a 257-task read collecting
// garbage. At 400, `make bench` row 3 (a plan reading 257 tasks and a job)
// went from 0.309 s to 0.286 s median wall time and from 0.189 s to 0.141 s
// of provider CPU, for a peak of 36.2 MiB instead of 29.7 MiB.
// gcMemoryLimit keeps a very large read from growing to five times its live
// data: past it, the collector works harder instead.
const (
	gcPercent     = 400
	gcMemoryLimit = 256 << 20
)

func main() {
	if os.Getenv("GOGC") == "" {
		rdebug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		rdebug.SetMemoryLimit(gcMemoryLimit)
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve; it prints a TF_REATTACH_PROVIDERS value to use")
	flag.Parse()
	if !debug {
		// Under a debugger the provider's output goes to its own terminal,
		// not through Terraform, so every level stays on.
		for name, level := range logLevels(os.Getenv) {
			if err := os.Setenv(name, level); err != nil {
				log.Fatal(err)
			}
		}
	}

	// The provider's own protocol server: the framework's, except that it
	// writes the state of task lists itself (see provider.NewProtocol6Server).
	newServer := provider.NewProtocol6Server(version)
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve("registry.terraform.io/hwtasks/hwtasks", func() tfprotov6.ProviderServer {
		srv, err := newServer()
		if err != nil {
			log.Fatal(err)
		}
		return srv
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
}

// Terraform keeps a provider's log lines at the level of TF_LOG_PROVIDER,
// or else of TF_LOG, and discards all of them when neither is set. The
// provider's loggers, however, default to TRACE: without this, every plan
// formats the framework's trace lines and the client's redacted bodies,
// sends them over a pipe, and has Terraform parse them as JSON, only to
// drop them. For 257 tasks that was a tenth of the provider's CPU.
//
// providerLogLevelEnv and sdkLogLevelEnv set the levels of the provider's
// and the SDK's root loggers (terraform-plugin-go reads them); the
// subsystems, such as the framework's and the client's, follow their root
// unless their own variable is set.
const (
	providerLogLevelEnv = "TF_LOG_PROVIDER_HWTASKS"
	sdkLogLevelEnv      = "TF_LOG_SDK"
)

// logLevels returns the root logger levels to set so that the provider
// writes only what Terraform keeps: for each root logger whose variable
// the environment leaves empty, Terraform's provider log level.
func logLevels(getenv func(string) string) map[string]string {
	level := strings.ToUpper(getenv("TF_LOG_PROVIDER"))
	if level == "" {
		level = strings.ToUpper(getenv("TF_LOG"))
	}
	switch level {
	case "":
		level = "off"
	case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF":
		level = strings.ToLower(level)
	default:
		// Terraform logs at TRACE for JSON and for any value it does not
		// know, after a warning.
		level = "trace"
	}
	set := map[string]string{}
	for _, name := range []string{providerLogLevelEnv, sdkLogLevelEnv} {
		if getenv(name) == "" {
			set[name] = level
		}
	}
	return set
}
