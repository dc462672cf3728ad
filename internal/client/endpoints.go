package client

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// The services the client calls, which are also the keys of Config.Endpoints.
const (
	ServiceIAM       = "iam"
	ServiceDMS       = "dms"
	ServiceDCS       = "dcs"
	ServiceGaussDB   = "gaussdb"
	ServiceRDS       = "rds"
	ServiceOpenGauss = "opengauss"
	ServiceDDS       = "dds"
	ServiceGeminiDB  = "geminidb"
	ServiceECS       = "ecs"
	ServiceEVS       = "evs"
	ServiceIMS       = "ims"
	ServiceCCE       = "cce"
)

// CloudEU is the domain of Huawei Cloud's European sovereign region,
// eu-west-101, which uses it without being told.
const CloudEU = "myhuaweicloud.eu"

// KnownClouds are the endpoint domains the client builds endpoints for.
// Any other domain is most likely a typo; a private cloud sets every
// endpoint instead.
var KnownClouds = []string{DefaultCloud, CloudEU, CloudOTC}

// EndpointKeys lists the valid keys of Config.Endpoints.
var EndpointKeys = []string{ServiceCCE, ServiceDCS, ServiceDDS, ServiceDMS, ServiceECS, ServiceEVS, ServiceGaussDB, ServiceGeminiDB, ServiceIAM, ServiceIMS, ServiceOpenGauss, ServiceRDS}

// hostNames are the first labels of the services' public host names, where
// they differ from the key: the official provider's names.
var hostNames = map[string]string{
	ServiceOpenGauss: "gaussdb-opengauss",
	ServiceGeminiDB:  "gaussdb-nosql",
}

// openGaussOnGaussDB lists the regions of Huawei Cloud whose openGauss
// endpoint is "gaussdb.", where elsewhere that host is GaussDB(for MySQL)
// (the SDK's region table; the official provider always uses
// "gaussdb-opengauss.").
var openGaussOnGaussDB = []string{"cn-east-2", "cn-east-4", "cn-east-5", "cn-north-12", "ap-southeast-5", "tr-west-1", "me-east-1", "af-north-1"}

func isService(s string) bool { return slices.Contains(EndpointKeys, s) }

// ParseEndpoint checks a base URL given to override a service's endpoint:
// an absolute http or https URL with a host, and no query, fragment or user
// info. A trailing slash is dropped; a path prefix is kept, for proxies.
func ParseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q must start with https:// or http://", raw)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host", raw)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("%q must not have a query or fragment", raw)
	case u.User != nil:
		return nil, errors.New("an endpoint URL must not hold user info")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// gaussdbPrefix lists the regions whose GaussDB(for MySQL) endpoint does not
// use the usual "gaussdb." host name on Huawei Cloud.
var gaussdbPrefix = map[string]string{
	"ap-southeast-1": "gaussdbformysql",
	"ap-southeast-2": "gaussdbformysql",
	"tr-west-1":      "gaussdbformysql",
	"cn-north-11":    "gaussdbformysql",
	"me-east-1":      "gaussdbformysql",
	"af-south-1":     "gaussdb-mysql",
	"cn-east-5":      "gaussdb-mysql",
	"la-north-2":     "gaussdb-mysql",
	"cn-southwest-3": "gaussdb-mysql",
}

// cloudFor returns the endpoint domain for a region: eu-west-101 lives on
// myhuaweicloud.eu, not on the default domain.
func cloudFor(cloud, region string) string {
	if cloud == "" {
		cloud = DefaultCloud
	}
	if cloud == DefaultCloud && region == "eu-west-101" {
		return CloudEU
	}
	return cloud
}

// BaseURL returns the base URL of a service in a region: the override when
// one is configured, otherwise the public endpoint.
func (c *Client) BaseURL(service, region string) (*url.URL, error) {
	if u, ok := c.endpoints[service]; ok {
		return u, nil
	}
	if !isService(service) {
		return nil, fmt.Errorf("unknown service %q; this is always a bug in the provider, please report it", service)
	}
	if region == "" {
		return nil, errors.New("no region to build an endpoint from")
	}
	cloud := cloudFor(c.cfg.Cloud, region)
	prefix := service
	if h, ok := hostNames[service]; ok {
		prefix = h
	}
	switch service {
	case ServiceGaussDB:
		switch {
		case cloud == CloudOTC:
			prefix = "gaussdb-mysql"
		case cloud == DefaultCloud && gaussdbPrefix[region] != "":
			prefix = gaussdbPrefix[region]
		}
	case ServiceOpenGauss:
		if cloud == CloudOTC || (cloud == DefaultCloud && slices.Contains(openGaussOnGaussDB, region)) {
			prefix = "gaussdb"
		}
	}
	return &url.URL{Scheme: "https", Host: prefix + "." + region + "." + cloud}, nil
}
