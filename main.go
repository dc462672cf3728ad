// Command terraform-provider-hwtasks serves the hwtasks Terraform provider,
// which reads asynchronous tasks of Huawei Cloud and Open Telekom Cloud.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	rdebug "runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

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

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/hwtasks/hwtasks",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
