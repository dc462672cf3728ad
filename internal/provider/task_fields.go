package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	msgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// taskField is one attribute of a task object, defined once: its type and
// description make the schema (and so the type of the state), and write
// puts its value from an API task into the state.
type taskField struct {
	name  string
	typ   attr.Type
	desc  string
	write func(enc *msgpack.Encoder, t *client.Task, w *tasksWriter) error
}

func stringField(name, desc string, get func(t *client.Task) string) taskField {
	return taskField{name: name, typ: types.StringType, desc: desc,
		write: func(enc *msgpack.Encoder, t *client.Task, _ *tasksWriter) error { return enc.EncodeString(get(t)) }}
}

// taskFields are the attributes of a task of s, sorted by name, as
// msgpack objects are written.
func taskFields(s taskService) []taskField {
	fields := []taskField{
		stringField("id", "The task ID.", func(t *client.Task) string { return t.ID }),
		stringField("name", fmt.Sprintf("The task name, such as `%s`.", s.exampleTask), func(t *client.Task) string { return t.Name }),
		stringField("user_name", "The user who started the task.", func(t *client.Task) string { return t.UserName }),
		stringField("user_id", "The ID of that user.", func(t *client.Task) string { return t.UserID }),
		stringField("status", "The status: "+codeList(s.statuses, "or")+".", func(t *client.Task) string { return t.Status }),
		stringField("created_at", "When the task started, in RFC 3339 as the API gives it.", func(t *client.Task) string { return t.CreatedAt }),
		stringField("updated_at", "When the task last changed (its end, once finished), in RFC 3339 as the API gives it.", func(t *client.Task) string { return t.UpdatedAt }),
		stringField("params", "The task parameters as the API gives them: usually a JSON string, to read with `jsondecode()`.", func(t *client.Task) string { return t.Params }),
		{name: "params_map", typ: types.MapType{ElemType: types.StringType},
			desc: "The top-level keys of `params` when it is a JSON object: strings as they are, numbers and booleans in their JSON text, " +
				"nested values as compact JSON, and JSON null as null. Null when `params` is empty or not a JSON object.",
			write: func(enc *msgpack.Encoder, t *client.Task, w *tasksWriter) error {
				fold, err := encodeParamsMap(enc, t.Params)
				if fold {
					w.fold(t.ID)
				}
				return err
			}},
	}
	if s.details {
		fields = append(fields,
			taskField{name: "details", typ: types.ObjectType{AttrTypes: dcsDetailsAttrTypes()},
				desc: "The task's details, with the API's typed fields: those that fit the task are set, the others are null " +
					"(`new_capacity` and `old_capacity` of a resize, `public_ip_address` of an EIP binding, …). Null when the API gives none.",
				write: func(enc *msgpack.Encoder, t *client.Task, _ *tasksWriter) error { return encodeDetails(enc, t.Details) }},
			taskField{name: "details_json", typ: types.StringType,
				desc: "The same details as compact JSON, with any key the API adds that `details` does not know. Null when the API gives none.",
				write: func(enc *msgpack.Encoder, t *client.Task, _ *tasksWriter) error {
					return encodeCompactJSON(enc, t.Details)
				}},
			taskField{name: "enable_show", typ: types.BoolType,
				desc: "Whether the task has detailed progress, which the console can expand. Null when the API does not say.",
				write: func(enc *msgpack.Encoder, t *client.Task, _ *tasksWriter) error {
					if t.EnableShow == nil {
						return enc.EncodeNil()
					}
					return enc.EncodeBool(*t.EnableShow)
				}},
		)
	}
	slices.SortFunc(fields, func(a, b taskField) int { return cmpString(a.name, b.name) })
	return fields
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// taskAttributes is the schema of a task object, from taskFields.
func taskAttributes(s taskService) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{}
	for _, f := range taskFields(s) {
		attrs[f.name] = computedAttribute(f.typ, f.desc)
	}
	return attrs
}

// computedAttribute is a computed attribute of type t.
func computedAttribute(t attr.Type, desc string) schema.Attribute {
	switch t := t.(type) {
	case basetypes.StringType:
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	case basetypes.BoolType:
		return schema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	case basetypes.Int64Type:
		return schema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	case basetypes.MapType:
		return schema.MapAttribute{Computed: true, ElementType: t.ElemType, MarkdownDescription: desc}
	case basetypes.ObjectType:
		return schema.ObjectAttribute{Computed: true, AttributeTypes: t.AttrTypes, MarkdownDescription: desc}
	}
	panic(fmt.Sprintf("no computed attribute for type %s; this is always a bug in the provider", t))
}

// dcsDetailsFields are the typed fields of a DCS task's details, as the
// SDK's DetailsBody has them, by kind.
var dcsDetailsFields = struct {
	strings, ints, bools, stringLists []string
}{
	strings: []string{"old_capacity", "new_capacity", "public_ip_id", "public_ip_address", "old_cache_mode", "new_cache_mode",
		"old_resource_spec_code", "new_resource_spec_code", "old_cache_type", "new_cache_type", "replica_ip", "replica_az",
		"group_name", "account_name", "source_ip", "target_ip", "node_name"},
	ints:        []string{"old_replica_num", "new_replica_num", "old_port", "new_port", "updated_config_length"},
	bools:       []string{"enable_public_ip", "enable_ssl", "is_only_adjust_charging"},
	stringLists: []string{"rename_commands"},
}

// dcsDetailsAttrTypes is the object type of details.
func dcsDetailsAttrTypes() map[string]attr.Type {
	m := map[string]attr.Type{}
	for _, n := range dcsDetailsFields.strings {
		m[n] = types.StringType
	}
	for _, n := range dcsDetailsFields.ints {
		m[n] = types.Int64Type
	}
	for _, n := range dcsDetailsFields.bools {
		m[n] = types.BoolType
	}
	for _, n := range dcsDetailsFields.stringLists {
		m[n] = types.ListType{ElemType: types.StringType}
	}
	return m
}

// dcsDetailsNames are the attributes of details, sorted.
var dcsDetailsNames = func() []string {
	names := make([]string, 0, len(dcsDetailsAttrTypes()))
	for n := range dcsDetailsAttrTypes() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}()

// encodeDetails writes details as the typed object: each field of the
// type it should have, or null when it is missing or of another type
// (details_json keeps it as sent). Details that are not a JSON object are
// null.
func encodeDetails(enc *msgpack.Encoder, raw json.RawMessage) error {
	var fields map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &fields) != nil || fields == nil {
		return enc.EncodeNil()
	}
	kinds := dcsDetailsAttrTypes()
	if err := enc.EncodeMapLen(len(dcsDetailsNames)); err != nil {
		return err
	}
	for _, name := range dcsDetailsNames {
		if err := enc.EncodeString(name); err != nil {
			return err
		}
		v := bytes.TrimSpace(fields[name])
		var err error
		switch kinds[name].(type) {
		case basetypes.StringType:
			var s string
			switch {
			case json.Unmarshal(v, &s) == nil && len(v) > 0 && v[0] == '"':
				err = enc.EncodeString(s)
			case isJSONNumber(v):
				// A size sent as a number where the SDK has a string.
				err = enc.EncodeString(string(v))
			default:
				err = enc.EncodeNil()
			}
		case basetypes.Int64Type:
			var s string
			if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
				v = []byte(s)
			}
			if n, perr := strconv.ParseInt(string(v), 10, 64); perr == nil {
				err = enc.EncodeInt(n)
			} else {
				err = enc.EncodeNil()
			}
		case basetypes.BoolType:
			switch string(v) {
			case "true":
				err = enc.EncodeBool(true)
			case "false":
				err = enc.EncodeBool(false)
			default:
				err = enc.EncodeNil()
			}
		case basetypes.ListType:
			// A list of strings; one with a null or another value in it is
			// not, and is null (details_json keeps it).
			var list []*string
			ok := len(v) > 0 && v[0] == '[' && json.Unmarshal(v, &list) == nil && !slices.Contains(list, nil)
			if !ok {
				err = enc.EncodeNil()
				break
			}
			if err = enc.EncodeArrayLen(len(list)); err == nil {
				for _, s := range list {
					if err = enc.EncodeString(*s); err != nil {
						break
					}
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isJSONNumber(v []byte) bool {
	var n json.Number
	return len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) && json.Unmarshal(v, &n) == nil
}

// encodeCompactJSON writes raw as compact JSON text, or null when it is
// missing, null or not JSON.
func encodeCompactJSON(enc *msgpack.Encoder, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	var b bytes.Buffer
	if len(raw) == 0 || string(raw) == "null" || json.Compact(&b, raw) != nil {
		return enc.EncodeNil()
	}
	return enc.EncodeString(b.String())
}

// tasksWriter writes a list of tasks into the state and notes the tasks
// whose params had keys that Unicode NFC folds into one.
type tasksWriter struct {
	fields      []taskField
	folded      []string
	foldedCount int
}

func (w *tasksWriter) fold(id string) {
	if w.foldedCount++; len(w.folded) < maxFoldedReported {
		w.folded = append(w.folded, id)
	}
}

// maxFoldedReported bounds the task IDs one warning names.
const maxFoldedReported = 5

// writer returns the attrWriter of the tasks attribute, checking ctx every
// few hundred tasks.
func (w *tasksWriter) writer(ctx context.Context, tasks []client.Task) attrWriter {
	return func(enc *msgpack.Encoder) error {
		if err := enc.EncodeArrayLen(len(tasks)); err != nil {
			return err
		}
		for i := range tasks {
			if i%512 == 511 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := enc.EncodeMapLen(len(w.fields)); err != nil {
				return err
			}
			for _, f := range w.fields {
				if err := enc.EncodeString(f.name); err != nil {
					return err
				}
				if err := f.write(enc, &tasks[i], w); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// encodeParamsMap writes params_map from paramsFields.
func encodeParamsMap(enc *msgpack.Encoder, params string) (bool, error) {
	fields, folded, ok := paramsFields(params)
	if !ok {
		return false, enc.EncodeNil()
	}
	if err := enc.EncodeMapLen(len(fields)); err != nil {
		return folded, err
	}
	for k, v := range fields {
		if err := enc.EncodeString(k); err != nil {
			return folded, err
		}
		var err error
		if v == nil {
			err = enc.EncodeNil()
		} else {
			err = enc.EncodeString(*v)
		}
		if err != nil {
			return folded, err
		}
	}
	return folded, nil
}
