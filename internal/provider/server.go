package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewProtocol6Server returns the constructor of the provider's protocol
// server, for main and for the tests: the framework's server, except that
// it reads the data sources itself.
//
// Why: after a data source's Read, the framework copies the whole state
// twice, converts every attribute into its own values to compare them
// (semantic equality, which no attribute here uses), and encodes the state
// through a generic walk. For 10,000 tasks that held about 70 MB live at
// once, and the plugin's memory went past 200 MiB. Served here, the state
// is the msgpack each data source's readState writes (state.go), sent as
// it is. The framework's Read decodes the same bytes, and stays for every
// other call, and as the reference that TestDirectReadMatchesTheFramework
// holds this path to.
func NewProtocol6Server(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &hwtasksProvider{version: version}
		fw, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		return &server{ProviderServer: fw, provider: p, schemas: map[string]directSchema{}}, nil
	}
}

// server is the framework's protocol server with ReadDataSource replaced.
type server struct {
	tfprotov6.ProviderServer
	provider *hwtasksProvider

	mu      sync.Mutex
	schemas map[string]directSchema // by type name
}

// directSchema is a data source's schema, and the Terraform type of its
// state.
type directSchema struct {
	schema tfsdk.Config
	typ    tftypes.Object
}

// directReader returns a new instance of the data source named typeName,
// if it reads its state itself.
func directReader(ctx context.Context, typeName string) (stateReader, bool) {
	for _, newDS := range dataSources {
		d, ok := newDS().(stateReader)
		if !ok {
			continue
		}
		var meta datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "hwtasks"}, &meta)
		if meta.TypeName == typeName {
			return d, true
		}
	}
	return nil, false
}

// ReadDataSource reads a data source's state itself, and hands every
// other read to the framework.
func (s *server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	d, ok := directReader(ctx, req.TypeName)
	data := s.provider.configured()
	if !ok || req.Config == nil || data == nil {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	d.setClient(data.client)
	sch, err := s.schemaOf(ctx, req.TypeName, d)
	if err != nil {
		return nil, err
	}
	resp := &tfprotov6.ReadDataSourceResponse{}
	config, err := req.Config.Unmarshal(sch.typ)
	if err != nil {
		resp.Diagnostics = append(resp.Diagnostics, bugDiagnostic(fmt.Errorf("decoding the configuration: %w", err)))
		return resp, nil
	}
	state, diags := d.readState(ctx, tfsdk.Config{Schema: sch.schema.Schema, Raw: config}, sch.typ)
	if state != nil {
		resp.State = &tfprotov6.DynamicValue{MsgPack: state}
	} else {
		// As the framework does: on an error, the state is the
		// configuration, which Terraform then ignores.
		resp.State = req.Config
	}
	resp.Diagnostics = append(resp.Diagnostics, protoDiagnostics(diags)...)
	return resp, nil
}

// schemaOf returns the schema of the data source d of typeName, made once.
func (s *server) schemaOf(ctx context.Context, typeName string, d datasource.DataSource) (directSchema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.schemas[typeName]; ok {
		return sch, nil
	}
	var resp datasource.SchemaResponse
	d.Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		return directSchema{}, fmt.Errorf("the schema of %s: %v", typeName, resp.Diagnostics)
	}
	typ, ok := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		return directSchema{}, fmt.Errorf("the schema of %s is not an object; this is always a bug in the provider, please report it", typeName)
	}
	sch := directSchema{schema: tfsdk.Config{Schema: resp.Schema}, typ: typ}
	s.schemas[typeName] = sch
	return sch, nil
}

// bugDiagnostic reports a broken invariant of the provider.
func bugDiagnostic(err error) *tfprotov6.Diagnostic {
	return &tfprotov6.Diagnostic{
		Severity: tfprotov6.DiagnosticSeverityError,
		Summary:  "Internal error",
		Detail:   err.Error() + ". This is always a bug in the provider; please report it.",
	}
}

// protoDiagnostics converts diagnostics for the protocol, as the framework
// does, attribute paths included.
func protoDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{Summary: d.Summary(), Detail: d.Detail(), Severity: tfprotov6.DiagnosticSeverityInvalid}
		switch d.Severity() {
		case diag.SeverityError:
			pd.Severity = tfprotov6.DiagnosticSeverityError
		case diag.SeverityWarning:
			pd.Severity = tfprotov6.DiagnosticSeverityWarning
		}
		if dp, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = attributePath(dp.Path())
		}
		out = append(out, pd)
	}
	return out
}

// attributePath converts a framework path into the protocol's, for the
// steps a diagnostic of this provider uses; nil for the root.
func attributePath(p path.Path) *tftypes.AttributePath {
	steps := p.Steps()
	if len(steps) == 0 {
		return nil
	}
	ap := tftypes.NewAttributePath()
	for _, step := range steps {
		switch st := step.(type) {
		case path.PathStepAttributeName:
			ap = ap.WithAttributeName(string(st))
		case path.PathStepElementKeyInt:
			ap = ap.WithElementKeyInt(int(st))
		case path.PathStepElementKeyString:
			ap = ap.WithElementKeyString(string(st))
		default:
			// A set element's value has no simple form; the path up to
			// it still points at the attribute.
			return ap
		}
	}
	return ap
}
