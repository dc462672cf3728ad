# shellcheck shell=bash
# Sourced by scripts/demo.sh and bench/run.sh: starts and stops the local
# emulator (internal/emulator/cmd/hwtasks-emulator) for a script.
#
#   start_emulator BINARY FIXTURES DIR [FLAG...]
#     starts BINARY on a free port of 127.0.0.1 with FIXTURES and any further
#     flags (such as -fault route=dms.tasks.list,kind=endless-pages), writing
#     its output and request log into DIR (emulator.out, emulator.log), waits
#     up to 10 s for it to listen, and sets:
#       emulator_pid, emulator_url;
#       emulator_ak, emulator_sk, emulator_region: the fake credentials the
#       emulator prints.
#     On failure it prints why, with the emulator's own output, and returns 1.
#   stop_emulator
#     stops it, if it runs; safe to call twice, and from an EXIT trap.

emulator_pid=""

# The emulator_* variables are read by the scripts that source this file.
# shellcheck disable=SC2034
start_emulator() {
  local bin=$1 fixtures=$2 dir=$3
  shift 3
  "$bin" -listen 127.0.0.1:0 -fixtures "$fixtures" -url-file "$dir/url" "$@" \
    >"$dir/emulator.out" 2>"$dir/emulator.log" &
  emulator_pid=$!
  local _
  for _ in $(seq 1 100); do
    [[ -s "$dir/url" ]] && break
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
      cat "$dir/emulator.log" >&2
      echo "The emulator stopped before it was ready." >&2
      emulator_pid=""
      return 1
    fi
    sleep 0.1
  done
  [[ -s "$dir/url" ]] || { echo "The emulator did not start within 10 s." >&2; return 1; }
  emulator_url=$(cat "$dir/url")
  emulator_ak=$(sed -n 's/^ *access key: *//p' "$dir/emulator.out" | sed -n 1p)
  emulator_sk=$(sed -n 's/^ *secret key: *//p' "$dir/emulator.out" | sed -n 1p)
  emulator_region=$(sed -n 's/^ *region \([^ ]*\).*/\1/p' "$dir/emulator.out" | sed -n 1p)
  if [[ -z "$emulator_ak" || -z "$emulator_sk" || -z "$emulator_region" ]]; then
    echo "Could not read the emulator's credentials from its output:" >&2
    cat "$dir/emulator.out" >&2
    return 1
  fi
}

stop_emulator() {
  if [[ -n "$emulator_pid" ]]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=""
  fi
}
