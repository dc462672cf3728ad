#!/usr/bin/env bash
# make demo: runs examples/demo against the local emulator, with no cloud
# account and no network. Everything it creates lives in one temporary
# folder, removed on exit together with the emulator, even when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

tf=$(scripts/terraform.sh)
work=$(mktemp -d "${TMPDIR:-/tmp}/hwtasks-demo.XXXXXX")
emulator_pid=""
cleanup() {
  if [[ -n "$emulator_pid" ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> Building the provider and the emulator"
go build -o "$work/bin/terraform-provider-hwtasks" .
go build -o "$work/bin/hwtasks-emulator" ./internal/emulator/cmd/hwtasks-emulator

echo "==> Starting the emulator with examples/demo/fixtures.json"
"$work/bin/hwtasks-emulator" -listen 127.0.0.1:0 -fixtures examples/demo/fixtures.json \
  -url-file "$work/url" >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/url" ]] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    cat "$work/emulator.log" >&2
    echo "The emulator stopped before it was ready." >&2
    exit 1
  fi
  sleep 0.1
done
[[ -s "$work/url" ]] || { echo "The emulator did not start within 10 s." >&2; exit 1; }
url=$(cat "$work/url")
echo "    listening on $url"

# The emulator's fake credentials, printed by the emulator itself.
ak=$(sed -n 's/^ *access key: *//p' "$work/emulator.out" | head -n 1)
sk=$(sed -n 's/^ *secret key: *//p' "$work/emulator.out" | head -n 1)
region=$(sed -n 's/^ *region \([^ ]*\).*/\1/p' "$work/emulator.out" | head -n 1)
if [[ -z "$ak" || -z "$sk" || -z "$region" ]]; then
  echo "Could not read the emulator's credentials from its output:" >&2
  cat "$work/emulator.out" >&2
  exit 1
fi

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
  HW_REGION_NAME="$region" HW_ACCESS_KEY="$ak" HW_SECRET_KEY="$sk" TF_VAR_endpoint="$url" \
  "$tf" -chdir="$work/config" apply -auto-approve -input=false -compact-warnings

echo "==> The emulator served $(wc -l <"$work/emulator.log" | tr -d ' ') requests; stopping it."
