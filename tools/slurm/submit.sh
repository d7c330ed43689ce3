#!/usr/bin/env bash
# submit.sh - submit a dcsite run split in N shards to Slurm: a job array of
# N shard tasks, then a merge job that waits for all of them (afterok).
#
#   tools/slurm/submit.sh SCENARIO.json N OUTDIR [extra sbatch options...]
#
# Prints the two job ids ("array <id>", "merge <id>").  Logs go to
# OUTDIR/logs/.  Re-running it after a failure is safe: complete shards (and
# complete reports) with the same fingerprint are skipped.  DCSITE selects
# the binary (default: dcsite on PATH).
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 SCENARIO.json N OUTDIR [sbatch options...]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
scenario=$(realpath "$1"); n=$2; outdir=$(realpath -m "$3"); shift 3
if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
  echo "submit.sh: N must be a positive integer, not '$n'" >&2
  exit 2
fi
dcsite=${DCSITE:-$(command -v dcsite || true)}
[[ -n $dcsite ]] || { echo "submit.sh: set DCSITE to the dcsite binary" >&2; exit 2; }
dcsite=$(realpath "$dcsite")
mkdir -p "$outdir/logs" "$outdir/shards"
export SCENARIO=$scenario OUTDIR=$outdir SHARDS=$n DCSITE=$dcsite
array=$(sbatch --parsable --array="0-$((n - 1))" --export=ALL \
  --output="$outdir/logs/shard-%a.out" "$@" "$here/dcsite-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --export=ALL --output="$outdir/logs/merge.out" "$@" "$here/dcsite-merge.sbatch")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
