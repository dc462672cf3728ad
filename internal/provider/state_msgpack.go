package provider

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	msgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// encodeTasksState returns the state of a task list data source as the
// msgpack that Terraform reads: the configuration config, with the
// attributes of set replaced, and tasks in place of the tasks attribute.
// It decodes to the same value as the framework's encoding of
// withAttributes(config, set + {"tasks": tasksValue(tasks)}), but writes
// the tasks straight from the API's structs instead of building them as
// Terraform values first, which is where the memory of a large read went.
// It also returns what tasksValue does about folded params keys, and
// ctx's error when ctx ends before it is done.
func encodeTasksState(ctx context.Context, typ tftypes.Object, config tftypes.Value, set map[string]tftypes.Value, tasks []client.Task) ([]byte, []string, int, error) {
	var old map[string]tftypes.Value
	if err := config.As(&old); err != nil {
		return nil, nil, 0, fmt.Errorf("reading the configuration: %w", err)
	}
	names := make([]string, 0, len(typ.AttributeTypes))
	for name := range typ.AttributeTypes {
		names = append(names, name)
	}
	slices.Sort(names)

	// About 300 bytes a task, as the tasks of the seed documents encode.
	var buf bytes.Buffer
	buf.Grow(512 + 300*len(tasks))
	enc := msgpack.NewEncoder(&buf)
	if err := enc.EncodeMapLen(len(names)); err != nil {
		return nil, nil, 0, err
	}
	var (
		folded      []string
		foldedCount int
	)
	for _, name := range names {
		if err := enc.EncodeString(name); err != nil {
			return nil, nil, 0, err
		}
		if name == "tasks" {
			var err error
			if folded, foldedCount, err = encodeTasks(ctx, enc, tasks); err != nil {
				return nil, nil, 0, err
			}
			continue
		}
		v, ok := set[name]
		if !ok {
			if v, ok = old[name]; !ok {
				return nil, nil, 0, fmt.Errorf("the configuration has no attribute %q", name)
			}
		}
		dv, err := tfprotov6.NewDynamicValue(typ.AttributeTypes[name], v)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("encoding attribute %q: %w", name, err)
		}
		buf.Write(dv.MsgPack)
	}
	for name := range set {
		if _, ok := typ.AttributeTypes[name]; !ok {
			return nil, nil, 0, fmt.Errorf("the schema has no attribute %q", name)
		}
	}
	return buf.Bytes(), folded, foldedCount, nil
}

// taskAttributeNames are the attributes of a task, in the order msgpack
// objects are written: sorted, as terraform-plugin-go writes them.
var taskAttributeNames = func() []string {
	names := make([]string, 0, len(taskObjectType.AttributeTypes))
	for name := range taskObjectType.AttributeTypes {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}()

// encodeTasks writes tasks as the list of task objects, checking ctx every
// few hundred tasks.
func encodeTasks(ctx context.Context, enc *msgpack.Encoder, tasks []client.Task) ([]string, int, error) {
	var (
		folded      []string
		foldedCount int
	)
	if err := enc.EncodeArrayLen(len(tasks)); err != nil {
		return nil, 0, err
	}
	for i := range tasks {
		if i%512 == 511 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		t := &tasks[i]
		if err := enc.EncodeMapLen(len(taskAttributeNames)); err != nil {
			return nil, 0, err
		}
		for _, name := range taskAttributeNames {
			if err := enc.EncodeString(name); err != nil {
				return nil, 0, err
			}
			var err error
			switch name {
			case "id":
				err = enc.EncodeString(t.ID)
			case "name":
				err = enc.EncodeString(t.Name)
			case "user_name":
				err = enc.EncodeString(t.UserName)
			case "user_id":
				err = enc.EncodeString(t.UserID)
			case "status":
				err = enc.EncodeString(t.Status)
			case "created_at":
				err = enc.EncodeString(t.CreatedAt)
			case "updated_at":
				err = enc.EncodeString(t.UpdatedAt)
			case "params":
				err = enc.EncodeString(t.Params)
			case "params_map":
				var fold bool
				fold, err = encodeParamsMap(enc, t.Params)
				if fold {
					if foldedCount++; len(folded) < maxFoldedReported {
						folded = append(folded, t.ID)
					}
				}
			default:
				err = fmt.Errorf("task attribute %q has no encoding", name)
			}
			if err != nil {
				return nil, 0, err
			}
		}
	}
	return folded, foldedCount, nil
}

// encodeParamsMap writes paramsMap(params), from the same paramsFields,
// so that the two encodings cannot disagree.
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
