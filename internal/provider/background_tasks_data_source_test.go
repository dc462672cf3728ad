package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
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
			got, isNull := stringMap(t, paramsMapValue(tc.params))
			if tc.want == nil {
				if !isNull {
					t.Fatalf("want a null map, got %v", got)
				}
				return
			}
			if isNull || len(got) != len(tc.want) {
				t.Fatalf("got %v (null: %t), want %d elements", got, isNull, len(tc.want))
			}
			for k, w := range tc.want {
				g, ok := got[k]
				if !ok || (g == nil) != (w == nil) || (g != nil && *g != *w) {
					t.Fatalf("key %q: got %v, want %v", k, show(g), show(w))
				}
			}
		})
	}
}

// stringMap reads a map of strings built by paramsMap: its elements, nil
// for a null element, and whether the map itself is null.
func stringMap(t testing.TB, v tftypes.Value) (map[string]*string, bool) {
	t.Helper()
	if !v.Type().Equal(stringMapType) {
		t.Fatalf("a %s, not a map of strings", v.Type())
	}
	if v.IsNull() {
		return nil, true
	}
	var elems map[string]tftypes.Value
	if err := v.As(&elems); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]*string, len(elems))
	for k, e := range elems {
		var s *string
		if err := e.As(&s); err != nil {
			t.Fatal(err)
		}
		out[k] = s
	}
	return out, false
}

func show(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

func ptr(s string) *string { return &s }

func TestTasksValue(t *testing.T) {
	tasks := []client.Task{
		{ID: "a", Name: "restart", UserName: "u", UserID: "uid", Status: "FAILED", CreatedAt: "2020-06-23T03:00:03.471Z", UpdatedAt: "2020-06-23T03:00:08.130Z", Params: `{"k":"v"}`},
		{ID: "b", Params: ""},
	}
	got := tasksValueOf(t, tasks)
	// Its type is the schema's: Terraform refuses a state of any other.
	ctx := context.Background()
	ds := NewRocketMQBackgroundTasksDataSource()
	var sresp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	if want := sresp.Schema.Attributes["tasks"].GetType().TerraformType(ctx); !got.Type().Equal(want) {
		t.Fatalf("tasks of type %v, want the schema's %v", got.Type(), want)
	}
	var elems []tftypes.Value
	if err := got.As(&elems); err != nil || len(elems) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	attrs := func(i int) map[string]tftypes.Value {
		var m map[string]tftypes.Value
		if err := elems[i].As(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	text := func(m map[string]tftypes.Value, k string) *string {
		var s *string
		if err := m[k].As(&s); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		return s
	}
	a := attrs(0)
	for k, want := range map[string]string{"id": "a", "name": "restart", "user_name": "u", "user_id": "uid", "status": "FAILED",
		"created_at": "2020-06-23T03:00:03.471Z", "updated_at": "2020-06-23T03:00:08.130Z", "params": `{"k":"v"}`} {
		if s := text(a, k); s == nil || *s != want {
			t.Errorf("task a: %s is %s, want %q", k, show(s), want)
		}
	}
	if pm, isNull := stringMap(t, a["params_map"]); isNull || len(pm) != 1 || show(pm["k"]) != `"v"` {
		t.Errorf("task a: params_map is %v (null: %t), want {k = v}", pm, isNull)
	}
	b := attrs(1)
	if s := text(b, "params"); s == nil || *s != "" {
		t.Errorf("task b: empty params must stay an empty string, got %s", show(s))
	}
	if _, isNull := stringMap(t, b["params_map"]); !isNull {
		t.Errorf("task b: empty params must give a null params_map")
	}
	empty := tasksValueOf(t, nil)
	var none []tftypes.Value
	if err := empty.As(&none); err != nil || empty.IsNull() || len(none) != 0 {
		t.Fatalf("no tasks must give an empty list, not null: %v, %v", empty, err)
	}
}

func TestEncodeState(t *testing.T) {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"in": tftypes.String, "out": tftypes.Number, "dyn": tftypes.DynamicPseudoType}}
	config := tftypes.NewValue(typ, map[string]tftypes.Value{
		"in": tftypes.NewValue(tftypes.String, "x"), "out": tftypes.NewValue(tftypes.Number, nil), "dyn": tftypes.NewValue(tftypes.DynamicPseudoType, nil),
	})
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.Bool}}
	b, err := encodeState(typ, config, map[string]tftypes.Value{
		"out": tftypes.NewValue(tftypes.Number, 7),
		"dyn": tftypes.NewValue(obj, map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.Bool, true)}),
	}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := (&tfprotov6.DynamicValue{MsgPack: b}).Unmarshal(typ)
	want := tftypes.NewValue(typ, map[string]tftypes.Value{
		"in": tftypes.NewValue(tftypes.String, "x"), "out": tftypes.NewValue(tftypes.Number, 7),
		"dyn": tftypes.NewValue(obj, map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.Bool, true)}),
	})
	if err != nil || !got.Equal(want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	if _, err := encodeState(typ, config, map[string]tftypes.Value{"other": tftypes.NewValue(tftypes.String, "y")}, nil, 0); err == nil {
		t.Error("an unknown attribute was accepted")
	}
	if _, err := encodeState(typ, config, map[string]tftypes.Value{"out": tftypes.NewValue(tftypes.String, "7")}, nil, 0); err == nil {
		t.Error("a value of the wrong type was accepted")
	}
	if _, err := encodeState(typ, tftypes.NewValue(tftypes.String, "x"), nil, nil, 0); err == nil {
		t.Error("a string is not an object, but encodeState took it")
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
		elems, isNull := stringMap(t, paramsMapValue(params))
		var object map[string]json.RawMessage
		if json.Unmarshal([]byte(params), &object) != nil || object == nil {
			if !isNull {
				t.Fatalf("%q is no JSON object but gave a map", params)
			}
			return
		}
		if isNull {
			t.Fatalf("the object %q gave no map", params)
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
				if v != nil {
					t.Fatalf("%q: key %q is %q, want null", params, k, *v)
				}
			case v == nil:
				t.Fatalf("%q: key %q is null, want %s", params, k, raw)
			case json.Unmarshal(raw, &s) == nil:
				if *v != s {
					t.Fatalf("%q: key %q is %q, want the string's text %q", params, k, *v, s)
				}
			case json.Compact(&compact, raw) != nil || *v != compact.String():
				t.Fatalf("%q: key %q is %q, want its compact JSON %q", params, k, *v, compact.String())
			}
		}
	})
}

// BenchmarkTasksToState measures what Read spends turning 257 tasks (the
// plan benchmark's instance) into the state Terraform reads.
func BenchmarkTasksToState(b *testing.B) {
	ctx := context.Background()
	ds := NewRocketMQBackgroundTasksDataSource()
	var sresp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &sresp)
	config := tftypes.NewValue(sresp.Schema.Type().TerraformType(ctx), nil)
	typ, ok := config.Type().(tftypes.Object)
	if !ok {
		b.Fatal("the schema is not an object")
	}
	config = nullExcept(typ, map[string]tftypes.Value{"instance_id": tftypes.NewValue(tftypes.String, "bench")})
	tasks := make([]client.Task, 257)
	for i := range tasks {
		tasks[i] = client.Task{
			ID: fmt.Sprintf("ff8080827%023d", i), Name: "bindInstancePublicIp", UserName: "alice", UserID: "0a1b2c3d4e5f",
			Status: "SUCCESS", CreatedAt: "2026-11-09T00:12:00.332Z", UpdatedAt: "2026-11-09T00:12:09.120Z",
			Params: `{"enable_public_ip":true,"public_ip_id":"06a13350-4305-4338-9f0e-6b322bb14036","public_ip_address":"100.93.2.36"}`,
		}
	}
	s := dmsEngine("rocketmq_background_tasks", "RocketMQ")
	b.ReportAllocs()
	for b.Loop() {
		w := &tasksWriter{fields: taskFields(s)}
		if _, err := encodeState(typ, config, nil, map[string]attrWriter{"tasks": w.writer(ctx, tasks)}, 300*len(tasks)); err != nil {
			b.Fatal(err)
		}
	}
}
