#!/usr/bin/env bash
# run.sh - run every test in the given build directories and print totals.
#
#   tests/run.sh build [build-asan ...]
#
# Each cmocka binary in BUILD/tests runs with TAP output; the end-to-end
# suite runs against BUILD/dcsite, the source-tree checks (tests/repo) once;
# for plain builds the Slurm test
# (tests/slurm/test_slurm.sh, as root) runs a split job on a local cluster.  A binary that crashes or exits non-zero
# without a failing test line counts as one failure.  The last line is
# "tests: N passed, M failed"; the exit status is 0 only when M is 0.
# With FUZZ_BUILD set (make test), the libFuzzer replays and bounded runs
# of tests/fuzz/run_fuzz.sh count in the totals too.
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

passed=0
failed=0

# run_tap LABEL COMMAND...: run, echo its output, count TAP lines.
run_tap() {
  local label=$1; shift
  local out rc ok notok
  out=$("$@" 2>&1); rc=$?
  printf '%s\n' "$out" | sed "s#^#[$label] #"
  ok=$(printf '%s\n' "$out" | grep -c '^ok ' || true)
  notok=$(printf '%s\n' "$out" | grep -c '^not ok ' || true)
  if [[ $rc -ne 0 && $notok -eq 0 ]]; then
    echo "[$label] exited with status $rc without a failing test: counted as a failure"
    notok=1
  fi
  passed=$((passed + ok))
  failed=$((failed + notok))
}

for build in "$@"; do
  [[ -x $build/dcsite ]] || { echo "run.sh: $build/dcsite is missing; build first" >&2; exit 2; }
  for t in "$build"/tests/test_*; do
    [[ -x $t ]] || continue
    CMOCKA_MESSAGE_OUTPUT=TAP run_tap "$build/$(basename "$t")" "$t"
  done
  # the demo under valgrind (plain builds only: valgrind and ASan do not mix)
  if [[ $build != *asan* ]] && command -v valgrind >/dev/null; then
    vg_out=$(mktemp -d)
    if valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
         -q "$build/dcsite" run data/scenarios/dallas.json -o "$vg_out" --quiet >/dev/null; then
      echo "[$build/valgrind] ok - demo run: no memory errors, no definite leaks"
      passed=$((passed + 1))
    else
      echo "[$build/valgrind] not ok - demo run under valgrind (see above)"
      failed=$((failed + 1))
    fi
    rm -rf "$vg_out"
  fi
  # a split run through a real single-node Slurm (plain builds: once is enough)
  if [[ $build != *asan* ]]; then
    run_tap "$build/slurm" tests/slurm/test_slurm.sh "$build/dcsite"
  fi
  for suite in tests/e2e/test_*.py; do
    [[ -f $suite ]] || continue
    DCSITE="$build/dcsite" run_tap "$build/$(basename "$suite" .py)" /usr/bin/python3 "$suite"
  done
done

# checks of the source tree and what it installs (layout and includes,
# README and docs/ links, make install and the manual page): once, with the
# first build's binary
for suite in tests/repo/test_*.py; do
  [[ -f $suite ]] || continue
  DCSITE="$1/dcsite" BUILD_DIR="$1" run_tap "repo/$(basename "$suite" .py)" /usr/bin/python3 "$suite"
done

# libFuzzer targets (FUZZ_BUILD from make test: regression replays and a
# bounded fuzzing run per target, FUZZ_SECONDS each)
if [[ -n ${FUZZ_BUILD:-} ]]; then
  run_tap "$FUZZ_BUILD/fuzz" tests/fuzz/run_fuzz.sh "$FUZZ_BUILD"
fi

echo
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
