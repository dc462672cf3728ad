#!/usr/bin/env bash
# Write the provider's schema, as `terraform providers schema -json` prints it,
# to the file named by $1. `make docs` hands it to tfplugindocs with
# --providers-schema.
#
# tfplugindocs can export the schema itself, but it writes a configuration
# with a bare `provider "hwtasks" {}` block. Terraform reads that as
# registry.terraform.io/hashicorp/hwtasks, OpenTofu as
# registry.opentofu.org/hashicorp/hwtasks, which is not where tfplugindocs
# puts the plugin, so `init` fails under the OpenTofu fallback. This script
# names the source address explicitly, which works with both CLIs, and the
# result is keyed "registry.terraform.io/hashicorp/hwtasks", one of the two
# keys tfplugindocs looks for.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 OUTPUT.json" >&2
	exit 2
fi
out=$1

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

# A TF_CLI_CONFIG_FILE naming a missing file only makes the CLI warn.
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "${TF_CLI_CONFIG_FILE}" ]]; then
	unset TF_CLI_CONFIG_FILE
fi
export CHECKPOINT_DISABLE=1

tf="$("${repo_root}/scripts/terraform.sh")"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

plugin_dir="${work}/plugins/registry.terraform.io/hashicorp/hwtasks/0.0.1/$(go env GOOS)_$(go env GOARCH)"
mkdir -p "${plugin_dir}"
(cd "${repo_root}" && go build -o "${plugin_dir}/terraform-provider-hwtasks$(go env GOEXE)" .)

cat >"${work}/main.tf" <<'EOF'
terraform {
  required_providers {
    hwtasks = {
      source = "registry.terraform.io/hashicorp/hwtasks"
    }
  }
}
EOF

if ! "${tf}" -chdir="${work}" init -input=false -no-color -plugin-dir="${work}/plugins" >"${work}/init.log" 2>&1; then
	cat "${work}/init.log" >&2
	echo "providers-schema.sh: ${tf} init failed" >&2
	exit 1
fi

# Write through a temporary file so a failure leaves no half-written schema.
"${tf}" -chdir="${work}" providers schema -json >"${work}/schema.json"
mv -f "${work}/schema.json" "${out}"
