package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MaxSharedConfigBytes bounds the shared config file. KooCLI writes a few
// KB per profile; a larger file is not one.
const MaxSharedConfigBytes = 1 << 20

// Profile is one profile of KooCLI's shared config file
// (~/.hcloud/config.json), as the official provider reads it.
type Profile struct {
	Name string
	// Mode is the profile's mode: "AKSK", "SSO", or another KooCLI mode,
	// read as AKSK.
	Mode string
	// The keys: accessKeyId, secretAccessKey and securityToken, or for SSO
	// those of ssoAuth.stsToken.
	AccessKey, SecretKey, SecurityToken string
	Region, ProjectID, DomainID         string
	// The agency the profile assumes on top of its keys, if any.
	AgencyName, AgencyDomainName, AgencyDomainID string
}

// DefaultSharedConfigFile returns $HOME/.hcloud/config.json
// (%USERPROFILE% on Windows), where KooCLI keeps its profiles.
func DefaultSharedConfigFile() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".hcloud", "config.json"), nil
}

// SharedConfigError is a shared config file or profile that cannot give
// credentials. Its text names the file and the profile and never quotes
// the file's content.
type SharedConfigError struct {
	Path    string
	Profile string // "" when the file itself is at fault
	Summary string
	Detail  string
}

func (e *SharedConfigError) Error() string { return e.Detail }

type sharedConfigJSON struct {
	Current  string        `json:"current"`
	Profiles []profileJSON `json:"profiles"`
}

type profileJSON struct {
	Name             string `json:"name"`
	Mode             string `json:"mode"`
	AccessKeyID      string `json:"accessKeyId"`
	SecretAccessKey  string `json:"secretAccessKey"`
	SecurityToken    string `json:"securityToken"`
	Region           string `json:"region"`
	ProjectID        string `json:"projectId"`
	DomainID         string `json:"domainId"`
	AgencyName       string `json:"agencyName"`
	AgencyDomainName string `json:"agencyDomainName"`
	AgencyDomainID   string `json:"agencyDomainId"`
	SSOAuth          *struct {
		STSToken *struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SecurityToken   string `json:"securityToken"`
		} `json:"stsToken"`
	} `json:"ssoAuth"`
}

// LoadProfile reads profile name of the shared config file at path, or the
// file's current profile when name is empty. A leading "~/" in path is the
// home directory. The profile must hold an access key and a secret key.
func LoadProfile(path, name string) (Profile, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return Profile{}, &SharedConfigError{Path: path, Summary: "Cannot find the shared config file",
				Detail: "The shared config file " + path + " starts with ~/, but the home directory is unknown: " + err.Error() + "."}
		}
		path = filepath.Join(home, rest)
	}
	data, err := readSharedConfig(path)
	if err != nil {
		return Profile{}, err
	}
	var f sharedConfigJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return Profile{}, &SharedConfigError{Path: path, Summary: "Invalid shared config file",
			Detail: fmt.Sprintf("The shared config file %s is not valid JSON%s. Check it, or run `hcloud configure list` to see what KooCLI makes of it.", path, jsonErrorPlace(data, err))}
	}
	want := name
	if want == "" {
		want = f.Current
		if want == "" {
			return Profile{}, &SharedConfigError{Path: path, Summary: "No current profile",
				Detail: fmt.Sprintf("The shared config file %s names no current profile. Set profile (HW_PROFILE) to one of its profiles: %s.", path, profileNames(f.Profiles))}
		}
	}
	for _, p := range f.Profiles {
		if p.Name != want {
			continue
		}
		prof := Profile{Name: p.Name, Mode: p.Mode,
			AccessKey: p.AccessKeyID, SecretKey: p.SecretAccessKey, SecurityToken: p.SecurityToken,
			Region: p.Region, ProjectID: p.ProjectID, DomainID: p.DomainID,
			AgencyName: p.AgencyName, AgencyDomainName: p.AgencyDomainName, AgencyDomainID: p.AgencyDomainID}
		where := fmt.Sprintf("Profile %q of the shared config file %s", p.Name, path)
		if strings.EqualFold(p.Mode, "SSO") {
			if p.SSOAuth == nil || p.SSOAuth.STSToken == nil {
				return Profile{}, &SharedConfigError{Path: path, Profile: p.Name, Summary: "Profile without keys",
					Detail: where + " is in SSO mode but has no ssoAuth.stsToken. Sign in again with `hcloud configure sso`, or choose another profile."}
			}
			t := p.SSOAuth.STSToken
			prof.AccessKey, prof.SecretKey, prof.SecurityToken = t.AccessKeyID, t.SecretAccessKey, t.SecurityToken
		}
		var missing []string
		prefix := ""
		if strings.EqualFold(p.Mode, "SSO") {
			prefix = "ssoAuth.stsToken."
		}
		if prof.AccessKey == "" {
			missing = append(missing, prefix+"accessKeyId")
		}
		if prof.SecretKey == "" {
			missing = append(missing, prefix+"secretAccessKey")
		}
		if len(missing) > 0 {
			return Profile{}, &SharedConfigError{Path: path, Profile: p.Name, Summary: "Profile without keys",
				Detail: where + " has no " + strings.Join(missing, " and ") + ". Give the profile AK/SK keys (`hcloud configure set`), or choose another profile."}
		}
		return prof, nil
	}
	how := "Set profile (HW_PROFILE)"
	if name == "" {
		how = "Its current profile is missing; set current, or set profile (HW_PROFILE)"
	}
	return Profile{}, &SharedConfigError{Path: path, Profile: want, Summary: "Profile not found",
		Detail: fmt.Sprintf("The shared config file %s has no profile %q. %s to one of its profiles: %s.", path, want, how, profileNames(f.Profiles))}
}

// readSharedConfig reads a regular file of at most MaxSharedConfigBytes.
func readSharedConfig(path string) ([]byte, error) {
	fail := func(summary, detail string) error {
		return &SharedConfigError{Path: path, Summary: summary, Detail: detail}
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fail("Shared config file not found",
			"The shared config file "+path+" does not exist. Create it with `hcloud configure init`, or set shared_config_file (HW_SHARED_CONFIG_FILE) to where it is.")
	case err != nil:
		return nil, fail("Cannot read the shared config file", "Cannot read the shared config file "+path+": "+CleanText(err.Error())+".")
	case !info.Mode().IsRegular():
		return nil, fail("Cannot read the shared config file", "The shared config file "+path+" is "+fileKind(info.Mode())+", not a regular file.")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail("Cannot read the shared config file", "Cannot read the shared config file "+path+": "+CleanText(err.Error())+".")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSharedConfigBytes+1))
	if err != nil {
		return nil, fail("Cannot read the shared config file", "Cannot read the shared config file "+path+": "+CleanText(err.Error())+".")
	}
	if len(data) > MaxSharedConfigBytes {
		return nil, fail("Shared config file too large",
			fmt.Sprintf("The shared config file %s is larger than %d MiB; KooCLI's files are a few KB. Check the path.", path, MaxSharedConfigBytes>>20))
	}
	return data, nil
}

// jsonErrorPlace says where a JSON error is, by line and column, and what
// kind it is, without quoting the file: it holds keys.
func jsonErrorPlace(data []byte, err error) string {
	var off int64
	var kind string
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off, kind = se.Offset, "a syntax error"
	case errors.As(err, &te):
		off, kind = te.Offset, fmt.Sprintf("%s where %s was expected", te.Value, te.Type.Kind())
		if te.Field != "" {
			kind = fmt.Sprintf("%s has %s", strconv.Quote(te.Field), kind)
		}
	default:
		return ""
	}
	if off < 0 || off > int64(len(data)) {
		return ": " + kind
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return fmt.Sprintf(": %s at line %d, column %d", kind, line, col)
}

// profileNames lists the profiles' names for a message, cleaned, at most
// ten of them.
func profileNames(ps []profileJSON) string {
	if len(ps) == 0 {
		return "it has none"
	}
	var names []string
	for i, p := range ps {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(ps)-10))
			break
		}
		names = append(names, strconv.Quote(CleanCut(p.Name, 64)))
	}
	return strings.Join(names, ", ")
}
