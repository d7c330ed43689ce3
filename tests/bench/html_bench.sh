#!/usr/bin/env bash
# html_bench.sh - what the web map report (outputs.html, issue 30) costs on a
# large run.  `make bench` runs it after run_bench.sh.
#
# On the synthetic region of HTML_BENCH_N parcels (default 100000; the same
# region run_bench.sh generates into build/bench/N/, reused when its stamp
# matches, else generated here the same way) it runs the region's scenario
# twice with the JSON summary only, once as it is and once with
# outputs.html, and reports the run's extra wall time, the HTML file's
# size (and bytes per site), then opens the file in headless Debian
# chromium (tests/e2e/html_check.mjs, no network) HTML_BENCH_REPEAT times
# (default 3) and reports the best and worst open time: from navigation
# until the report's script has drawn every site and two animation frames
# have passed.  PASS/MISS for the target "a 100,000-site run opens in
# seconds": best open time <= 10 s.  Exits 1 only when something fails.
#
# Environment: DCSITE (default build/dcsite), BENCH_DIR (build/bench),
# BENCH_SEED (1), HTML_BENCH_N, HTML_BENCH_REPEAT, HTML_BENCH_SHOT (a PNG
# path: keep a screenshot of the opened page).
set -euo pipefail

cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
DCSITE=${DCSITE:-build/dcsite}
N=${HTML_BENCH_N:-100000}
SEED=${BENCH_SEED:-1}
BDIR=${BENCH_DIR:-build/bench}
REPEAT=${HTML_BENCH_REPEAT:-3}
GEN=tests/bench/make_region.py
NODE_MODULES=$(dirname "$DCSITE")/npm/node_modules

[[ -x $DCSITE ]] || { echo "html bench: $DCSITE not built (run make)" >&2; exit 1; }
[[ -d $NODE_MODULES/puppeteer-core ]] || {
  echo "html bench: $NODE_MODULES/puppeteer-core missing (make fetches it with npm ci)" >&2; exit 1; }
[[ -x /usr/bin/chromium ]] || { echo "html bench: /usr/bin/chromium missing (make deps-test)" >&2; exit 1; }

dir=$BDIR/$N
stamp="make_region.py $(sha256sum "$GEN" | cut -c1-16) seed $SEED parcels $N"
if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$stamp" && -f $dir/scenario.json ]]; then
  echo "html bench: $N parcels: inputs cached in $dir"
else
  echo "html bench: $N parcels: generating into $dir ..."
  rm -rf "$dir"
  mkdir -p "$dir"
  "$PY" "$GEN" "$dir" "$N" --seed "$SEED" 2> "$dir/generate.log" ||
    { cat "$dir/generate.log" >&2; echo "html bench: generation failed" >&2; exit 1; }
  echo "$stamp" > "$dir/.stamp"
fi

hdir=$dir/html
rm -rf "$hdir"
mkdir -p "$hdir"
"$PY" - "$dir/scenario.json" "$hdir" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
base = os.path.dirname(os.path.abspath(src))
scn = json.load(open(src))
def fix(o):
    items = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) else ()
    for k, v in list(items):
        if isinstance(v, str) and (k == "dataset" or (isinstance(o, list) and not os.path.isabs(v)
                                                      and os.path.exists(os.path.join(base, v)))):
            o[k] = os.path.normpath(os.path.join(base, v))
        else:
            fix(v)
fix(scn)
for name, html in (("plain", False), ("html", True)):
    s = json.loads(json.dumps(scn))
    s.setdefault("outputs", {}).update(xlsx=False, gpkg=False, json=True, html=html)
    json.dump(s, open(os.path.join(out, name + ".json"), "w"))
PY

timed() { # timed NAME: wall seconds of one run
  cat "$dir"/region.gpkg > /dev/null
  /usr/bin/time -f '%e' -o "$hdir/$1.time" "$DCSITE" run "$hdir/$1.json" -o "$hdir/out-$1" --quiet \
    > /dev/null
  cat "$hdir/$1.time"
}
plain=$(timed plain)
with=$(timed html)
html=$(ls "$hdir"/out-html/*.html)
bytes=$(stat -c %s "$html")
sites=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["candidates"])' \
        "${html%.html}.json")
echo "html bench: run without html ${plain} s, with html ${with} s"
echo "html bench: $html: $bytes bytes, $sites sites, $((bytes / sites)) bytes per site"

best=""
worst=0
for k in $(seq 1 "$REPEAT"); do
  shot=""
  [[ $k -eq 1 && -n ${HTML_BENCH_SHOT:-} ]] && shot=$HTML_BENCH_SHOT
  out=$(DCS_NODE_MODULES=$NODE_MODULES node tests/e2e/html_check.mjs \
    "{\"html\": \"$html\", \"offline\": true, \"open_only\": true, \"shot\": \"$shot\"}")
  read -r ms drawn err < <("$PY" -c '
import json, sys
o = json.loads(sys.argv[1])
print(o.get("open_ms", -1), o.get("drawn", -1), "error" in o or bool(o["page_errors"]))' "$out")
  if [[ $err != False || $drawn -ne $sites ]]; then
    echo "html bench: opening FAILED (drawn $drawn of $sites): $out" >&2
    exit 1
  fi
  echo "html bench: open $k: ${ms} ms, $drawn sites drawn"
  [[ -z $best || $ms -lt $best ]] && best=$ms
  [[ $ms -gt $worst ]] && worst=$ms
done
verdict=MISS
[[ $best -le 10000 ]] && verdict=PASS
awk -v n="$sites" -v b="$bytes" -v best="$best" -v worst="$worst" -v r="$REPEAT" -v v="$verdict" \
  'BEGIN { printf "html bench: %d sites: %.1f MB, opens in %.1f s (best of %d; worst %.1f s): %s (target <= 10 s)\n", n, b / 1e6, best / 1000, r, worst / 1000, v }'
