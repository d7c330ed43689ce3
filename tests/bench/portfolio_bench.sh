#!/bin/sh
# portfolio_bench.sh - what the portfolio costs (issue 24): the demo
# scenario (data/scenarios/dallas.json, which has a portfolio section) run
# as it is and without its portfolio section, best wall time of 3 each,
# alternating so that a busy machine slows both alike; prints both, the
# ratio and PASS/MISS for the target
# "portfolio run <= 1.5x the run without it".  The portfolio itself is a
# pass over the ranked sites; what it adds is measuring each site's
# alternative connections (up to portfolio.search_km away).
set -eu
DCSITE=${DCSITE:-build/dcsite}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" - "$tmp" <<'PY'
import json, os, sys
src = os.path.abspath("data/scenarios/dallas.json")
with open(src) as f:
    s = json.load(f)
def fix(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "dataset":
                o[k] = os.path.normpath(os.path.join(os.path.dirname(src), v))
            else:
                fix(v)
    elif isinstance(o, list):
        for i, v in enumerate(o):
            if isinstance(v, str) and v.startswith("../"):
                o[i] = os.path.normpath(os.path.join(os.path.dirname(src), v))
            else:
                fix(v)
fix(s)
with open(os.path.join(sys.argv[1], "with.json"), "w") as f:
    json.dump(s, f)
s.pop("portfolio")
with open(os.path.join(sys.argv[1], "without.json"), "w") as f:
    json.dump(s, f)
PY
# one timed run of scenario $1; prints its wall seconds
timed() {
  /usr/bin/time -f '%e' -o "$tmp/t" "$DCSITE" run "$tmp/$1.json" -o "$tmp/out-$1" --quiet \
    >/dev/null
  cat "$tmp/t"
}
echo "bench: portfolio: the demo with and without its portfolio section (best of 3, alternating) ..."
w=999999
wo=999999
for r in 1 2 3; do
  w=$("$PY" -c "import sys; print(min(float(sys.argv[1]), float(sys.argv[2])))" "$w" "$(timed with)")
  wo=$("$PY" -c "import sys; print(min(float(sys.argv[1]), float(sys.argv[2])))" "$wo" "$(timed without)")
done
"$PY" - "$w" "$wo" <<'PY'
import sys
w, wo = float(sys.argv[1]), float(sys.argv[2])
x = w / wo if wo > 0 else float("inf")
print("portfolio: %.2f s with, %.2f s without: x%.2f" % (w, wo, x))
print("target  %-34s %-4s  %s" % ("portfolio run <= 1.5x without", "PASS" if x <= 1.5 else "MISS",
                                   "x%.2f" % x))
PY
