#!/bin/sh
# grid_bench.sh - what the grid model costs (issue 24), on the demo scenario
# (data/scenarios/dallas.json, which has a portfolio section):
#   plain      the scenario without its portfolio section;
#   portfolio  as it is (the allocation is one pass over the ranked sites;
#              what it adds is measuring each site's alternative connections
#              up to portfolio.search_km away);
#   routes     as it is plus interconnection.route for the top 20 sites on a
#              100 m grid with 16 neighbours (no friction raster, no barriers:
#              the search itself).
# Best wall time of 3 rounds each, the three alternating in every round so a
# busy machine slows them alike; prints each time, the ratios to plain and
# PASS/MISS for the targets "portfolio <= 1.5x plain" and "routes top 20 <=
# 1.5x portfolio".
set -eu
DCSITE=${DCSITE:-build/dcsite}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" - "$tmp" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.abspath("tests/e2e"))
import tapkit
s = tapkit.absolute_scenario("data/scenarios/dallas.json")
def write(name, scn):
    with open(os.path.join(sys.argv[1], name + ".json"), "w") as f:
        json.dump(scn, f)
write("portfolio", s)
r = json.loads(json.dumps(s))
r.setdefault("interconnection", {})["route"] = {"sites": "top", "top_n": 20, "cell_m": 100}
write("routes", r)
s.pop("portfolio")
write("plain", s)
PY
# one timed run of scenario $1; prints its wall seconds
timed() {
  /usr/bin/time -f '%e' -o "$tmp/t" "$DCSITE" run "$tmp/$1.json" -o "$tmp/out-$1" --quiet \
    >/dev/null
  cat "$tmp/t"
}
echo "bench: grid model: the demo plain, with its portfolio, with routes (best of 3, alternating) ..."
: > "$tmp/times"
for r in 1 2 3; do
  for k in plain portfolio routes; do
    echo "$k $(timed $k)" >> "$tmp/times"
  done
done
"$PY" - "$tmp/times" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    k, t = line.split()
    best[k] = min(best.get(k, float("inf")), float(t))
p, f, r = best["plain"], best["portfolio"], best["routes"]
print("grid model: plain %.2f s, portfolio %.2f s (x%.2f), routes top 20 %.2f s (x%.2f of portfolio)"
      % (p, f, f / p, r, r / f))
for name, x, limit in (("portfolio <= 1.5x plain", f / p, 1.5),
                       ("routes top 20 <= 1.5x portfolio", r / f, 1.5)):
    print("target  %-34s %-4s  x%.2f" % (name, "PASS" if x <= limit else "MISS", x))
PY
