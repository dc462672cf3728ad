package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// nullExcept returns an object value of typ with every attribute null but
// the given ones.
func nullExcept(typ tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

// BenchmarkReadDataSource257 is the provider's whole share of reading the
// plan benchmark's 257 tasks, as Terraform asks for it over the protocol:
// decoding the config, three pages from the emulator, building the state
// and encoding the response.
func BenchmarkReadDataSource257(b *testing.B) { benchmarkReadDataSource(b, 257) }

// BenchmarkReadDataSource10000 is the same for 10,000 tasks (100 pages), the
// read of make bench's row 5.
func BenchmarkReadDataSource10000(b *testing.B) { benchmarkReadDataSource(b, 10_000) }

func benchmarkReadDataSource(b *testing.B, n int) {
	ctx := context.Background()
	emu, srv := emulator.NewServer(emulator.DefaultConfig())
	defer srv.Close()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tasks := make([]emulator.Task, n)
	for i := range tasks {
		ts := at.Add(time.Duration(i) * time.Minute)
		tasks[i] = emulator.Task{ID: fmt.Sprintf("ff8080827%023d", i), Name: "bindInstancePublicIp", UserName: "alice", UserID: "0a1b2c3d",
			Status: "SUCCESS", CreatedAt: ts, UpdatedAt: ts,
			Params: `{"enable_public_ip":true,"public_ip_id":"06a13350-4305-4338-9f0e-6b322bb14036","public_ip_address":"100.93.2.36"}`}
	}
	emu.AddTasks(emulator.DefaultProjectID, "bench", tasks...)
	creds := emu.Config().Credentials

	server, err := NewProtocol6Server("test")()
	if err != nil {
		b.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	providerType, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		b.Fatalf("provider schema of type %T", schemas.Provider.ValueType())
	}
	endpoints := endpointsValue(emulatorEndpoints(srv.URL))
	pcfg, err := tfprotov6.NewDynamicValue(providerType, nullExcept(providerType, map[string]tftypes.Value{
		"region": str(emulator.DefaultRegion), "project_id": str(emulator.DefaultProjectID),
		"access_key": str(creds.AccessKey), "secret_key": str(creds.SecretKey), "endpoints": endpoints,
	}))
	if err != nil {
		b.Fatal(err)
	}
	cresp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &pcfg})
	if err != nil || hasError(cresp.Diagnostics) {
		b.Fatal(err, cresp.Diagnostics)
	}
	dsType, ok := schemas.DataSourceSchemas["hwtasks_rocketmq_background_tasks"].ValueType().(tftypes.Object)
	if !ok {
		b.Fatal("the data source schema is not an object")
	}
	dcfg, err := tfprotov6.NewDynamicValue(dsType, nullExcept(dsType, map[string]tftypes.Value{"instance_id": str("bench")}))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "hwtasks_rocketmq_background_tasks", Config: &dcfg})
		if err != nil || len(resp.Diagnostics) > 0 || resp.State == nil {
			b.Fatal(err, resp.Diagnostics)
		}
	}
}

// hasError reports whether diags hold an error; the emulator's http://
// endpoints give a warning.
func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}
