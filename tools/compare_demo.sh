#!/usr/bin/env bash
# compare_demo.sh - did a change alter what dcsite writes?  Builds revision
# REV in a temporary folder, runs the demo scenario with that build and with
# the build of the working tree, and compares the two sets of reports value
# by value:
#   - both GeoPackage layers, every field and geometry, and the JSON summary,
#     every key but the run's date, duration and output paths
#     (tests/e2e/compare_runs.py; doubles must be equal to the bit);
#   - every cell of every sheet of the workbook but the rows of the run's
#     date and duration.
#
#   tools/compare_demo.sh REV [SCENARIO]     (default data/scenarios/dallas.json)
#
# Both binaries read the same inputs (this tree's data/).  Exit 0 when the
# reports agree, 1 when they differ (the differences are listed), 2 on a
# usage or build error.  Needs what `make` needs, plus Debian's python3-gdal
# and python3-openpyxl (installed by `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

rev=${1:-}
scenario=${2:-data/scenarios/dallas.json}
if [[ -z $rev ]] || ! git rev-parse --verify -q "$rev^{commit}" >/dev/null; then
  echo "usage: $0 REV [SCENARIO]  (REV: a commit, e.g. HEAD~3 or main)" >&2
  exit 2
fi
[[ -f $scenario ]] || { echo "compare_demo: scenario '$scenario' not found" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/src"
git archive "$rev" | tar -x -C "$tmp/src"
echo "compare_demo: building $rev ($(git rev-parse --short "$rev"))" >&2
make -s -C "$tmp/src" -j2 all >"$tmp/build-old.log" 2>&1 ||
  { cat "$tmp/build-old.log" >&2; echo "compare_demo: $rev does not build" >&2; exit 2; }
echo "compare_demo: building the working tree" >&2
make -s -j2 all >"$tmp/build-new.log" 2>&1 ||
  { cat "$tmp/build-new.log" >&2; echo "compare_demo: the working tree does not build" >&2; exit 2; }

"$tmp/src/build/dcsite" run "$scenario" -o "$tmp/before" --quiet >/dev/null
build/dcsite run "$scenario" -o "$tmp/after" --quiet >/dev/null
name=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$scenario")

/usr/bin/python3 - "$tmp/before" "$tmp/after" "$name" <<'PY'
import os
import sys

sys.path.insert(0, os.path.join("tests", "e2e"))
import openpyxl  # noqa: E402
import compare_runs  # noqa: E402

before, after, name = sys.argv[1:4]
diffs = compare_runs.compare(before, after, name)
nvalues = compare_runs.count_values(before, name)

VOLATILE_ROWS = ("run started (utc)", "run duration", "run duration (s)")
xa = os.path.join(before, name + ".xlsx")
xb = os.path.join(after, name + ".xlsx")
ncells = 0
if os.path.exists(xa) or os.path.exists(xb):
    a, b = openpyxl.load_workbook(xa), openpyxl.load_workbook(xb)
    if a.sheetnames != b.sheetnames:
        diffs.append("workbook sheets: %s vs %s" % (a.sheetnames, b.sheetnames))
    for s in a.sheetnames:
        if s not in b.sheetnames:
            continue
        ra = list(a[s].iter_rows(values_only=True))
        rb = list(b[s].iter_rows(values_only=True))
        if len(ra) != len(rb):
            diffs.append("%s: %d rows vs %d" % (s, len(ra), len(rb)))
        for i, (x, y) in enumerate(zip(ra, rb)):
            label = str(x[0]).lower() if x and x[0] is not None else ""
            if label in VOLATILE_ROWS:
                continue
            ncells += len(x)
            if x != y:
                diffs.append("%s row %d: %r vs %r" % (s, i + 1, x[:6], y[:6]))
for d in diffs[:50]:
    print(d)
print("compare_demo: %d differences (%d GeoPackage values, the JSON summary, %d workbook cells)"
      % (len(diffs), nvalues, ncells))
sys.exit(1 if diffs else 0)
PY
