package main

import (
	"maps"
	"testing"
)

func TestLogLevels(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"Terraform logs nothing", nil,
			map[string]string{providerLogLevelEnv: "off", sdkLogLevelEnv: "off"}},
		{"TF_LOG", map[string]string{"TF_LOG": "debug"},
			map[string]string{providerLogLevelEnv: "debug", sdkLogLevelEnv: "debug"}},
		{"TF_LOG_PROVIDER wins over TF_LOG", map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "Warn"},
			map[string]string{providerLogLevelEnv: "warn", sdkLogLevelEnv: "warn"}},
		{"TF_LOG=JSON is TRACE", map[string]string{"TF_LOG": "json"},
			map[string]string{providerLogLevelEnv: "trace", sdkLogLevelEnv: "trace"}},
		{"an unknown level is TRACE, as Terraform takes it", map[string]string{"TF_LOG": "verbose"},
			map[string]string{providerLogLevelEnv: "trace", sdkLogLevelEnv: "trace"}},
		{"TF_LOG=off", map[string]string{"TF_LOG": "off"},
			map[string]string{providerLogLevelEnv: "off", sdkLogLevelEnv: "off"}},
		{"levels the user set stay", map[string]string{providerLogLevelEnv: "trace", sdkLogLevelEnv: "info"},
			map[string]string{}},
		{"one set, one mirrored", map[string]string{"TF_LOG": "info", sdkLogLevelEnv: "trace"},
			map[string]string{providerLogLevelEnv: "info"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := logLevels(func(k string) string { return tc.env[k] })
			if !maps.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
