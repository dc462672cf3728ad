package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/hwtasks/terraform-provider-hwtasks/internal/client"
)

// credentialAttrs are the arguments that hold credentials, in the order
// messages list them. domain_name is one too, but it alone does not make a
// source hold credentials: it names the account of user_name.
var credentialAttrs = []string{"token", "access_key", "secret_key", "security_token", "user_name", "password"}

// credentialSet is the credentials one source holds.
type credentialSet struct {
	// source names it in messages: "the provider block", "the
	// environment", "profile \"ops\" of /home/u/.hcloud/config.json".
	source string
	values map[string]string // argument → value; domain_name included
	// from names, per argument, where the value came from when that is
	// more precise than source: the environment variable.
	from map[string]string
}

func (s credentialSet) holds() bool {
	for _, a := range credentialAttrs {
		if s.values[a] != "" {
			return true
		}
	}
	return false
}

// held lists the arguments the source sets, as they are named there.
func (s credentialSet) held() string {
	var names []string
	for _, a := range append(credentialAttrs, "domain_name") {
		if s.values[a] != "" {
			names = append(names, orDefaultString(s.from[a], a))
		}
	}
	return strings.Join(names, ", ")
}

func orDefaultString(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func blockCredentials(m providerModel) credentialSet {
	s := credentialSet{source: "the provider block", values: map[string]string{}, from: map[string]string{}}
	for a, v := range map[string]types.String{
		"token": m.Token, "access_key": m.AccessKey, "secret_key": m.SecretKey, "security_token": m.SecurityToken,
		"user_name": m.UserName, "password": m.Password, "domain_name": m.DomainName,
	} {
		if !v.IsNull() && !v.IsUnknown() {
			s.values[a] = v.ValueString()
		}
	}
	return s
}

func envCredentials() credentialSet {
	s := credentialSet{source: "the environment", values: map[string]string{}, from: map[string]string{}}
	for _, a := range append(credentialAttrs, "domain_name") {
		if name := envSource(a); name != "" {
			s.values[a], s.from[a] = os.Getenv(name), name
		}
	}
	return s
}

func profileCredentials(p client.Profile, file string) credentialSet {
	return credentialSet{
		source: fmt.Sprintf("profile %q of the shared config file %s", p.Name, file),
		values: map[string]string{"access_key": p.AccessKey, "secret_key": p.SecretKey, "security_token": p.SecurityToken},
		from:   map[string]string{},
	}
}

// assumeRoleModel is the assume_role block.
type assumeRoleModel struct {
	AgencyName types.String `tfsdk:"agency_name"`
	DomainName types.String `tfsdk:"domain_name"`
	DomainID   types.String `tfsdk:"domain_id"`
	Duration   types.Int64  `tfsdk:"duration"`
}

// credentialsChoice is what resolveCredentials decided, for Configure's
// messages.
type credentialsChoice struct {
	winner  *credentialSet // nil when ECS metadata is asked
	tried   []credentialSet
	profile *client.Profile
	file    string // the shared config file, when read
	// agencyFrom says where assume_role came from, for messages: the
	// attribute path to point at, and a description.
	agencyPath path.Path
	agencyFrom string
}

// resolveCredentials fills the credentials of cfg, and its region and
// project when not set, from the first source that holds any credentials:
//  1. the provider block;
//  2. the environment;
//  3. the shared config file, when shared_config_file or profile is set;
//  4. ECS metadata.
//
// The first source that holds any credential supplies all of them, so a
// stale HW_AUTH_TOKEN in a shell never beats keys written in the block.
// Within that source, client.ChooseAuth picks token, then AK/SK, then the
// password. An agency (assume_role, from the block, then the environment,
// then the profile) applies on top of whichever source won.
func resolveCredentials(ctx context.Context, m providerModel, cfg *client.Config) (credentialsChoice, diag.Diagnostics) {
	var diags diag.Diagnostics
	var ch credentialsChoice
	block, env := blockCredentials(m), envCredentials()
	ch.tried = []credentialSet{block, env}

	file := stringSetting(m.SharedConfigFile, "shared_config_file")
	profileName := stringSetting(m.Profile, "profile")
	if file != "" || profileName != "" {
		if file == "" {
			def, err := client.DefaultSharedConfigFile()
			if err != nil {
				diags.AddAttributeError(path.Root("shared_config_file"), "Cannot find the shared config file",
					"profile is set, but the home directory that holds ~/.hcloud/config.json is unknown ("+err.Error()+"). Set shared_config_file (HW_SHARED_CONFIG_FILE).")
				return ch, diags
			}
			file = def
		}
		p, err := client.LoadProfile(file, profileName)
		if err != nil {
			var se *client.SharedConfigError
			if errors.As(err, &se) {
				at, setting := path.Root("shared_config_file"), envSource("shared_config_file")
				if se.Profile != "" {
					at, setting = path.Root("profile"), envSource("profile")
				}
				detail := se.Detail
				if (at.Equal(path.Root("profile")) && m.Profile.IsNull()) || (at.Equal(path.Root("shared_config_file")) && m.SharedConfigFile.IsNull()) {
					if setting != "" {
						detail += " (The setting came from " + setting + ".)"
					}
				}
				diags.AddAttributeError(at, se.Summary, detail)
				return ch, diags
			}
			diags.AddAttributeError(path.Root("shared_config_file"), "Cannot read the shared config file", err.Error())
			return ch, diags
		}
		ch.profile, ch.file = &p, file
		ch.tried = append(ch.tried, profileCredentials(p, file))
	}

	for i := range ch.tried {
		if ch.tried[i].holds() {
			ch.winner = &ch.tried[i]
			break
		}
	}
	if w := ch.winner; w != nil {
		v := w.values
		cfg.Token, cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = v["token"], v["access_key"], v["secret_key"], v["security_token"]
		cfg.UserName, cfg.Password, cfg.DomainName = v["user_name"], v["password"], v["domain_name"]
		if ch.profile != nil && w == &ch.tried[len(ch.tried)-1] {
			// The profile's account: X-Domain-Id of IAM's global calls.
			cfg.DomainID = ch.profile.DomainID
		}
	} else {
		cfg.Metadata = true
		cfg.MetadataEndpoint = os.Getenv("HW_METADATA_ENDPOINT")
	}
	if p := ch.profile; p != nil {
		// Region and project fall back to the profile's, after the block
		// and the environment, whichever source supplies the credentials.
		if cfg.Region == "" {
			cfg.Region = p.Region
		}
		if cfg.ProjectID == "" {
			cfg.ProjectID = p.ProjectID
		}
		if w := ch.winner; w != nil && w.source != ch.tried[len(ch.tried)-1].source {
			diags.AddAttributeWarning(profileOrFile(m), "Credentials of the profile not used",
				fmt.Sprintf("The shared config file is read (profile %q of %s), but %s holds credentials (%s), and the first source that holds any supplies them all: "+
					"the provider block, then the environment, then the shared config file. Remove those to use the profile's keys.", p.Name, ch.file, w.source, w.held()))
		}
	}

	diags.Append(resolveAssumeRole(ctx, m, cfg, &ch)...)
	return ch, diags
}

func profileOrFile(m providerModel) path.Path {
	if m.Profile.IsNull() && !m.SharedConfigFile.IsNull() {
		return path.Root("shared_config_file")
	}
	return path.Root("profile")
}

// resolveAssumeRole sets cfg.AssumeRole from the assume_role block, whose
// arguments each fall back to their environment variable; else from the
// environment, where HW_ASSUME_ROLE_AGENCY_NAME alone turns it on, as in
// the official provider; else from the profile's agencyName.
func resolveAssumeRole(ctx context.Context, m providerModel, cfg *client.Config, ch *credentialsChoice) diag.Diagnostics {
	var diags diag.Diagnostics
	var ar assumeRoleModel
	blockSet := !m.AssumeRole.IsNull() && !m.AssumeRole.IsUnknown()
	if blockSet {
		diags.Append(m.AssumeRole.As(ctx, &ar, basetypes.ObjectAsOptions{})...)
		if diags.HasError() {
			return diags
		}
		for name, v := range map[string]attr.Value{"agency_name": ar.AgencyName, "domain_name": ar.DomainName, "domain_id": ar.DomainID, "duration": ar.Duration} {
			if v.IsUnknown() {
				diags.AddAttributeError(path.Root("assume_role").AtName(name), "Unknown value for assume_role."+name,
					"The provider cannot be configured while assume_role."+name+" is unknown: its value is only known after apply. Give it a value known at plan time.")
			}
		}
		if diags.HasError() {
			return diags
		}
	} else {
		ar = assumeRoleModel{AgencyName: types.StringNull(), DomainName: types.StringNull(), DomainID: types.StringNull(), Duration: types.Int64Null()}
	}
	a := client.AssumeRole{
		AgencyName: stringSetting(ar.AgencyName, "assume_role.agency_name"),
		DomainName: stringSetting(ar.DomainName, "assume_role.domain_name"),
		DomainID:   stringSetting(ar.DomainID, "assume_role.domain_id"),
	}
	if n, ok := intSetting(ar.Duration, "assume_role.duration", int(client.MinAssumeDuration.Seconds()), int(client.MaxAssumeDuration.Seconds()), &diags); ok {
		a.Duration = time.Duration(n) * time.Second
	}
	switch {
	case blockSet || a.AgencyName != "":
		ch.agencyPath, ch.agencyFrom = path.Root("assume_role"), "assume_role"
		if !blockSet {
			ch.agencyFrom = "HW_ASSUME_ROLE_AGENCY_NAME"
		}
	case ch.profile != nil && ch.profile.AgencyName != "":
		p := ch.profile
		// The profile's agencyDomainId is sent when present, as IAM
		// advises; the official provider reads it but does not use it.
		a = client.AssumeRole{AgencyName: p.AgencyName, DomainName: p.AgencyDomainName, DomainID: p.AgencyDomainID}
		ch.agencyPath, ch.agencyFrom = profileOrFile(m), fmt.Sprintf("the agency of profile %q (agencyName)", p.Name)
	default:
		return diags
	}
	cfg.AssumeRole = &a
	return diags
}

// noCredentialsDetail lists every source the provider looked in, in order,
// with what it found there, for a diagnostic when none gave credentials.
func noCredentialsDetail(ch credentialsChoice, metadataErr error) string {
	var b strings.Builder
	b.WriteString("No credentials were found. The provider looked in these places, in this order, and the first that holds any credentials supplies them all:\n")
	b.WriteString("  1. the provider block: none of token, access_key and secret_key, or user_name and password is set;\n")
	b.WriteString("  2. the environment: none of HW_AUTH_TOKEN, HW_ACCESS_KEY and HW_SECRET_KEY, or HW_USER_NAME and HW_USER_PASSWORD is set (nor their OS_ forms);\n")
	if ch.profile != nil {
		fmt.Fprintf(&b, "  3. the shared config file: profile %q of %s holds no keys;\n", ch.profile.Name, ch.file)
	} else {
		b.WriteString("  3. the shared config file: not read, since neither shared_config_file (HW_SHARED_CONFIG_FILE) nor profile (HW_PROFILE) is set;\n")
	}
	fmt.Fprintf(&b, "  4. ECS metadata: %s.\n", strings.TrimSuffix(metadataErr.Error(), "."))
	b.WriteString("Give one of these: token (HW_AUTH_TOKEN), an IAM token; access_key and secret_key (HW_ACCESS_KEY and HW_SECRET_KEY), with security_token (HW_SECURITY_TOKEN) for temporary keys; " +
		"user_name, password and domain_name (HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME); or profile (HW_PROFILE) to use KooCLI's ~/.hcloud/config.json. " +
		"Within one source, the token wins over AK/SK, and AK/SK over the password.")
	return b.String()
}

// credentialFieldNote explains, for a credential argument a ConfigError
// names, which source supplied the credentials.
func credentialFieldNote(ch credentialsChoice, field string) string {
	w := ch.winner
	if w == nil {
		return ""
	}
	note := " The credentials come from " + w.source + " (" + w.held() + ")"
	if from := w.from[field]; from != "" {
		return note + "; the value came from " + from + "."
	}
	return note + ", the first source that holds any, and all of them come from there: values of another source are not used."
}

// isCredentialField reports whether a client.ConfigError's field is an
// argument of the credentials.
func isCredentialField(field string) bool {
	for _, a := range append(credentialAttrs, "domain_name") {
		if a == field {
			return true
		}
	}
	return false
}

// configErrorDiagnostic points a client.ConfigError at its argument, and
// says where a credential's value came from.
func configErrorDiagnostic(ce *client.ConfigError, ch credentialsChoice) diag.Diagnostic {
	detail := ce.Detail
	switch {
	case strings.HasPrefix(ce.Field, "HW_"):
		// A setting with no argument of its own.
		return diag.NewErrorDiagnostic(ce.Summary, detail)
	case ce.Field == "assume_role" || strings.HasPrefix(ce.Field, "assume_role."):
		at := ch.agencyPath
		if at.Equal(path.Root("assume_role")) {
			if name, ok := strings.CutPrefix(ce.Field, "assume_role."); ok {
				at = at.AtName(name)
			}
			if ch.agencyFrom != "assume_role" {
				detail += " (assume_role is on because " + ch.agencyFrom + " is set.)"
			}
		} else if ch.agencyFrom != "" {
			detail += " (The agency is " + ch.agencyFrom + ".)"
		}
		if ce.Field == "assume_role" && ch.winner != nil {
			detail += " The credentials come from " + ch.winner.source + " (" + ch.winner.held() + ")."
		}
		return diag.NewAttributeErrorDiagnostic(at, ce.Summary, detail)
	case isCredentialField(ce.Field):
		return diag.NewAttributeErrorDiagnostic(path.Root(ce.Field), ce.Summary, detail+credentialFieldNote(ch, ce.Field))
	}
	// A bad value may come from the environment, not the block.
	if src := envSource(ce.Field); src != "" {
		detail += " (The value came from " + src + ".)"
	}
	return diag.NewAttributeErrorDiagnostic(configPath(ce.Field), ce.Summary, detail)
}

// keysErrorDiagnostic reports base credentials or an agency that gave no
// keys while the provider was configured.
func keysErrorDiagnostic(ctx context.Context, err error, cfg client.Config, ch credentialsChoice) diag.Diagnostic {
	var metaErr *client.MetadataError
	var apiErr *client.APIError
	switch {
	case ctx.Err() != nil:
		return diag.NewErrorDiagnostic("Cancelled", "Stopped while obtaining credentials: "+err.Error())
	case cfg.Metadata && errors.As(err, &metaErr):
		return diag.NewErrorDiagnostic("No credentials", noCredentialsDetail(ch, metaErr))
	case cfg.AssumeRole != nil && errors.As(err, &apiErr):
		a := cfg.AssumeRole
		var credErr *client.CredentialsError
		if errors.As(err, &credErr) {
			err = credErr.Err // the summary already names the agency
		}
		hint := "Check assume_role and the base credentials."
		switch apiErr.StatusCode {
		case http.StatusUnauthorized:
			hint = "IAM rejected the base credentials that assume the agency: check them (they come from " + baseSource(ch) + "), and this machine's clock."
		case http.StatusForbidden:
			// IAM documents IAM.0002 (403) and IAM.0004 (404); which one an
			// unknown agency gets is not documented, so both hints cover it.
			hint = "The base credentials may not assume this agency, or it does not exist. Check agency_name, and domain_name or domain_id (the account that created the agency, not your own); " +
				"that the agency trusts the account of the base credentials (" + baseSource(ch) + "); and that their IAM user is allowed to assume it."
		case http.StatusNotFound:
			hint = "IAM does not know this agency. Check agency_name, and domain_name or domain_id (the account that created the agency, not your own)."
		case http.StatusBadRequest:
			hint = "IAM refused the request. Check agency_name, domain_name or domain_id, and duration (900 to 86400 seconds)."
		}
		return diag.NewAttributeErrorDiagnostic(ch.agencyPath, "Cannot assume agency "+quoted(a.AgencyName),
			fmt.Sprintf("Could not obtain the temporary keys of %s: %v.\n\n%s", agencyText(a), err, hint))
	case cfg.AssumeRole != nil:
		return diag.NewAttributeErrorDiagnostic(ch.agencyPath, "Cannot assume agency "+quoted(cfg.AssumeRole.AgencyName),
			fmt.Sprintf("Could not obtain the temporary keys of %s: %v.\n\nCheck endpoints.iam if set, the network and the proxy settings (HTTPS_PROXY, NO_PROXY).", agencyText(cfg.AssumeRole), err))
	}
	return diag.NewErrorDiagnostic("Cannot obtain credentials", err.Error())
}

func agencyText(a *client.AssumeRole) string {
	if a.DomainID != "" {
		return fmt.Sprintf("agency %q of domain ID %s", a.AgencyName, a.DomainID)
	}
	return fmt.Sprintf("agency %q of domain %q", a.AgencyName, a.DomainName)
}

func baseSource(ch credentialsChoice) string {
	if ch.winner == nil {
		return "ECS metadata"
	}
	return ch.winner.source
}
