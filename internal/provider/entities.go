package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/text/unicode/norm"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// maxEntitiesExponent bounds the binary exponent of the numbers in entities
// (about 1e±4900). Terraform would send a number beyond as its full decimal
// text, which for 1e100000000 is a hundred million digits.
const maxEntitiesExponent = 1 << 14

// maxEntitiesDepth bounds how deeply entities may nest to be converted.
// Real entities nest three or four levels. Every level of a dynamic value
// carries the type of everything below it, so the memory the framework
// needs grows with the square of the depth: 5,000 levels, about 60 KB of
// JSON, took the plugin past 6 GB.
const maxEntitiesDepth = 64

// maxEntitiesWarnings bounds the warnings one job's entities can raise, so
// that a body of a million odd numbers gives a few lines, not a million.
const maxEntitiesWarnings = 5

// entitiesToDynamic converts the API's entities to the dynamic value of
// entities and the compact JSON of entities_json. Objects become objects,
// arrays tuples, numbers are parsed at the 512 bits of precision Terraform
// itself uses, and JSON null is a null of dynamic type, which is what
// jsondecode() gives. Missing or null entities are null. Invalid UTF-8 is
// replaced by U+FFFD before either is made, so that both agree, and agree
// with what Terraform stores. Entities nested deeper than maxEntitiesDepth,
// or whose type is larger than maxEntitiesTypeCost, keep entities_json and
// leave entities null, with a warning. The
// conversion stops with ctx's error when ctx ends.
func entitiesToDynamic(ctx context.Context, c *client.Client, raw json.RawMessage) (types.Dynamic, jsontypes.Normalized, diag.Diagnostics) {
	var diags diag.Diagnostics
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), nil
	}
	if !utf8.Valid(raw) {
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	if !json.Valid(raw) {
		diags.AddAttributeWarning(path.Root("entities"), "Unreadable job entities",
			"The API sent entities that are not JSON: "+client.Excerpt(raw, 200)+". entities and entities_json are left null.")
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), diags
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, raw) // cannot fail on valid JSON
	entitiesJSON := jsontypes.NewNormalizedValue(compact.String())
	depth, cost := jsonShape(raw)
	if depth > maxEntitiesDepth {
		diags.AddAttributeWarning(path.Root("entities"), "Job entities nested too deeply",
			fmt.Sprintf("The job's entities nest more than %d levels deep, where real ones nest a few. entities is left null; "+
				"entities_json has them as the API sent them, for jsondecode() if they are really wanted.", maxEntitiesDepth))
		return types.DynamicNull(), entitiesJSON, diags
	}
	if cost > maxEntitiesTypeCost {
		diags.AddAttributeWarning(path.Root("entities"), "Job entities too large to convert",
			fmt.Sprintf("The job's entities hold more nested values than a job's do (a type size over %d), which would take the provider seconds to convert. "+
				"entities is left null; entities_json has them as the API sent them, for jsondecode() if they are really wanted.", maxEntitiesTypeCost))
		return types.DynamicNull(), entitiesJSON, diags
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		// json.Valid said yes; only a bug could get here.
		diags.AddAttributeError(path.Root("entities"), "Cannot decode job entities",
			fmt.Sprintf("Decoding valid JSON failed: %v. This is always a bug in the provider; please report it.", err))
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), diags
	}
	conv := jsonConverter{ctx: ctx, c: c, diags: &diags}
	val := conv.value(v, "entities")
	if conv.err != nil {
		diags.AddError("Cancelled", "Stopped converting the job's entities: "+conv.err.Error())
		return types.DynamicNull(), jsontypes.NewNormalizedNull(), diags
	}
	if conv.warnings > maxEntitiesWarnings {
		diags.AddAttributeWarning(path.Root("entities"), "More warnings about job entities",
			fmt.Sprintf("%d more warnings like the ones above were left out.", conv.warnings-maxEntitiesWarnings))
	}
	return types.DynamicValue(val), entitiesJSON, diags
}

// maxEntitiesTypeCost bounds the size of the type of entities, which is
// what converting them costs: every value carries the type of everything
// below it, so a value counts once per level above it. Real entities cost
// a few hundred; 10,000 sub-jobs of entities 60 levels deep cost 10⁷ and
// took 30 s of CPU, in part where a cancel cannot stop it.
const maxEntitiesTypeCost = 200_000

// jsonShape scans the JSON text once, skipping strings, and returns how
// deeply it nests objects and arrays (maxEntitiesDepth+1, and no further
// scan, as soon as it nests deeper than that) and the size of its type:
// the sum, over its values, of how deeply each is nested, as each opening
// bracket and each separator counts its depth (maxEntitiesTypeCost+1 once
// it passes that). It sizes nothing by the input.
func jsonShape(raw []byte) (depth, cost int) {
	level := 0
	inString, escaped := false, false
	for _, b := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		case b == '"':
			inString = true
			continue
		case b == '{' || b == '[':
			if level++; level > depth {
				depth = level
				if depth > maxEntitiesDepth {
					return depth, cost
				}
			}
		case b == '}' || b == ']':
			level--
			continue
		case b == ',' || b == ':':
			// A separator stands for the value after it; an opening
			// bracket for the first.
		default:
			continue
		}
		if cost <= maxEntitiesTypeCost {
			cost = min(cost+max(level, 1), maxEntitiesTypeCost+1)
		}
	}
	return depth, cost
}

// jsonConverter converts a value decoded with UseNumber into a Terraform
// value. It checks ctx every few thousand values, so that Ctrl-C ends even
// a conversion of a 32 MiB body within a second, and bounds its warnings.
type jsonConverter struct {
	ctx      context.Context
	c        *client.Client // masks server text in warnings; may be nil
	diags    *diag.Diagnostics
	visited  int
	warnings int
	err      error
}

// text is server text (a position made of the server's keys) fit for a
// warning.
func (c *jsonConverter) text(s string) string { return c.c.ServerText(s, 200) }

// warn adds a warning unless maxEntitiesWarnings were added already.
func (c *jsonConverter) warn(summary, detail string) {
	c.warnings++
	if c.warnings <= maxEntitiesWarnings {
		c.diags.AddAttributeWarning(path.Root("entities"), summary, detail)
	}
}

// value converts v; where is its position, such as
// entities.instance.resource_ids[1], for warnings.
func (c *jsonConverter) value(v any, where string) attr.Value {
	if c.err != nil {
		return types.DynamicNull()
	}
	if c.visited++; c.visited%4096 == 0 {
		if c.err = c.ctx.Err(); c.err != nil {
			return types.DynamicNull()
		}
	}
	switch v := v.(type) {
	case nil:
		return types.DynamicNull()
	case bool:
		return types.BoolValue(v)
	case string:
		return types.StringValue(v)
	case json.Number:
		f, _, err := big.ParseFloat(string(v), 10, 512, big.ToNearestEven)
		if err == nil && !f.IsInf() {
			if exp := f.MantExp(nil); exp >= -maxEntitiesExponent && exp <= maxEntitiesExponent {
				return types.NumberValue(f)
			}
		}
		c.warn("Number out of range in job entities",
			fmt.Sprintf("%s is %s, beyond what Terraform can hold as a number; it is kept as a string. entities_json has it as the API sent it.",
				c.text(where), c.c.ServerText(string(v), 40)))
		return types.StringValue(string(v))
	case []any:
		elems := make([]attr.Value, len(v))
		elemTypes := make([]attr.Type, len(v))
		for i, e := range v {
			elems[i] = c.value(e, fmt.Sprintf("%s[%d]", where, i))
			elemTypes[i] = elems[i].Type(c.ctx)
		}
		t, d := types.TupleValue(elemTypes, elems)
		c.diags.Append(d...)
		return t
	case map[string]any:
		attrs := make(map[string]attr.Value, len(v))
		attrTypes := make(map[string]attr.Type, len(v))
		// Terraform holds attribute names in Unicode NFC and cannot find
		// one that is not; keys equal once normalized are one attribute.
		for _, k := range sortedKeys(v) {
			name := norm.NFC.String(k)
			if _, dup := attrs[name]; dup {
				c.warn("Duplicate key in job entities",
					fmt.Sprintf("%s has keys that only differ in their Unicode normalization (%s); the last in byte order is kept. entities_json has them all.",
						c.text(where), quotedServer(c.c, name)))
			}
			attrs[name] = c.value(v[k], where+"."+name)
			attrTypes[name] = attrs[name].Type(c.ctx)
		}
		o, d := types.ObjectValue(attrTypes, attrs)
		c.diags.Append(d...)
		return o
	}
	// encoding/json gives no other types.
	c.diags.AddAttributeError(path.Root("entities"), "Unexpected value in job entities",
		fmt.Sprintf("%s decoded as %T. This is always a bug in the provider; please report it.", c.text(where), v))
	return types.DynamicNull()
}
