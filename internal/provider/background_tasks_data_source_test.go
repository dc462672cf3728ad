package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

func TestParamsMap(t *testing.T) {
	cases := []struct {
		name   string
		params string
		want   map[string]*string // nil value: a null element; nil map: a null map
	}{
		{"seed params", `{"public_ip_id":"06a1","public_ip_address":"xx.xx.xx.xx","enable_public_ip":true}`,
			map[string]*string{"public_ip_id": ptr("06a1"), "public_ip_address": ptr("xx.xx.xx.xx"), "enable_public_ip": ptr("true")}},
		{"numbers keep their JSON text", `{"a":1,"b":-2.50,"c":1e3}`, map[string]*string{"a": ptr("1"), "b": ptr("-2.50"), "c": ptr("1e3")}},
		{"nested values as compact JSON", `{"o": {"x": [1, "two", {"y": null}]}, "l": [ ]}`,
			map[string]*string{"o": ptr(`{"x":[1,"two",{"y":null}]}`), "l": ptr(`[]`)}},
		{"null element", `{"gone":null,"s":""}`, map[string]*string{"gone": nil, "s": ptr("")}},
		{"escaped strings are decoded", `{"s":"a\"b\u00e9"}`, map[string]*string{"s": ptr(`a"bé`)}},
		{"empty object", `{}`, map[string]*string{}},
		{"empty params", ``, nil},
		{"not JSON", `restart requested`, nil},
		{"JSON array", `[1,2]`, nil},
		{"JSON string", `"x"`, nil},
		{"JSON null", `null`, nil},
		{"truncated JSON", `{"a":1`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := paramsMap(tc.params)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if tc.want == nil {
				if !got.IsNull() {
					t.Fatalf("want a null map, got %v", got)
				}
				return
			}
			want := map[string]attr.Value{}
			for k, v := range tc.want {
				if v == nil {
					want[k] = types.StringNull()
				} else {
					want[k] = types.StringValue(*v)
				}
			}
			if wantMap := types.MapValueMust(types.StringType, want); !got.Equal(wantMap) {
				t.Fatalf("got %v, want %v", got, wantMap)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestModelFromTasks(t *testing.T) {
	tasks := []client.Task{
		{ID: "a", Name: "restart", UserName: "u", UserID: "uid", Status: "FAILED", CreatedAt: "2020-06-23T03:00:03.471Z", UpdatedAt: "2020-06-23T03:00:08.130Z", Params: `{"k":"v"}`},
		{ID: "b", Params: ""},
	}
	got, diags := modelFromTasks(tasks)
	if diags.HasError() || len(got.Elements()) != 2 {
		t.Fatalf("got %v, %v", got, diags)
	}
	// Its type is the schema's: State.Set would refuse anything else.
	ds := NewRocketMQBackgroundTasksDataSource()
	var sresp datasource.SchemaResponse
	ds.Schema(context.Background(), datasource.SchemaRequest{}, &sresp)
	if want := sresp.Schema.Attributes["tasks"].GetType(); !got.Type(context.Background()).Equal(want) {
		t.Fatalf("tasks of type %v, want the schema's %v", got.Type(context.Background()), want)
	}
	attrs := func(i int) map[string]attr.Value {
		obj, ok := got.Elements()[i].(types.Object)
		if !ok {
			t.Fatalf("task %d is a %T", i, got.Elements()[i])
		}
		return obj.Attributes()
	}
	text := func(m map[string]attr.Value, k string) string {
		s, ok := m[k].(types.String)
		if !ok {
			t.Fatalf("%s is a %T", k, m[k])
		}
		return s.ValueString()
	}
	a := attrs(0)
	str := func(k string) string { return text(a, k) }
	if str("id") != "a" || str("name") != "restart" || str("user_name") != "u" || str("user_id") != "uid" ||
		str("status") != "FAILED" || str("created_at") != "2020-06-23T03:00:03.471Z" || str("updated_at") != "2020-06-23T03:00:08.130Z" ||
		str("params") != `{"k":"v"}` || !a["params_map"].Equal(types.MapValueMust(types.StringType, map[string]attr.Value{"k": types.StringValue("v")})) {
		t.Fatalf("task a converted as %v", a)
	}
	if b := attrs(1); !b["params_map"].IsNull() || b["params"].IsNull() || text(b, "params") != "" {
		t.Fatalf("task b: empty params must stay an empty string with a null params_map, got %v", b)
	}
	empty, diags := modelFromTasks(nil)
	if diags.HasError() || empty.IsNull() || len(empty.Elements()) != 0 {
		t.Fatalf("no tasks must give an empty list, not null: %v, %v", empty, diags)
	}
}

func TestFilterTasks(t *testing.T) {
	tasks := []client.Task{{ID: "1", Name: "restart", Status: "FAILED"}, {ID: "2", Name: "restart", Status: "SUCCESS"}, {ID: "3", Name: "bind", Status: "FAILED"}}
	ids := func(ts []client.Task) string {
		var s []string
		for _, t := range ts {
			s = append(s, t.ID)
		}
		return strings.Join(s, ",")
	}
	for _, tc := range []struct{ name, status, want string }{
		{"", "", "1,2,3"}, {"restart", "", "1,2"}, {"", "FAILED", "1,3"}, {"restart", "FAILED", "1"}, {"none", "", ""},
	} {
		if got := ids(filterTasks(tasks, tc.name, tc.status)); got != tc.want {
			t.Errorf("name %q status %q: got %s, want %s", tc.name, tc.status, got, tc.want)
		}
	}
}

func TestParseWindowTime(t *testing.T) {
	cases := []struct {
		in, want string // want "" means an error
	}{
		{"20240131235959", "20240131235959"},
		{"20240229000000", "20240229000000"},
		{"2024-01-31T23:59:59Z", "20240131235959"},
		{"2024-02-01T00:59:59+01:00", "20240131235959"},
		{"2024-01-31T23:59:59.999Z", "20240131235959"},
		{"20230229000000", ""},
		{"20241301000000", ""},
		{"20240132000000", ""},
		{"20240101240000", ""},
		{"2024-01-01", ""},
		{"2024013123595", ""},
		{"", ""},
		{"yesterday", ""},
	}
	for _, tc := range cases {
		got, err := parseWindowTime(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%q accepted as %v", tc.in, got)
		case tc.want != "" && (err != nil || got.Format(windowLayout) != tc.want):
			t.Errorf("%q: got %v, %v; want %s", tc.in, got, err, tc.want)
		case tc.want != "" && got.Location() != time.UTC:
			t.Errorf("%q: not in UTC", tc.in)
		}
	}
}

func FuzzParseWindowTime(f *testing.F) {
	for _, s := range []string{"20240131235959", "2024-01-31T23:59:59Z", "2024-02-01T00:59:59+01:00", "20240230000000", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseWindowTime(s)
		if err != nil {
			return
		}
		// Whatever is accepted is a real UTC time that survives the API's
		// format unchanged.
		api := got.Format(windowLayout)
		back, err := parseWindowTime(api)
		if err != nil || !back.Equal(got.Truncate(time.Second)) {
			t.Fatalf("%q → %s → %v, %v", s, api, back, err)
		}
	})
}

// FuzzParamsMap checks params_map against the JSON it comes from: a map
// only from a JSON object, and then one element per key, holding a string's
// text, null for null, and the compact JSON of anything else.
func FuzzParamsMap(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":{"c":[true,null]},"d":"x"}`, ``, `not json`, `{"a":null}`, `[1]`, `{"a":1e400}`,
		`{"a":1,"a":"last"}`, ` {"s":"\u00e9\ud800","":{ }} `, `null`, `{"a":-0.0E+1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, params string) {
		m, diags := paramsMap(params)
		if diags.HasError() {
			t.Fatalf("%q: %v", params, diags)
		}
		var object map[string]json.RawMessage
		if json.Unmarshal([]byte(params), &object) != nil || object == nil {
			if !m.IsNull() {
				t.Fatalf("%q is no JSON object but gave a map", params)
			}
			return
		}
		if m.IsNull() {
			t.Fatalf("the object %q gave no map", params)
		}
		var elems map[string]types.String
		if diags := m.ElementsAs(context.Background(), &elems, true); diags.HasError() {
			t.Fatal(diags)
		}
		if len(elems) != len(object) {
			t.Fatalf("%q: %d elements for %d keys", params, len(elems), len(object))
		}
		for k, raw := range object {
			v, ok := elems[k]
			var s string
			var compact bytes.Buffer
			switch {
			case !ok:
				t.Fatalf("%q: key %q is missing", params, k)
			case string(raw) == "null":
				if !v.IsNull() {
					t.Fatalf("%q: key %q is %q, want null", params, k, v.ValueString())
				}
			case json.Unmarshal(raw, &s) == nil:
				if v.ValueString() != s {
					t.Fatalf("%q: key %q is %q, want the string's text %q", params, k, v.ValueString(), s)
				}
			case json.Compact(&compact, raw) != nil || v.ValueString() != compact.String():
				t.Fatalf("%q: key %q is %q, want its compact JSON %q", params, k, v.ValueString(), compact.String())
			}
		}
	})
}

// BenchmarkTasksToState measures what Read spends turning 257 tasks (the
// plan benchmark's instance) into Terraform state: the model, and the
// State.Set that encodes it.
func BenchmarkTasksToState(b *testing.B) {
	ctx := context.Background()
	ds := NewRocketMQBackgroundTasksDataSource()
	var sresp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	tasks := make([]client.Task, 257)
	for i := range tasks {
		tasks[i] = client.Task{
			ID: fmt.Sprintf("ff8080827%023d", i), Name: "bindInstancePublicIp", UserName: "alice", UserID: "0a1b2c3d4e5f",
			Status: "SUCCESS", CreatedAt: "2026-11-09T00:12:00.332Z", UpdatedAt: "2026-11-09T00:12:09.120Z",
			Params: `{"enable_public_ip":true,"public_ip_id":"06a13350-4305-4338-9f0e-6b322bb14036","public_ip_address":"100.93.2.36"}`,
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		list, diags := modelFromTasks(tasks)
		if diags.HasError() {
			b.Fatal(diags)
		}
		state := tfsdk.State{Schema: sresp.Schema, Raw: tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)}
		m := backgroundTasksModel{
			Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"read": types.StringType})},
			Tasks:    list, TaskCount: types.Int64Value(257),
		}
		if diags := state.Set(ctx, &m); diags.HasError() {
			b.Fatal(diags)
		}
	}
}
