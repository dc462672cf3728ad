package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/emulator"
)

// protocolServer is a configured protocol server against a fresh emulator.
type protocolServer struct {
	tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
	emu     *emulator.Emulator
}

func newProtocolServer(t testing.TB, newServer func() (tfprotov6.ProviderServer, error), emu *emulator.Emulator, url string) *protocolServer {
	t.Helper()
	ctx := context.Background()
	srv, err := newServer()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema is not an object")
	}
	s := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	creds := emu.Config().Credentials
	endpoints := endpointsValue(emulatorEndpoints(url))
	pcfg, err := tfprotov6.NewDynamicValue(providerType, nullExcept(providerType, map[string]tftypes.Value{
		"region": s(emulator.DefaultRegion), "access_key": s(creds.AccessKey), "secret_key": s(creds.SecretKey), "endpoints": endpoints,
	}))
	if err != nil {
		t.Fatal(err)
	}
	cresp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &pcfg})
	if err != nil || hasError(cresp.Diagnostics) {
		t.Fatal(err, cresp.Diagnostics)
	}
	return &protocolServer{ProviderServer: srv, schemas: schemas, emu: emu}
}

// read reads data source typeName with the given configuration attributes
// and returns its state, decoded, and its diagnostics.
func (s *protocolServer) read(t testing.TB, typeName string, attrs map[string]tftypes.Value) (tftypes.Value, []*tfprotov6.Diagnostic) {
	t.Helper()
	typ, ok := s.schemas.DataSourceSchemas[typeName].ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("no object schema for %s", typeName)
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, nullExcept(typ, attrs))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	if resp.State == nil {
		return tftypes.Value{}, resp.Diagnostics
	}
	state, err := resp.State.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return state, resp.Diagnostics
}

// The provider's own read of a task list must give exactly what the
// framework's gives, for every kind of read and every shape of params,
// diagnostics included.
func TestDirectReadMatchesTheFramework(t *testing.T) {
	emu, url := emulator.NewServer(emulator.DefaultConfig())
	defer url.Close()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	params := []string{
		`{"enable_public_ip":true,"public_ip_id":"06a1","n":8,"nested":{"a":[1,null]},"z":null}`,
		``, `not json`, `[1,2]`, `{}`, `{"e\u0301":"d","\u00e9":"c"}`, `{"k":"line\nbreak \u001b[2J"}`,
	}
	tasks := make([]emulator.Task, 257)
	for i := range tasks {
		ts := at.Add(time.Duration(i) * time.Minute)
		tasks[i] = emulator.Task{ID: fmt.Sprintf("task-%05d", i), Name: []string{"restart", "bindInstancePublicIp"}[i%2], UserName: "alice", UserID: "u1",
			Status: []string{"SUCCESS", "FAILED", "EXECUTING"}[i%3], CreatedAt: ts, UpdatedAt: ts.Add(time.Second), Params: params[i%len(params)]}
	}
	emu.AddTasks(emulator.DefaultProjectID, "inst", tasks...)
	if err := emu.LoadFixtures(strings.NewReader(string(emulator.DefaultFixtures()))); err != nil {
		t.Fatal(err)
	}

	direct := newProtocolServer(t, NewProtocol6Server("test"), emu, url.URL)
	framework := newProtocolServer(t, providerserver.NewProtocol6WithError(New("test")()), emu, url.URL)
	s := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	n := func(v int64) tftypes.Value { return tftypes.NewValue(tftypes.Number, v) }
	timeouts := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"read": tftypes.String}}
	for _, tc := range []struct {
		name     string
		typeName string // "" is hwtasks_kafka_background_tasks
		attrs    map[string]tftypes.Value
	}{
		{"every page", "", map[string]tftypes.Value{"instance_id": s("inst")}},
		{"one page", "", map[string]tftypes.Value{"instance_id": s("inst"), "start": n(101), "limit": n(50)}},
		{"filters and a window", "", map[string]tftypes.Value{"instance_id": s("inst"), "name": s("restart"), "status": s("FAILED"),
			"begin_time": s("2026-11-01T01:00:00Z"), "end_time": s("20261101030000")}},
		{"one task with timeouts", "", map[string]tftypes.Value{"instance_id": s(seedInstance), "task_id": s(seedTask), "wait_for_completion": tftypes.NewValue(tftypes.Bool, true),
			"poll_interval": s("1s"), "timeouts": tftypes.NewValue(timeouts, map[string]tftypes.Value{"read": s("1m")})}},
		{"an unknown instance", "", map[string]tftypes.Value{"instance_id": s("nope")}},
		{"no tasks", "", map[string]tftypes.Value{"instance_id": s("inst"), "begin_time": s("20300101000000")}},
		{"a job with entities", "hwtasks_gaussdb_job", map[string]tftypes.Value{"id": s(seedJob)}},
		{"an RDS job, in Chinese", "hwtasks_rds_job", map[string]tftypes.Value{"id": s("4e7a9c1d-2b3f-4a5e-8d6c-0f1e2d3c4b5a"), "language": s("zh-cn")}},
		{"a GeminiDB job", "hwtasks_geminidb_job", map[string]tftypes.Value{"id": s(seedGeminiDBJob)}},
		{"an unknown DDS job", "hwtasks_dds_job", map[string]tftypes.Value{"id": s("nope")}},
		{"DCS tasks with details", "hwtasks_dcs_background_tasks", map[string]tftypes.Value{"instance_id": s(seedDCSInstance)}},
		{"one DCS task", "hwtasks_dcs_background_tasks", map[string]tftypes.Value{"instance_id": s(seedDCSInstance), "task_id": s("ff80808172b3ae910172c04a5d3d0024")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typeName := tc.typeName
			if typeName == "" {
				typeName = "hwtasks_kafka_background_tasks"
			}
			want, wantDiags := framework.read(t, typeName, tc.attrs)
			got, gotDiags := direct.read(t, typeName, tc.attrs)
			if !got.Equal(want) {
				diffs, _ := got.Diff(want)
				t.Fatalf("the states differ: %v", diffs)
			}
			if fmt.Sprint(diagStrings(gotDiags)) != fmt.Sprint(diagStrings(wantDiags)) {
				t.Fatalf("diagnostics differ:\n direct    %v\n framework %v", diagStrings(gotDiags), diagStrings(wantDiags))
			}
			if tc.name == "every page" {
				var m map[string]tftypes.Value
				if err := got.As(&m); err != nil {
					t.Fatal(err)
				}
				var list []tftypes.Value
				if err := m["tasks"].As(&list); err != nil || len(list) != 257 {
					t.Fatalf("%d tasks, %v; want 257", len(list), err)
				}
			}
		})
	}
}

// diagStrings renders diagnostics for comparison; the emulator's request
// IDs, random, are left out.
func diagStrings(diags []*tfprotov6.Diagnostic) []string {
	out := make([]string, len(diags))
	for i, d := range diags {
		out[i] = requestIDPattern.ReplaceAllString(fmt.Sprintf("%s|%s|%s|%s", d.Severity, d.Attribute, d.Summary, d.Detail), "request id …")
	}
	return out
}

var requestIDPattern = regexp.MustCompile(`request id [0-9a-f]{32}`)
