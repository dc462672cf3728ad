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

# Colours only for a terminal: `make demo | cat` or a CI log gets plain text.
color=(-no-color)
[[ -t 1 ]] && color=()
run_tf() {
  TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
    HW_REGION_NAME="$emulator_region" HW_ACCESS_KEY="$emulator_ak" HW_SECRET_KEY="$emulator_sk" TF_VAR_endpoint="$emulator_url" \
    "$tf" -chdir="$work/config" "$@"
}

# apply shows the plan, outputs included, and then the outputs once more:
# its own output goes to a log, shown whole only if it fails, and the
# outputs are printed once, by `terraform output`.
echo "==> $(run_tf version | head -n 1): apply examples/demo"
if ! run_tf apply -auto-approve -input=false -compact-warnings "${color[@]}" >"$work/apply.log" 2>&1; then
  cat "$work/apply.log"
  echo "==> terraform apply failed; its output is above." >&2
  exit 1
fi
# What it read, and how long each read took (the resize job is waited for).
sed -n 's/\x1b\[[0-9;]*m//g; s/^\(.*: Read complete after .*\) \[id=.*/    \1/p' "$work/apply.log"
echo "==> Outputs"
run_tf output "${color[@]}"

echo "==> The emulator served $(wc -l <"$work/emulator.log" | tr -d ' ') requests; stopping it."
