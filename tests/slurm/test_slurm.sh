#!/usr/bin/env bash
# test_slurm.sh - dcsite on a real Slurm (Debian's slurm-wlm and munge), not
# a mock: starts munged, slurmctld and slurmd as root on localhost with a
# generated slurm.conf in a temporary directory (local_cluster.sh), submits
# the Dallas sample as a job array of 4 shards plus a merge job that depends
# on it (tools/slurm/submit.sh), waits, and compares the merged reports value
# by value with a single run of the same binary outside Slurm
# (tests/e2e/compare_runs.py).  Then submits again: every shard and the merge
# must be skipped as complete.  The daemons are stopped at the end (trap).
#
#   tests/slurm/test_slurm.sh [DCSITE]        (default build/dcsite; as root)
#
# Output is TAP.  Bounded: each wait gives up after 150 s.
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
dcsite=$(realpath "${1:-build/dcsite}")
scenario=$repo/data/scenarios/dallas.json
name=dallas_100mw

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
  local l; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
finish() { echo "1..$n"; [[ $failed -eq 0 && $n -gt 0 ]]; exit $?; }

if [[ $(id -u) -ne 0 ]]; then
  not_ok "runs as root (it starts munged, slurmctld and slurmd)"; finish
fi
for c in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd sbatch scontrol sinfo; do
  command -v "$c" >/dev/null || { not_ok "$c is installed (tools/install-deps.sh test)"; finish; }
done

tmp=$(mktemp -d /tmp/dcsite-slurm.XXXXXX)
# shellcheck source=local_cluster.sh
source tests/slurm/local_cluster.sh
cleanup() { cluster_stop; rm -rf "$tmp"; }
trap cleanup EXIT

if cluster_start "$tmp/cluster"; then
  ok "single-node cluster up (munged, slurmctld, slurmd on localhost)"
else
  not_ok "single-node cluster up" "$(tail -n 20 "$tmp"/cluster/*.log 2>/dev/null)"
  finish
fi

# state of job $1 (all tasks of an array): one "TaskId State End Start" line each
job_lines() {
  scontrol -o show job "$1" 2>/dev/null | tr ' ' '\n' |
    awk -F= '/^JobId=/{if (s) print t, s, e, b; t="-"; s=""; e=""; b=""}
             /^ArrayTaskId=/{t=$2} /^JobState=/{s=$2} /^EndTime=/{e=$2} /^StartTime=/{b=$2}
             END{if (s) print t, s, e, b}'
}

# wait until job $1 (every task) has left PENDING/RUNNING/CONFIGURING/COMPLETING
wait_job() {
  local i
  for i in $(seq 1 300); do
    if ! job_lines "$1" | grep -qE ' (PENDING|RUNNING|CONFIGURING|COMPLETING) '; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

# submit_and_wait OUTDIR: sets array, merge
submit_and_wait() {
  local ids
  ids=$(DCSITE=$dcsite tools/slurm/submit.sh "$scenario" 4 "$1" 2>&1) || {
    not_ok "submit 4 shards and the merge" "$ids"; finish; }
  array=$(awk '$1 == "array" {print $2}' <<<"$ids")
  merge=$(awk '$1 == "merge" {print $2}' <<<"$ids")
  wait_job "$array" && wait_job "$merge"
}

out=$tmp/out
t0=$SECONDS
if submit_and_wait "$out"; then
  ok "4 shard tasks and the merge finished in $((SECONDS - t0)) s"
else
  not_ok "4 shard tasks and the merge finished within 150 s" "$(job_lines "$array")" \
    "$(job_lines "$merge")"
fi

shards=$(job_lines "$array")
if [[ $(grep -c ' COMPLETED ' <<<"$shards") -eq 4 ]] &&
   [[ $(awk '{print $1}' <<<"$shards" | sort -n | tr '\n' ' ') == "0 1 2 3 " ]]; then
  ok "array tasks 0-3 COMPLETED"
else
  not_ok "array tasks 0-3 COMPLETED" "$shards" "$(cat "$out"/logs/shard-*.out 2>/dev/null)"
fi

merged=$(job_lines "$merge")
last_end=$(awk '{print $3}' <<<"$shards" | sort | tail -1)
merge_start=$(awk '{print $4}' <<<"$merged")
if grep -q ' COMPLETED ' <<<"$merged" && [[ ! $merge_start < $last_end ]]; then
  ok "merge COMPLETED, started ($merge_start) after the last shard ended ($last_end)"
else
  not_ok "merge COMPLETED after every shard" "$merged" "last shard end $last_end" \
    "$(cat "$out"/logs/merge.out 2>/dev/null)"
fi

for i in 0 1 2 3; do
  if grep -q "Shard $i/4 of '$name': .* sites measured" "$out/logs/shard-$i.out" 2>/dev/null &&
     [[ -f $out/shards/shard-$i-of-4.gpkg ]]; then
    ok "shard $i/4 measured its sites into shard-$i-of-4.gpkg"
  else
    not_ok "shard $i/4 measured its sites" "$(cat "$out/logs/shard-$i.out" 2>/dev/null)"
  fi
done

single=$tmp/single
if "$dcsite" run "$scenario" -o "$single" --quiet >/dev/null 2>"$tmp/single.err"; then
  diffs=$(/usr/bin/python3 tests/e2e/compare_runs.py "$single" "$out" "$name" 2>&1)
  if [[ $? -eq 0 ]]; then
    nvalues=$(cd tests/e2e && /usr/bin/python3 -c \
      "import compare_runs; print(compare_runs.count_values('$single', '$name'))")
    ok "merged reports equal a single run value by value (JSON summary, $nvalues GPKG values)"
  else
    not_ok "merged reports equal a single run value by value" "$diffs"
  fi
else
  not_ok "single run for the reference" "$(cat "$tmp/single.err")"
fi

# again: everything is complete with the same fingerprint, so skipped
before=$(stat -c %Y "$out/$name.json" "$out"/shards/*.gpkg 2>/dev/null | tr '\n' ' ')
if submit_and_wait "$out" &&
   [[ $(grep -l 'skipped' "$out"/logs/shard-*.out 2>/dev/null | wc -l) -eq 4 ]] &&
   grep -q 'skipped' "$out/logs/merge.out" &&
   [[ $(stat -c %Y "$out/$name.json" "$out"/shards/*.gpkg | tr '\n' ' ') == "$before" ]]; then
  ok "re-submitted: the 4 complete shards and the merge were skipped, files untouched"
else
  not_ok "re-submitted: everything skipped" "$(cat "$out"/logs/*.out 2>/dev/null)"
fi

cluster_stop
alive=$(pgrep -f "$tmp/cluster" || true)
if [[ -z $alive ]]; then
  ok "daemons stopped"
else
  not_ok "daemons stopped" "still running: $alive"
fi
finish
