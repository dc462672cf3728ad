#!/usr/bin/env bash
# make demo: runs examples/demo against the local emulator, with no cloud
# account and no network. Everything it creates lives in one temporary
# folder, removed on exit together with the emulator, even when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/emulator.sh
tf=$(scripts/terraform.sh)
work=$(mktemp -d "${TMPDIR:-/tmp}/hwtasks-demo.XXXXXX")
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> Building the provider and the emulator"
go build -o "$work/bin/terraform-provider-hwtasks" .
go build -o "$work/bin/hwtasks-emulator" ./internal/emulator/cmd/hwtasks-emulator

echo "==> Starting the emulator with examples/demo/fixtures.json"
start_emulator "$work/bin/hwtasks-emulator" examples/demo/fixtures.json "$work"
echo "    listening on $emulator_url"

# dev_overrides makes Terraform (or OpenTofu) use the provider just built,
# with no registry and no terraform init.
cat >"$work/cli.tfrc" <<CONFIG
provider_installation {
  dev_overrides {
    "hwtasks/hwtasks" = "$work/bin"
  }
  direct {}
}
CONFIG
mkdir "$work/config"
cp examples/demo/main.tf "$work/config/"

echo "==> $(TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$tf" version | head -n 1): apply examples/demo"
TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
  HW_REGION_NAME="$emulator_region" HW_ACCESS_KEY="$emulator_ak" HW_SECRET_KEY="$emulator_sk" TF_VAR_endpoint="$emulator_url" \
  "$tf" -chdir="$work/config" apply -auto-approve -input=false -compact-warnings

echo "==> The emulator served $(wc -l <"$work/emulator.log" | tr -d ' ') requests; stopping it."
