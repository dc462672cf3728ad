#!/usr/bin/env bash
# make bench: measures what BENCHMARKS.md reports and prints it as one
# markdown table on stdout (progress goes to stderr):
#
#   1. signer.Sign: ns/op and allocs/op (BenchmarkSign);
#   2. reading 10,000 tasks at 20 ms per request, concurrent against
#      sequential (BenchmarkListAllTasks);
#   3. `terraform plan` of bench/plan against the emulator: wall time, the
#      floor (bench/floor: the same Terraform with no provider) and the peak
#      memory of the provider processes;
#   4. 50 data sources in one plan (bench/many): wall time and requests;
#   5. `terraform plan` of one data source reading 10,000 tasks (bench/tenk)
#      from an emulator whose task list answers 20 ms late: wall time and
#      the peak memory of the provider;
#   6. `terraform plan` of one of each of the nine data sources (bench/nine):
#      wall time, requests and the peak memory of the provider.
#
# Usage: bench/run.sh [--write]
#   --write  also put the table into BENCHMARKS.md, between its
#            <!-- bench:begin --> and <!-- bench:end --> lines.
#
# Run counts (defaults in brackets): BENCH_COUNT, the go test -count of 1
# and 2 [5]; BENCH_PLAN_RUNS, timed plans of 3 and of its floor [11];
# BENCH_MEM_RUNS, plans of 3 and of 6 measured for memory [5];
# BENCH_MANY_RUNS, timed plans of 4 [5]; BENCH_TENK_RUNS, plans of 5, timed
# and measured for memory [5]; BENCH_NINE_RUNS, timed plans of 6 [5]. Every
# timed series comes after one untimed warm-up run.
#
# Everything it creates lives in one temporary folder, removed on exit
# together with the emulator, even when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

write=false
for arg in "$@"; do
  case "$arg" in
  --write) write=true ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "bench/run.sh: unknown argument $arg (try --help)" >&2
    exit 2
    ;;
  esac
done

go_count=${BENCH_COUNT:-5}
plan_runs=${BENCH_PLAN_RUNS:-11}
mem_runs=${BENCH_MEM_RUNS:-5}
many_runs=${BENCH_MANY_RUNS:-5}
tenk_runs=${BENCH_TENK_RUNS:-5}
nine_runs=${BENCH_NINE_RUNS:-5}
for n in "$go_count" "$plan_runs" "$mem_runs" "$many_runs" "$tenk_runs" "$nine_runs"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench/run.sh: run counts must be positive integers, got '$n'" >&2; exit 2; }
done

# Targets of the issue, checked against the medians.
target_plan_s=0.3
target_mem_mib=50
target_ratio=0.25
# Row 5: memory, and the wall time this provider took before (3.29 s, as
# issue 12 measured it; the official provider took 6.25 s and 209 MiB).
target_tenk_mib=100
target_tenk_s=3.29

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

# now_us sets REPLY to the wall clock in microseconds, without starting a
# process when bash has EPOCHREALTIME (bash 5 and later).
now_us() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    REPLY=${EPOCHREALTIME//[.,]/}
  else
    local ns
    ns=$(date +%s%N)
    [[ "$ns" =~ ^[0-9]+$ ]] || die "need bash 5 (EPOCHREALTIME) or a date that knows %N"
    REPLY=$((ns / 1000))
  fi
}

# median prints the median of the numbers on stdin, one per line.
median() {
  sort -g | awk '{ v[NR] = $1 }
    END {
      if (NR == 0) exit 1
      if (NR % 2) printf "%.10g\n", v[(NR + 1) / 2]
      else printf "%.10g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# range prints "min–max" of the numbers on stdin, with the printf format $1.
range() { sort -g | awk -v f="$1" 'NR == 1 { lo = $1 } { hi = $1 } END { printf f "–" f "\n", lo, hi }'; }

# calc prints an awk expression's value with the printf format $1.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# The shell's own settings must not change what is measured: logging, extra
# CLI arguments, TLS switched off between Terraform and the provider, or
# credentials and a project ID meant for the real cloud.
while read -r var; do
  unset "$var"
done < <(compgen -e | grep -E '^(HW_|OS_|TF_LOG|TF_CLI_ARGS|TF_DISABLE_PLUGIN_TLS$|TF_VAR_|TF_CLI_CONFIG_FILE$)' || true)
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

source scripts/emulator.sh
tf=$(scripts/terraform.sh)
work=$(mktemp -d "${TMPDIR:-/tmp}/hwtasks-bench.XXXXXX")
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "bench/run.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR

# Other work on the machine shows in the figures; say how busy it was: the
# load average before the run and, on Linux, the CPU time that processes
# other than this script's used during it (the machine's busy time from
# /proc/stat, less what `times` reports for this script and its children).
if [[ -r /proc/loadavg ]]; then
  load=$(cut -d' ' -f1-3 /proc/loadavg)
else
  load=$(uptime | sed 's/.*load averages*: *//')
fi
# busy_ticks prints the machine's non-idle CPU time in clock ticks.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat 2>/dev/null || true; }
busy_before=$(busy_ticks)
started=$SECONDS
log "Building the provider, the emulator and bench/cmd (peakrss, benchfixtures)"
go build -o "$work/provider/terraform-provider-hwtasks" .
go build -o "$work/wrapper/terraform-provider-hwtasks" ./bench/cmd/peakrss
go build -o "$work/bin/hwtasks-emulator" ./internal/emulator/cmd/hwtasks-emulator
go build -o "$work/bin/benchfixtures" ./bench/cmd/benchfixtures
"$work/bin/benchfixtures" -o "$work/fixtures.json"

# ---------------------------------------------------------------- 1 and 2
log "(1) signer.Sign: go test -bench BenchmarkSign -benchmem -count $go_count"
go test -run '^$' -bench '^BenchmarkSign$' -benchmem -count "$go_count" ./internal/client/signer/ |
  tee "$work/sign.txt" >&2
# field UNIT: the figure before UNIT on each benchmark line of stdin.
field() { awk -v unit="$1" '/^Benchmark/ { for (i = 2; i <= NF; i++) if ($i == unit) print $(i - 1) }'; }
sign_ns=$(field ns/op <"$work/sign.txt" | median) || die "no BenchmarkSign results"
sign_ns_range=$(field ns/op <"$work/sign.txt" | range %.0f)
sign_allocs=$(field allocs/op <"$work/sign.txt" | median) || die "BenchmarkSign reported no allocs/op"
sign_bytes=$(field B/op <"$work/sign.txt" | median)

log "(2) 10,000 tasks at 20 ms: go test -bench BenchmarkListAllTasks -benchtime 3x -count $go_count (about a minute)"
go test -run '^$' -bench '^BenchmarkListAllTasks$' -benchtime 3x -count "$go_count" ./internal/client/ |
  tee "$work/list.txt" >&2
# list_ns N: ns/op of every run of the sub-benchmark concurrency=N.
list_ns() { grep -E "^BenchmarkListAllTasks/concurrency=$1(-[0-9]+)?[[:space:]]" "$work/list.txt" | field ns/op; }
concurrency=$(sed -n 's/^BenchmarkListAllTasks\/concurrency=\([0-9]*\).*/\1/p' "$work/list.txt" | sort -n -u | tail -n 1)
[[ -n "$concurrency" && "$concurrency" != 1 ]] || die "BenchmarkListAllTasks has no concurrent sub-benchmark"
conc_ns=$(list_ns "$concurrency" | median) || die "no concurrency=$concurrency results"
seq_ns=$(list_ns 1 | median) || die "no concurrency=1 results"
conc_range=$(list_ns "$concurrency" | awk '{ print $1 / 1e9 }' | range %.3f)
seq_range=$(list_ns 1 | awk '{ print $1 / 1e9 }' | range %.3f)
ratio=$(calc %.3f "$conc_ns / $seq_ns")

# ---------------------------------------------------------------- 3, 4 and 6
log "Starting the emulator with the fixtures of bench/cmd/benchfixtures"
start_emulator "$work/bin/hwtasks-emulator" "$work/fixtures.json" "$work" || die "the emulator did not start"
url=$emulator_url
HW_ACCESS_KEY=$emulator_ak HW_SECRET_KEY=$emulator_sk HW_REGION_NAME=$emulator_region
export HW_ACCESS_KEY HW_SECRET_KEY HW_REGION_NAME TF_VAR_endpoint="$url"

# Two CLI configurations: dev_overrides on the provider itself, for every
# timed run, and on the peakrss wrapper, for the memory runs only, so that
# the wrapper's extra exec never counts in a wall time.
for kind in provider wrapper; do
  cat >"$work/$kind.tfrc" <<CONFIG
provider_installation {
  dev_overrides {
    "hwtasks/hwtasks" = "$work/$kind"
  }
  direct {}
}
CONFIG
done
export HWTASKS_BENCH_PROVIDER="$work/provider/terraform-provider-hwtasks"
mkdir "$work/config"
cp -R bench/plan bench/floor bench/many bench/tenk bench/nine "$work/config/"

# plan CONFIG CLI: one `terraform plan`; REPLY is its wall time in µs. Its
# output goes to $work/plan.out, and to stderr if it fails.
plan() {
  local t0
  now_us
  t0=$REPLY
  if ! TF_CLI_CONFIG_FILE="$work/$2.tfrc" "$tf" -chdir="$work/config/$1" plan \
    -input=false -lock=false -refresh=true -no-color >"$work/plan.out" 2>&1; then
    cat "$work/plan.out" >&2
    die "terraform plan of bench/$1 failed"
  fi
  now_us
  REPLY=$((REPLY - t0))
}

# expect_output PATTERN: check the last plan planned what it should.
expect_output() {
  grep -Eq "$1" "$work/plan.out" || {
    cat "$work/plan.out" >&2
    die "the plan's output lacks /$1/"
  }
}

# requests_since LINE: REPLY is "total|route count, route count" for the
# emulator log after LINE. The emulator logs a request once it has
# answered, so give the last line a moment to land.
requests_since() {
  sleep 0.3
  REPLY=$(tail -n +"$(($1 + 1))" "$work/emulator.log" |
    sed -n 's/.* route=\([^ ]*\) .*/\1/p' | sort | uniq -c |
    awk '{ total += $1; by = by (by == "" ? "" : ", ") $2 " " $1 } END { printf "%d|%s", total, by }')
}
log_lines() { wc -l <"$work/emulator.log" | tr -d ' '; }

log "(3) warm-up: one untimed plan each of bench/plan and bench/floor"
before=$(log_lines)
plan plan provider
expect_output 'task_count += 257'
requests_since "$before"
plan_requests=$REPLY
plan floor provider
expect_output 'task_count += 257'

log "(3) wall time: $plan_runs plans each of bench/plan and bench/floor, alternating"
: >"$work/plan.us"
: >"$work/floor.us"
for i in $(seq 1 "$plan_runs"); do
  plan plan provider
  echo "$REPLY" >>"$work/plan.us"
  plan floor provider
  echo "$REPLY" >>"$work/floor.us"
  printf '    run %d: plan %.3f s, floor %.3f s\n' "$i" "$(calc %.6f "$(tail -n 1 "$work/plan.us") / 1e6")" \
    "$(calc %.6f "$REPLY / 1e6")" >&2
done
plan_s=$(awk '{ print $1 / 1e6 }' "$work/plan.us" | median)
floor_s=$(awk '{ print $1 / 1e6 }' "$work/floor.us" | median)
plan_range=$(awk '{ print $1 / 1e6 }' "$work/plan.us" | range %.3f)
floor_range=$(awk '{ print $1 / 1e6 }' "$work/floor.us" | range %.3f)

log "(3) memory: $mem_runs plans of bench/plan through the peakrss wrapper"
: >"$work/mem.kib"
: >"$work/mem.procs"
: >"$work/mem.cpu"
for i in $(seq 1 "$mem_runs"); do
  export HWTASKS_BENCH_RSS_FILE="$work/rss.$i"
  plan plan wrapper
  [[ -s "$HWTASKS_BENCH_RSS_FILE" ]] || die "the peakrss wrapper recorded nothing: is dev_overrides honoured?"
  # One line per provider process: peak KiB, wall ms, CPU ms.
  awk '$1 > m { m = $1 } END { print m }' "$HWTASKS_BENCH_RSS_FILE" >>"$work/mem.kib"
  wc -l <"$HWTASKS_BENCH_RSS_FILE" | tr -d ' ' >>"$work/mem.procs"
  awk '{ s += $3 } END { print s }' "$HWTASKS_BENCH_RSS_FILE" >>"$work/mem.cpu"
  printf '    run %d: %s provider processes, peak RSS KiB %s\n' "$i" "$(tail -n 1 "$work/mem.procs")" \
    "$(awk '{ printf "%s ", $1 }' "$HWTASKS_BENCH_RSS_FILE")" >&2
done
unset HWTASKS_BENCH_RSS_FILE
mem_mib=$(awk '{ print $1 / 1024 }' "$work/mem.kib" | median)
mem_range=$(awk '{ print $1 / 1024 }' "$work/mem.kib" | range %.1f)
mem_procs=$(median <"$work/mem.procs")
mem_cpu_s=$(awk '{ print $1 / 1000 }' "$work/mem.cpu" | median)

log "(4) 50 data sources: one untimed plan of bench/many, then $many_runs timed"
plan many provider
expect_output 'data_sources += 50'
: >"$work/many.us"
: >"$work/many.requests"
for i in $(seq 1 "$many_runs"); do
  before=$(log_lines)
  plan many provider
  echo "$REPLY" >>"$work/many.us"
  requests_since "$before"
  echo "$REPLY" >>"$work/many.requests"
  printf '    run %d: %.3f s, %s requests\n' "$i" "$(calc %.6f "$(tail -n 1 "$work/many.us") / 1e6")" "${REPLY%%|*}" >&2
done

# expect_nine: check the last plan of bench/nine read all nine data sources
# with what the fixtures hold.
expect_nine() {
  local what
  expect_output 'data_sources += 9$'
  for what in rocketmq kafka rabbitmq dcs; do
    expect_output "^ +\\+ $what += 20\$"
  done
  for what in gaussdb rds opengauss dds geminidb; do
    expect_output "^ +\\+ $what += \"Completed\"\$"
  done
  expect_output 'dcs_resizes += 5$'
}

log "(6) nine data sources: one untimed plan of bench/nine, then $nine_runs timed, then $mem_runs through the peakrss wrapper"
plan nine provider
expect_nine
: >"$work/nine.us"
: >"$work/nine.requests"
for i in $(seq 1 "$nine_runs"); do
  before=$(log_lines)
  plan nine provider
  echo "$REPLY" >>"$work/nine.us"
  expect_output 'data_sources += 9$'
  requests_since "$before"
  echo "$REPLY" >>"$work/nine.requests"
  printf '    run %d: %.3f s, %s requests\n' "$i" "$(calc %.6f "$(tail -n 1 "$work/nine.us") / 1e6")" "${REPLY%%|*}" >&2
done
: >"$work/nine.kib"
: >"$work/nine.cpu"
for i in $(seq 1 "$mem_runs"); do
  export HWTASKS_BENCH_RSS_FILE="$work/nine.rss.$i"
  plan nine wrapper
  [[ -s "$HWTASKS_BENCH_RSS_FILE" ]] || die "the peakrss wrapper recorded nothing: is dev_overrides honoured?"
  awk '$1 > m { m = $1 } END { print m }' "$HWTASKS_BENCH_RSS_FILE" >>"$work/nine.kib"
  awk '{ s += $3 } END { print s }' "$HWTASKS_BENCH_RSS_FILE" >>"$work/nine.cpu"
  printf '    memory run %d: peak RSS KiB %s\n' "$i" "$(awk '{ printf "%s ", $1 }' "$HWTASKS_BENCH_RSS_FILE")" >&2
done
unset HWTASKS_BENCH_RSS_FILE
# Stop the emulator now, so that its CPU time counts as this script's.
stop_emulator

log "(5) 10,000 tasks at 20 ms: a second emulator, one untimed plan of bench/tenk, then $tenk_runs through the peakrss wrapper"
mkdir "$work/tenk"
start_emulator "$work/bin/hwtasks-emulator" "$work/fixtures.json" "$work/tenk" \
  -fault route=dms.tasks.list,kind=latency,latency=20ms || die "the emulator did not start"
export TF_VAR_endpoint="$emulator_url"
HW_ACCESS_KEY=$emulator_ak HW_SECRET_KEY=$emulator_sk HW_REGION_NAME=$emulator_region
plan tenk provider
expect_output 'task_count += 10000'
: >"$work/tenk.us"
: >"$work/tenk.kib"
for i in $(seq 1 "$tenk_runs"); do
  export HWTASKS_BENCH_RSS_FILE="$work/tenk.rss.$i"
  plan tenk wrapper
  echo "$REPLY" >>"$work/tenk.us"
  awk '$1 > m { m = $1 } END { print m }' "$HWTASKS_BENCH_RSS_FILE" >>"$work/tenk.kib"
  printf '    run %d: %.3f s, peak RSS %s KiB\n' "$i" "$(calc %.6f "$REPLY / 1e6")" "$(tail -n 1 "$work/tenk.kib")" >&2
done
unset HWTASKS_BENCH_RSS_FILE
stop_emulator
tenk_s=$(awk '{ print $1 / 1e6 }' "$work/tenk.us" | median)
tenk_range=$(awk '{ print $1 / 1e6 }' "$work/tenk.us" | range %.3f)
tenk_mib=$(awk '{ print $1 / 1024 }' "$work/tenk.kib" | median)
tenk_mem_range=$(awk '{ print $1 / 1024 }' "$work/tenk.kib" | range %.1f)

many_s=$(awk '{ print $1 / 1e6 }' "$work/many.us" | median)
many_range=$(awk '{ print $1 / 1e6 }' "$work/many.us" | range %.3f)
many_requests=$(tail -n 1 "$work/many.requests")
if [[ $(sort -u "$work/many.requests" | wc -l) -eq 1 ]]; then
  many_same="the same in all $many_runs runs"
else
  many_same="NOT the same in every run: $(cut -d'|' -f1 "$work/many.requests" | paste -s -d/ -)"
fi

nine_s=$(awk '{ print $1 / 1e6 }' "$work/nine.us" | median)
nine_range=$(awk '{ print $1 / 1e6 }' "$work/nine.us" | range %.3f)
nine_requests=$(tail -n 1 "$work/nine.requests")
if [[ $(sort -u "$work/nine.requests" | wc -l) -eq 1 ]]; then
  nine_same="the same in all $nine_runs runs"
else
  nine_same="NOT the same in every run: $(cut -d'|' -f1 "$work/nine.requests" | paste -s -d/ -)"
fi
nine_mib=$(awk '{ print $1 / 1024 }' "$work/nine.kib" | median)
nine_mem_range=$(awk '{ print $1 / 1024 }' "$work/nine.kib" | range %.1f)
nine_cpu_s=$(awk '{ print $1 / 1000 }' "$work/nine.cpu" | median)

# ---------------------------------------------------------------- machine
if [[ -r /proc/cpuinfo ]]; then
  cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
else
  cpu=$(sysctl -n machdep.cpu.brand_string 2>/dev/null || uname -m)
fi
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
if [[ -r /proc/meminfo ]]; then
  ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
else
  ram=$(sysctl -n hw.memsize 2>/dev/null | awk '{ printf "%.1f GiB", $1 / 1073741824 }')
fi
if [[ -r /etc/os-release ]]; then
  os="$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release), $(uname -sr)"
else
  os="$(uname -sr)"
fi
go_version="$(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
tf_version=$(TF_CLI_CONFIG_FILE="$work/provider.tfrc" "$tf" version | sed -n 1p)
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
elapsed=$((SECONDS - started))
others=""
busy_after=$(busy_ticks)
if [[ -n "$busy_before" && -n "$busy_after" ]]; then
  # The second line of `times`: user and system time of the children. Not
  # in a pipeline: a subshell would report its own, empty, children.
  times >"$work/times"
  ours=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print s }' "$work/times")
  others=$(awk -v b="$busy_before" -v a="$busy_after" -v hz="$(getconf CLK_TCK)" -v ours="$ours" \
    -v wall="$elapsed" -v cores="$cores" 'BEGIN {
      o = (a - b) / hz - ours; if (o < 0) o = 0
      printf "; other processes used %.0f CPU-s of the %d available (%.0f%%)", o, wall * cores, wall ? 100 * o / (wall * cores) : 0
    }')
fi

# ---------------------------------------------------------------- table
# met VALUE LIMIT: whether VALUE is at most LIMIT.
met() { awk -v v="$1" -v l="$2" 'BEGIN { print (v <= l) ? "met" : "**NOT met**" }'; }

table="$work/table.md"
# The backquotes in the rows are markdown, not command substitutions.
# shellcheck disable=SC2016
{
  echo "| # | Measure | Result | Target |"
  echo "|---|---|---|---|"
  echo "| | Machine | $cpu, $cores cores, $ram RAM; $os | |"
  echo "| | Tools | $go_version; $tf_version | |"
  echo "| | Run | $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit; took $elapsed s; load average before the run $load$others | |"
  printf '| 1 | `signer.Sign` | **%.0f ns/op**, **%s allocs/op** (%s B/op); median of %d runs, %s ns/op | — |\n' \
    "$sign_ns" "$sign_allocs" "$sign_bytes" "$go_count" "$sign_ns_range"
  printf '| 2 | 10,000 tasks at 20 ms, concurrent (%d pages at once) | **%.3f s**; median of %d runs × 3 reads, %s s | — |\n' \
    "$concurrency" "$(calc %.6f "$conc_ns / 1e9")" "$go_count" "$conc_range"
  printf '| 2 | 10,000 tasks at 20 ms, sequential | **%.3f s**; median of %d runs × 3 reads, %s s | — |\n' \
    "$(calc %.6f "$seq_ns / 1e9")" "$go_count" "$seq_range"
  printf '| 2 | concurrent / sequential | **%s** (ratio of the medians) | ≤ %s: %s |\n' \
    "$ratio" "$target_ratio" "$(met "$ratio" "$target_ratio")"
  printf '| 3 | `terraform plan`: 257 tasks + 1 job, wall time | **%.3f s**; median of %d, %s s | ≤ %s s: %s |\n' \
    "$plan_s" "$plan_runs" "$plan_range" "$target_plan_s" "$(met "$plan_s" "$target_plan_s")"
  printf '| 3 | floor: same Terraform, only `locals` and outputs | **%.3f s**; median of %d, %s s | — |\n' \
    "$floor_s" "$plan_runs" "$floor_range"
  printf '| 3 | plan − floor | **%.3f s** (difference of the medians) | — |\n' \
    "$(calc %.6f "$plan_s - $floor_s")"
  printf '| 3 | peak provider memory | **%.1f MiB**; median of %d plans of the largest peak RSS among each plan'"'"'s %s provider processes, %s MiB | ≤ %s MiB: %s |\n' \
    "$mem_mib" "$mem_runs" "$mem_procs" "$mem_range" "$target_mem_mib" "$(met "$mem_mib" "$target_mem_mib")"
  printf '| 3 | provider CPU and requests per plan | %.3f s CPU over the %s provider processes (median of %d); %s requests: %s | — |\n' \
    "$mem_cpu_s" "$mem_procs" "$mem_runs" "${plan_requests%%|*}" "${plan_requests#*|}"
  printf '| 4 | 50 data sources in one plan, wall time | **%.3f s**; median of %d, %s s | — |\n' \
    "$many_s" "$many_runs" "$many_range"
  printf '| 4 | 50 data sources, requests per plan | **%s**: %s; %s | 1 + 50: %s |\n' \
    "${many_requests%%|*}" "${many_requests#*|}" "$many_same" \
    "$([[ "${many_requests%%|*}" == 51 && "$many_same" == the* ]] && echo met || echo "**NOT met**")"
  printf '| 5 | `terraform plan`: 10,000 tasks at 20 ms, wall time | **%.3f s**; median of %d, %s s (the peakrss wrapper adds one exec) | ≤ %s s: %s |\n' \
    "$tenk_s" "$tenk_runs" "$tenk_range" "$target_tenk_s" "$(met "$tenk_s" "$target_tenk_s")"
  printf '| 5 | peak provider memory | **%.1f MiB**; median of %d plans of the largest peak RSS among each plan'"'"'s provider processes, %s MiB | ≤ %s MiB: %s |\n' \
    "$tenk_mib" "$tenk_runs" "$tenk_mem_range" "$target_tenk_mib" "$(met "$tenk_mib" "$target_tenk_mib")"
  printf '| 6 | `terraform plan`: one of each of the 9 data sources, wall time | **%.3f s**; median of %d, %s s | — |\n' \
    "$nine_s" "$nine_runs" "$nine_range"
  printf '| 6 | 9 data sources, requests per plan | **%s**: %s; %s; %s | — |\n' \
    "${nine_requests%%|*}" "${nine_requests#*|}" "$nine_same" \
    "$([[ "${nine_requests%%|*}" == 10 && "$nine_same" == the* ]] && echo "1 + 9, as expected" || echo "**NOT 1 + 9 as expected**")"
  printf '| 6 | peak provider memory | **%.1f MiB**; median of %d plans of the largest peak RSS among each plan'"'"'s provider processes, %s MiB; %.3f s provider CPU per plan (median) | — |\n' \
    "$nine_mib" "$mem_runs" "$nine_mem_range" "$nine_cpu_s"
} >"$table"

log "Done in $elapsed s"
cat "$table"

if $write; then
  if ! grep -q '^<!-- bench:begin -->$' BENCHMARKS.md || ! grep -q '^<!-- bench:end -->$' BENCHMARKS.md; then
    die "BENCHMARKS.md needs a <!-- bench:begin --> and a <!-- bench:end --> line to write the table between"
  fi
  awk -v table="$table" '
    /^<!-- bench:begin -->$/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /^<!-- bench:end -->$/ { skip = 0 }
    !skip' BENCHMARKS.md >"$work/BENCHMARKS.md"
  cat "$work/BENCHMARKS.md" >BENCHMARKS.md
  log "Wrote the table into BENCHMARKS.md"
fi
