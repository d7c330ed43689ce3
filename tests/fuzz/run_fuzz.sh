#!/usr/bin/env bash
# run_fuzz.sh - replay the regression inputs, then fuzz each target for a
# bounded time; TAP output (one line per replay and per fuzz run).
#
#   tests/fuzz/run_fuzz.sh BUILD      (BUILD/fuzz/fuzz_* from make fuzz-build)
#
# FUZZ_SECONDS (default 20) per target.  Seeds: the golden scenarios and
# data/scenarios for fuzz_scenario; the first 300 lines of each weather
# fixture for the weather targets (fuzz_epw's inputs follow a fixed
# "LOCATION," so the seeds drop it); committed inputs in
# tests/fuzz/regressions/<target>/ are replayed every run.  A crash, leak
# or sanitizer report fails the target; libFuzzer saves the input as
# BUILD/fuzz/crash-* (copy it into regressions/<target>/ once fixed).
set -u
cd "$(dirname "$0")/../.."
build=${1:?usage: run_fuzz.sh BUILD}
secs=${FUZZ_SECONDS:-20}
work=$build/fuzz/work
rm -rf "$work"
mkdir -p "$work"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

n=0
failed=0
tap() { # tap OK|FAIL description
  n=$((n + 1))
  if [[ $1 == OK ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

seed() { # seed TARGET: fill $work/TARGET/seeds
  local t=$1 d=$work/$1/seeds f
  mkdir -p "$d"
  case $t in
    fuzz_scenario)
      cp tests/golden/scenario/*.json data/scenarios/*.json "$d"/ ;;
    fuzz_epw)
      for f in tests/fixtures/weather/*.epw.gz; do
        zcat "$f" | head -n 300 | sed '1s/^LOCATION,//' > "$d/$(basename "$f" .gz)"
      done ;;
    fuzz_tmy3)
      for f in tests/fixtures/weather/tmy3/*.tmy3.gz; do
        zcat "$f" | head -n 300 > "$d/$(basename "$f" .gz)"
      done ;;
    fuzz_weather_gz)
      for f in tests/fixtures/weather/*.epw.gz tests/fixtures/weather/tmy3/[A-G]*.tmy3.gz; do
        zcat "$f" | head -n 300 | gzip -c > "$d/$(basename "$f")"
      done ;;
  esac
}

for bin in "$build"/fuzz/fuzz_*; do
  [[ -x $bin && $bin != *.* ]] || continue
  t=$(basename "$bin")
  reg=tests/fuzz/regressions/$t
  if [[ -d $reg ]] && ls "$reg"/* >/dev/null 2>&1; then
    if out=$("$bin" -runs=0 "$reg"/* 2>&1); then
      tap OK "$t: replays $(ls "$reg" | wc -l) regression inputs"
    else
      printf '%s\n' "$out" | tail -40 | sed 's/^/# /'
      tap FAIL "$t: regression inputs"
    fi
  fi
  seed "$t"
  mkdir -p "$work/$t/corpus"
  log=$work/$t/log
  if (cd "$work/$t" && "$OLDPWD/$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 corpus seeds) > "$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    tap OK "$t: ${secs}s of fuzzing, ${execs:-?} inputs, no crash"
  else
    tail -40 "$log" | sed 's/^/# /'
    ls "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* 2>/dev/null | sed 's/^/# saved: /'
    tap FAIL "$t: fuzzing found a problem"
  fi
done
echo "1..$n"
[[ $failed -eq 0 && $n -gt 0 ]]
