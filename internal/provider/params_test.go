package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	msgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// stringMapType is the type of params_map.
var stringMapType = tftypes.Map{ElementType: tftypes.String}

// paramsMap is params_map as the state holds it, and whether keys folded.
func paramsMap(params string) (tftypes.Value, bool) {
	var buf bytes.Buffer
	folded, err := encodeParamsMap(msgpack.NewEncoder(&buf), params)
	if err != nil {
		panic(err)
	}
	v, err := (&tfprotov6.DynamicValue{MsgPack: buf.Bytes()}).Unmarshal(stringMapType)
	if err != nil {
		panic(err)
	}
	return v, folded
}

// paramsMapValue is paramsMap without its folded flag.
func paramsMapValue(params string) tftypes.Value {
	v, _ := paramsMap(params)
	return v
}

// tasksValue is the tasks attribute of a RocketMQ task list as the state
// holds it, written by the one state writer and read back.
func tasksValue(ctx context.Context, tasks []client.Task) (tftypes.Value, []string, int, error) {
	return tasksValueFor(ctx, dmsEngine("rocketmq_background_tasks", "RocketMQ"), tasks)
}

func tasksValueFor(ctx context.Context, s taskService, tasks []client.Task) (tftypes.Value, []string, int, error) {
	var sresp datasource.SchemaResponse
	newBackgroundTasksDataSource(s)().Schema(ctx, datasource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Attributes["tasks"].GetType().TerraformType(ctx)
	w := &tasksWriter{fields: taskFields(s)}
	var buf bytes.Buffer
	if err := w.writer(ctx, tasks)(msgpack.NewEncoder(&buf)); err != nil {
		return tftypes.Value{}, nil, 0, err
	}
	v, err := (&tfprotov6.DynamicValue{MsgPack: buf.Bytes()}).Unmarshal(typ)
	return v, w.folded, w.foldedCount, err
}

// tasksValueOf is tasksValue of a context that never ends, failing the
// test on error.
func tasksValueOf(t testing.TB, tasks []client.Task) tftypes.Value {
	t.Helper()
	v, _, _, err := tasksValue(context.Background(), tasks)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Two keys that differ only in Unicode normalization are one key to
// Terraform. Which of their values params_map kept used to follow Go's map
// order, so plans of the same task disagreed from run to run.
func TestParamsMapFoldsKeysToNFCDeterministically(t *testing.T) {
	const decomposed, composed = "cafe\u0301", "caf\u00e9" // "é" as e + U+0301, and as U+00E9
	params := fmt.Sprintf(`{%q:"decomposed",%q:"composed","plain":"1"}`, decomposed, composed)
	for run := range 50 {
		v, folded := paramsMap(params)
		elems, isNull := stringMap(t, v)
		if isNull || !folded {
			t.Fatalf("run %d: null %v, folded %v; want a map and folded", run, isNull, folded)
		}
		got := map[string]string{}
		for k, p := range elems {
			got[k] = *p
		}
		// composed (0xC3 0xA9) sorts after decomposed (0x65 0xCC 0x81).
		want := map[string]string{composed: "composed", "plain": "1"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("run %d: got %v, want %v", run, got, want)
		}
	}
	if _, folded := paramsMap(`{"caf\u00e9":"x","cafe":"y"}`); folded {
		t.Fatal("keys that are distinct in NFC were reported as folded")
	}
}

// A conversion of many tasks stops when the read is cancelled.
func TestTasksValueHonoursCancellation(t *testing.T) {
	tasks := make([]client.Task, 10_000)
	for i := range tasks {
		tasks[i] = client.Task{ID: fmt.Sprint(i), Params: `{"a":1}`}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, err := tasksValue(ctx, tasks); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	_, folded, n, err := tasksValue(context.Background(), []client.Task{
		{ID: "t1", Params: `{"e\u0301":1,"\u00e9":2}`}, {ID: "t2", Params: `{}`},
	})
	if err != nil || n != 1 || strings.Join(folded, ",") != "t1" {
		t.Fatalf("folded %v (%d), %v; want [t1] (1)", folded, n, err)
	}
}
