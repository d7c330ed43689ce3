#!/usr/bin/env bash
# output_costs.sh DIR - what each GIS output costs (issue 28: "say in the docs
# what each costs per million sites"), on the bench region in DIR: the bench
# scenario run once without GIS output and without map (the base), then once
# per output (GeoPackage, FlatGeobuf, CSV; polygons, points, none), map off,
# best of BENCH_COST_REPEAT (2) each.  Prints CPU seconds (user + system) and
# wall seconds over the base, scaled to a million sites, and the file's size
# per million sites.  Writes DIR/output_costs.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
DCSITE=${DCSITE:-build/dcsite}
PY=/usr/bin/python3
REPEAT=${BENCH_COST_REPEAT:-2}
n=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['name'].split('_')[-1])" \
  "$dir/scenario.json")
variant() { # variant NAME KEY=VALUE... : DIR/cost_NAME.json
  "$PY" - "$dir" "$@" <<'PYEOF'
import json, os, sys
d, name, kv = sys.argv[1], sys.argv[2], sys.argv[3:]
s = json.load(open(os.path.join(d, "scenario.json")))
o = dict(s["outputs"], map=False, json=False, xlsx=False)
for item in kv:
    k, v = item.split("=")
    o[k] = json.loads(v)
s["outputs"] = o
json.dump(s, open(os.path.join(d, "cost_%s.json" % name), "w"))
PYEOF
}
variant base gpkg=false
variant gpkg_polygons gpkg=true eligible_points=false
variant gpkg_default gpkg=true eligible_points=true
variant gpkg_points gpkg=true geometry='"points"' eligible_points=false
variant gpkg_none gpkg=true geometry='"none"' eligible_points=false
variant fgb_polygons gpkg=true eligible_points=false
variant fgb_points gpkg=true geometry='"points"' eligible_points=false
variant csv_wkt gpkg=true eligible_points=false
variant csv_none gpkg=true geometry='"none"' eligible_points=false
runs=(base: gpkg_polygons: gpkg_default: gpkg_points: gpkg_none: fgb_polygons:FlatGeobuf
      fgb_points:FlatGeobuf csv_wkt:CSV csv_none:CSV)
: > "$dir/output_costs.txt"
out=$dir/cost_out
for spec in "${runs[@]}"; do
  name=${spec%%:*} fmt=${spec#*:}
  for r in $(seq "$REPEAT"); do
    rm -rf "$out"; sync
    /usr/bin/time -f "%U %S %e" -o "$dir/cost.time" "$DCSITE" run "$dir/cost_$name.json" \
      -o "$out" --quiet ${fmt:+--format "$fmt"} > /dev/null
    bytes=$(du -cb "$out" | tail -1 | cut -f1)
    echo "$name $(cat "$dir/cost.time") $bytes" >> "$dir/output_costs.txt"
  done
done
rm -rf "$out"
"$PY" - "$dir/output_costs.txt" "$n" <<'PYEOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, u, s, e, b = line.split()
    cpu, wall = float(u) + float(s), float(e)
    best = rows.get(name)
    if not best or cpu < best[0]:
        rows[name] = (cpu, wall, int(b))
n = int(sys.argv[2])
k = 1e6 / n
base = rows.pop("base")
labels = {"gpkg_default": "GeoPackage, polygons + eligible_points (default)",
          "gpkg_polygons": "GeoPackage, polygons, no eligible_points",
          "gpkg_points": "GeoPackage, points", "gpkg_none": "GeoPackage, no geometry",
          "fgb_polygons": "FlatGeobuf, polygons", "fgb_points": "FlatGeobuf, points",
          "csv_wkt": "CSV, WKT polygons", "csv_none": "CSV, no geometry (lon, lat)"}
print("bench: what each GIS output adds per million sites (measured at %d sites, map off; "
      "base run %.1f CPU s, %.1f s wall)" % (n, base[0], base[1]))
for name, label in labels.items():
    if name in rows:
        cpu, wall, b = rows[name]
        print("bench:   %-50s %5.1f CPU s  %5.1f s wall  %5.2f GB" % (
            label, (cpu - base[0]) * k, (wall - base[1]) * k, b * k / 1e9))
PYEOF
