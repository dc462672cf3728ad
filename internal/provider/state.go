package provider

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	msgpack "github.com/vmihailenco/msgpack/v5"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// Every data source writes its state one way: readState returns it as the
// msgpack that Terraform reads, the configuration with the computed
// attributes filled in (encodeState). The protocol server (server.go) sends
// those bytes as they are; the framework's Read (readInto) decodes them.

// stateReader is a data source that reads its state as msgpack.
type stateReader interface {
	datasource.DataSourceWithConfigure
	// setClient hands the data source the configured client, for the
	// protocol server, which reads without the framework's Configure.
	setClient(c *client.Client)
	// readState reads what config asks for and returns the state, of type
	// typ, or nil with the diagnostics that say why not.
	readState(ctx context.Context, config tfsdk.Config, typ tftypes.Object) ([]byte, diag.Diagnostics)
}

// dataSourceBase is what every data source of the provider holds: the
// client, from Configure.
type dataSourceBase struct {
	client *client.Client
}

func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req, &resp.Diagnostics)
}

func (d *dataSourceBase) setClient(c *client.Client) { d.client = c }

// readInto is the framework's Read of a stateReader: the same bytes as the
// protocol server sends, decoded.
func readInto(ctx context.Context, d stateReader, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	typ, ok := req.Config.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		resp.Diagnostics.AddError("Internal error", "The data source's schema is not an object. This is always a bug in the provider; please report it.")
		return
	}
	b, diags := d.readState(ctx, req.Config, typ)
	resp.Diagnostics.Append(diags...)
	if b == nil {
		return
	}
	v, err := (&tfprotov6.DynamicValue{MsgPack: b}).Unmarshal(typ)
	if err != nil {
		resp.Diagnostics.AddError("Internal error", fmt.Sprintf("Decoding the state: %v. This is always a bug in the provider; please report it.", err))
		return
	}
	resp.State.Raw = v
}

// attrWriter writes one attribute's value into the state itself, for the
// attributes too large to build as Terraform values first.
type attrWriter func(enc *msgpack.Encoder) error

// encodeState returns a data source's state as msgpack: the configuration
// config (an object of type typ), with the attributes of set replaced and
// those of stream written by their writers. sizeHint is the bytes the
// streamed attributes are expected to take.
func encodeState(typ tftypes.Object, config tftypes.Value, set map[string]tftypes.Value, stream map[string]attrWriter, sizeHint int) ([]byte, error) {
	var old map[string]tftypes.Value
	if err := config.As(&old); err != nil {
		return nil, fmt.Errorf("reading the configuration: %w", err)
	}
	for name := range set {
		if _, ok := typ.AttributeTypes[name]; !ok {
			return nil, fmt.Errorf("the schema has no attribute %q", name)
		}
	}
	for name := range stream {
		if _, ok := typ.AttributeTypes[name]; !ok {
			return nil, fmt.Errorf("the schema has no attribute %q", name)
		}
	}
	names := make([]string, 0, len(typ.AttributeTypes))
	for name := range typ.AttributeTypes {
		names = append(names, name)
	}
	// Sorted, as terraform-plugin-go writes objects.
	slices.Sort(names)

	var buf bytes.Buffer
	buf.Grow(1024 + sizeHint)
	enc := msgpack.NewEncoder(&buf)
	if err := enc.EncodeMapLen(len(names)); err != nil {
		return nil, err
	}
	for _, name := range names {
		if err := enc.EncodeString(name); err != nil {
			return nil, err
		}
		if w, ok := stream[name]; ok {
			if err := w(enc); err != nil {
				return nil, err
			}
			continue
		}
		v, ok := set[name]
		if !ok {
			if v, ok = old[name]; !ok {
				return nil, fmt.Errorf("the configuration has no attribute %q", name)
			}
		}
		// The schema's type, not the value's: a dynamic attribute is
		// written with its value's type, as Terraform wants it.
		dv, err := tfprotov6.NewDynamicValue(typ.AttributeTypes[name], v)
		if err != nil {
			return nil, fmt.Errorf("encoding attribute %q: %w", name, err)
		}
		buf.Write(dv.MsgPack)
	}
	return buf.Bytes(), nil
}

// tfValue converts a framework value to the protocol's, for encodeState.
func tfValue(ctx context.Context, v interface {
	ToTerraformValue(context.Context) (tftypes.Value, error)
}) tftypes.Value {
	tv, err := v.ToTerraformValue(ctx)
	if err != nil {
		// The framework's own types never fail here.
		panic(fmt.Sprintf("converting a %T: %v", v, err))
	}
	return tv
}

// readEnv is what every read works within: where, how long, how often.
type readEnv struct {
	scope
	timeout  time.Duration
	interval time.Duration
}

// beginRead does what every Read does first: it checks that the provider
// is configured, works out the read timeout and poll interval, bounds ctx
// by the timeout, and resolves the region and project. The caller calls
// cancel when ok, and stops when not.
func (d *dataSourceBase) beginRead(ctx context.Context, t readTimeouts, region, projectID types.String, diags *diag.Diagnostics) (context.Context, context.CancelFunc, readEnv, bool) {
	if d.client == nil {
		notConfigured(diags)
		return ctx, nil, readEnv{}, false
	}
	timeout, interval := readLimits(ctx, t.timeouts, t.def, t.pollInterval, diags)
	if diags.HasError() {
		return ctx, nil, readEnv{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	sc, ok := resolveScope(ctx, d.client, region, projectID, timeout, diags)
	if !ok {
		cancel()
		return ctx, nil, readEnv{}, false
	}
	return ctx, cancel, readEnv{scope: sc, timeout: timeout, interval: interval}, true
}

// addWaitTimeout is the diagnostic of a wait that ran out of time, on the
// argument that names what was waited for; detail says where it stood.
func addWaitTimeout(diags *diag.Diagnostics, at path.Path, what, detail string) {
	diags.AddAttributeError(at, "Timed out waiting for the "+what,
		detail+"\n\nRaise timeouts.read, or leave out wait_for_completion to read the "+what+" as it is.")
}
