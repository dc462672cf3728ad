#!/usr/bin/env bash
# Run a command (usually `go test`) with the Terraform-compatible CLI from
# scripts/terraform.sh set up for terraform-plugin-testing:
#
#   - TF_ACC_TERRAFORM_PATH names it, so nothing is ever downloaded;
#   - CHECKPOINT_DISABLE=1, and a TF_CLI_CONFIG_FILE that names a missing
#     file is dropped (it would only make every CLI call print a warning);
#   - with the OpenTofu fallback, .tools/bin (holding `tofu` and the
#     `terraform` symlink) goes first on PATH, and TF_ACC_PROVIDER_HOST and
#     TF_ACC_PROVIDER_NAMESPACE default to registry.opentofu.org and
#     hashicorp. OpenTofu reads a provider block without a source address as
#     registry.opentofu.org/hashicorp/<name>, while terraform-plugin-testing
#     would register the in-process provider as registry.terraform.io/-/<name>
#     and registry.terraform.io/hashicorp/<name>, and OpenTofu refuses the
#     first of those outright.
#
# Usage: scripts/with-terraform.sh COMMAND [ARG...]
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 COMMAND [ARG...]" >&2
	exit 2
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -e "${TF_CLI_CONFIG_FILE}" ]]; then
	unset TF_CLI_CONFIG_FILE
fi
export CHECKPOINT_DISABLE=1

tf="$("${repo_root}/scripts/terraform.sh")"
export TF_ACC_TERRAFORM_PATH="${tf}"

if [[ "$(dirname "${tf}")" == "${repo_root}/.tools/bin" ]]; then
	export PATH="${repo_root}/.tools/bin:${PATH}"
fi

tf_version="$("${tf}" version 2>/dev/null || true)"
if [[ "${tf_version}" == OpenTofu* ]]; then
	export TF_ACC_PROVIDER_HOST="${TF_ACC_PROVIDER_HOST:-registry.opentofu.org}"
	export TF_ACC_PROVIDER_NAMESPACE="${TF_ACC_PROVIDER_NAMESPACE:-hashicorp}"
fi

exec "$@"
