package client

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// BenchmarkListAllTasks reads 10,000 tasks (100 pages) from the emulator,
// which adds 20 ms to every request, as a distant API gateway would. The
// sub-benchmarks compare the concurrent page reader with a sequential one.
func BenchmarkListAllTasks(b *testing.B) {
	emu, srv := emulator.NewServer(emulator.DefaultConfig())
	defer srv.Close()
	creds := emu.Config().Credentials
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tasks := make([]emulator.Task, 10_000)
	for i := range tasks {
		at := base.Add(time.Duration(i) * time.Second)
		tasks[i] = emulator.Task{ID: fmt.Sprintf("task-%05d", i), Name: "restart", Status: "SUCCESS", Params: `{"a":1}`, CreatedAt: at, UpdatedAt: at}
	}
	emu.AddTasks(emulator.DefaultProjectID, "bench", tasks...)
	emu.InjectFault(emulator.RouteTaskList, emulator.Fault{Kind: emulator.FaultLatency, Latency: 20 * time.Millisecond})

	c, err := New(Config{
		Region: emulator.DefaultRegion, ProjectID: emulator.DefaultProjectID,
		AccessKey: creds.AccessKey, SecretKey: creds.SecretKey,
		Endpoints: map[string]string{"iam": srv.URL, "dms": srv.URL, "gaussdb": srv.URL},
	})
	if err != nil {
		b.Fatal(err)
	}
	q := TaskQuery{Region: emulator.DefaultRegion, ProjectID: emulator.DefaultProjectID, InstanceID: "bench"}
	for _, concurrency := range []int{DefaultPageConcurrency, 1} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				list, err := c.ListAllTasks(context.Background(), q, concurrency)
				if err != nil {
					b.Fatal(err)
				}
				if len(list.Tasks) != 10_000 || list.Requests != 100 {
					b.Fatalf("%d tasks in %d requests", len(list.Tasks), list.Requests)
				}
			}
		})
	}
}
