#!/usr/bin/env bash
# Print the absolute path of a Terraform-compatible CLI, in this order:
#
#   1. $TF_ACC_TERRAFORM_PATH, when it is set and executable;
#   2. `terraform` on PATH;
#   3. OpenTofu, built once from the Go module cache into .tools/bin/tofu,
#      with .tools/bin/terraform as a symlink to it (tfplugindocs and
#      terraform-plugin-testing look for a binary called `terraform`).
#
# Only the path goes to stdout; progress goes to stderr. Nothing is ever
# downloaded from releases.hashicorp.com: the fallback uses the Go module proxy.
set -euo pipefail

OPENTOFU_VERSION="${OPENTOFU_VERSION:-v1.10.10}"

log() { printf 'terraform.sh: %s\n' "$*" >&2; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
tools_bin="${repo_root}/.tools/bin"

# 1. An explicit choice wins.
if [[ -n "${TF_ACC_TERRAFORM_PATH:-}" ]]; then
	if [[ -x "${TF_ACC_TERRAFORM_PATH}" && ! -d "${TF_ACC_TERRAFORM_PATH}" ]]; then
		(cd "$(dirname "${TF_ACC_TERRAFORM_PATH}")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "${TF_ACC_TERRAFORM_PATH}")")
		exit 0
	fi
	log "ignoring TF_ACC_TERRAFORM_PATH=${TF_ACC_TERRAFORM_PATH}: not an executable file"
fi

# 2. terraform on PATH. That may be our own fallback symlink
#    (scripts/with-terraform.sh puts .tools/bin first on PATH); fine too.
if found="$(command -v terraform 2>/dev/null)" && [[ -n "${found}" ]]; then
	case "${found}" in
	/*) printf '%s\n' "${found}" ;;
	*) printf '%s/%s\n' "$(pwd -P)" "${found}" ;;
	esac
	exit 0
fi

# 3. OpenTofu built from the Go module cache, cached in .tools/bin.
tofu="${tools_bin}/tofu"
link="${tools_bin}/terraform"

ensure_link() {
	if [[ "$(readlink "${link}" 2>/dev/null || true)" != "tofu" ]]; then
		ln -sfn tofu "${link}"
	fi
}

# tofu_version BINARY: its `version` output, without the warning a missing
# TF_CLI_CONFIG_FILE would add.
tofu_version() { env -u TF_CLI_CONFIG_FILE "$1" version; }

# The binary records its version; rebuild when the pin changes.
tofu_version="$(tofu_version "${tofu}" 2>/dev/null || true)"
if [[ "${tofu_version}" == "OpenTofu ${OPENTOFU_VERSION}"$'\n'* ]]; then
	ensure_link
	printf '%s\n' "${link}"
	exit 0
fi

command -v go >/dev/null 2>&1 || {
	log "no terraform on PATH and no go to build OpenTofu with"
	exit 1
}

log "no terraform on PATH; building OpenTofu ${OPENTOFU_VERSION} from the Go module cache into ${tools_bin} (a few minutes, once)"
mkdir -p "${tools_bin}"
start=${SECONDS}

go mod download github.com/opentofu/opentofu@"${OPENTOFU_VERSION}" >&2
src="$(go env GOMODCACHE)/github.com/opentofu/opentofu@${OPENTOFU_VERSION}"

# Build under a temporary name and rename, so an interrupted build never
# leaves a broken binary behind.
tmp="$(mktemp "${tools_bin}/.tofu.XXXXXX")"
trap 'rm -f "${tmp}"' EXIT
(
	cd "${src}"
	# GOFLAGS=-mod=mod: `go install module@version` refuses this module
	# because of its replace directive; building inside it works.
	# version.dev=no: report "v1.10.10" like a release, not "v1.10.10-dev".
	GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
		-o "${tmp}" ./cmd/tofu
) >&2
tofu_version "${tmp}" >/dev/null
mv -f "${tmp}" "${tofu}"
trap - EXIT
ensure_link

tofu_version="$(tofu_version "${tofu}")"
log "built ${tofu_version%%$'\n'*} in $((SECONDS - start))s"
printf '%s\n' "${link}"
