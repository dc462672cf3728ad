package provider

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
)

// nested returns {"a":{"a":…{"a":1}…}} nested depth levels deep.
func nested(depth int) []byte {
	return []byte(strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth))
}

func TestJSONDepth(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want int
	}{
		{`1`, 0},
		{`{}`, 1},
		{`[[],[[]]]`, 3},
		{`{"a":"{{{[[["}`, 1},        // brackets inside strings do not count
		{`{"a":"\"{[","b":[{}]}`, 3}, // nor after an escaped quote
		{string(nested(64)), 64},
		{string(nested(65)), 65},
		{string(nested(5000)), 65}, // stops counting past the limit
	} {
		if got := jsonDepth([]byte(tc.raw)); got != tc.want {
			t.Errorf("jsonDepth(%.40s) = %d, want %d", tc.raw, got, tc.want)
		}
	}
}

// Entities 5,000 levels deep, about 60 KB of JSON, took the plugin past
// 6 GB. Past 64 levels, entities stays null with a warning and
// entities_json keeps the JSON.
func TestDeepEntitiesStayNullWithAWarning(t *testing.T) {
	raw := nested(5000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ent, entJSON, diags := entitiesToDynamic(context.Background(), nil, raw)
	runtime.ReadMemStats(&after)
	if !ent.IsNull() {
		t.Fatal("entities is not null")
	}
	if entJSON.IsNull() || entJSON.ValueString() != string(raw) {
		t.Fatalf("entities_json is %.60s…, want the JSON as sent", entJSON.ValueString())
	}
	if len(diags) != 1 || diags.HasError() || diags[0].Summary() != "Job entities nested too deeply" {
		t.Fatalf("diagnostics %v; want one warning about the depth", diags)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("allocated %d MiB for 60 KB of entities", alloc>>20)
	}

	// 64 levels are still converted.
	ent, _, diags = entitiesToDynamic(context.Background(), nil, nested(64))
	if ent.IsNull() || diags.HasError() || len(diags) != 0 {
		t.Fatalf("64 levels: null %v, diagnostics %v", ent.IsNull(), diags)
	}
}

// Invalid UTF-8 used to go raw into entities_json (and so into the plan)
// while entities, and the state, got U+FFFD. Both now hold U+FFFD.
func TestEntitiesInvalidUTF8AgreesInBothAttributes(t *testing.T) {
	raw := json.RawMessage("{\"name\":\"db\xff\xfe-1\"}")
	ent, entJSON, diags := entitiesToDynamic(context.Background(), nil, raw)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if want := "{\"name\":\"db\uFFFD-1\"}"; entJSON.ValueString() != want {
		t.Fatalf("entities_json %q, want %q", entJSON.ValueString(), want)
	}
	var decoded map[string]string
	if err := json.Unmarshal([]byte(entJSON.ValueString()), &decoded); err != nil {
		t.Fatal(err)
	}
	if got := ent.String(); !strings.Contains(got, decoded["name"]) {
		t.Fatalf("entities %s does not hold entities_json's name %q", got, decoded["name"])
	}
}

// The conversion of a large body of entities stops when the read is
// cancelled, instead of running to its end.
func TestEntitiesConversionHonoursCancellation(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"ids":[`)
	// 40,000 values, within maxEntitiesTypeCost: the converter checks the
	// context every 4,096 of them.
	for i := range 20_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"x"}`)
	}
	b.WriteString(`]}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ent, _, diags := entitiesToDynamic(ctx, nil, json.RawMessage(b.String()))
	if !ent.IsNull() || !diags.HasError() || diags[0].Summary() != "Cancelled" {
		t.Fatalf("null %v, diagnostics %v; want null entities and Cancelled", ent.IsNull(), diags)
	}
}

// A million numbers out of range give a handful of warnings, not a
// million.
func TestEntitiesWarningsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`[`)
	for i := range 1000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`1e999999`)
	}
	b.WriteString(`]`)
	_, _, diags := entitiesToDynamic(context.Background(), nil, json.RawMessage(b.String()))
	if len(diags) != maxEntitiesWarnings+1 {
		t.Fatalf("%d diagnostics, want %d warnings and one summary", len(diags), maxEntitiesWarnings)
	}
	if last := diags[len(diags)-1]; !strings.Contains(last.Detail(), "995 more warnings") {
		t.Fatalf("last diagnostic %q", last.Detail())
	}
}

// referenceDepth is how deeply v, decoded JSON, nests objects and arrays.
func referenceDepth(v any) int {
	deepest := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			deepest = max(deepest, referenceDepth(e))
		}
		return deepest + 1
	case []any:
		for _, e := range v {
			deepest = max(deepest, referenceDepth(e))
		}
		return deepest + 1
	}
	return 0
}

// FuzzDeepEntities checks the depth limit on any JSON: jsonDepth agrees
// with the depth of the decoded value up to the limit, entities deeper
// than the limit are null with entities_json kept and one warning, and
// shallower ones are converted.
func FuzzDeepEntities(f *testing.F) {
	for _, s := range []string{
		string(nested(5000)), string(nested(65)), string(nested(64)),
		`[[[[{"a":"]]]]}}}"}]]]]`, `{"a":"\"[{","b":[[[]]]}`,
		strings.Repeat("[", 70) + strings.Repeat("]", 70), `{"a":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var decoded any
		if json.Unmarshal(raw, &decoded) != nil {
			return // not JSON: FuzzEntitiesToDynamic covers it
		}
		want := min(referenceDepth(decoded), maxEntitiesDepth+1)
		if got := jsonDepth(raw); got != want {
			t.Fatalf("%.80q: jsonDepth %d, want %d", raw, got, want)
		}
		v, j, diags := entitiesToDynamic(context.Background(), nil, raw)
		if diags.HasError() {
			t.Fatalf("%.80q: %v", raw, diags)
		}
		if decoded == nil {
			return // JSON null: no entities
		}
		if want > maxEntitiesDepth {
			if !v.IsNull() || j.IsNull() || len(diags) != 1 || diags[0].Summary() != "Job entities nested too deeply" {
				t.Fatalf("%.80q: %d levels gave entities null %v, entities_json null %v, %v", raw, want, v.IsNull(), j.IsNull(), diags)
			}
			return
		}
		if v.IsNull() || j.IsNull() {
			t.Fatalf("%.80q: %d levels gave entities null %v, entities_json null %v", raw, want, v.IsNull(), j.IsNull())
		}
	})
}

// Entities within the depth limit but wide and deep enough to take seconds
// to convert (the type of every value holds the types below it) are left
// null with one warning; entities_json keeps them.
func TestCostlyEntitiesStayNullWithAWarning(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"sub_jobs":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strings.Repeat(`{"a":`, 60) + `1` + strings.Repeat(`}`, 60))
	}
	b.WriteString(`]}`)
	started := time.Now()
	ent, entJSON, diags := entitiesToDynamic(context.Background(), nil, json.RawMessage(b.String()))
	if !ent.IsNull() || entJSON.IsNull() || len(diags) != 1 || diags[0].Summary() != "Job entities too large to convert" {
		t.Fatalf("entities null %v, entities_json null %v, diagnostics %v", ent.IsNull(), entJSON.IsNull(), diags)
	}
	if took := time.Since(started); took > 10*time.Second {
		t.Logf("took %s", took) // a benchmark's business, not a failure
	}
	if c := jsonTypeCost([]byte(`{"a":[1,2,{"b":"x,:{["}]}`)); c != 14 {
		t.Fatalf("cost %d, want 14", c)
	}
}

// jsonDepth and jsonTypeCost are the two figures of jsonShape.
func jsonDepth(raw []byte) int {
	d, _ := jsonShape(raw)
	return d
}

func jsonTypeCost(raw []byte) int {
	_, c := jsonShape(raw)
	return c
}
