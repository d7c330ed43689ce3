#!/usr/bin/env bash
# zonal_job.sh DIR - issue 28's "zonal-mean job" on the bench region in DIR:
# the exact zonal mean of one raster (population.tif, 30 m) over every parcel,
# written (a) as a GeoPackage with the parcels' polygons and a spatial index
# and (b) as CSV without geometry, against the floors GDAL sets for the same
# parcels in the same run:
#   - `ogr2ogr -f GPKG` of the parcels (polygons, GDAL's spatial index):
#     target: dcsite's whole GeoPackage job <= that + 3 s;
#   - the read floor `ogr2ogr -f Memory` (DIR/floor.runs, best of 3, measured by
#     run_bench.sh): target: dcsite's whole CSV job <= 2x that.
# Every dcsite scenario needs substations, so dcsite also measures the nearest
# one (a little more work than the peer's job).  The values are checked too: the CSV's population_mean must equal the
# GeoPackage's for every parcel (1e-12 relative: 15 significant digits).
# Writes DIR/zonal_job.txt ("gpkg_s csv_s ogr_gpkg_s read_s") and prints the
# ratios; exit 1 when a run fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
DCSITE=${DCSITE:-build/dcsite}
PY=/usr/bin/python3
REPEAT=${BENCH_FLOOR_REPEAT:-2}
"$PY" - "$dir" <<'PYEOF'
import json, os, sys
d = sys.argv[1]
for name, outputs in (("zonal_gpkg", {"gpkg": True, "geometry": "polygons"}),
                      ("zonal_csv", {"gpkg": True, "geometry": "none"})):
    json.dump({
        "name": name,
        "description": "issue 28 zonal-mean job: the exact mean of one raster per parcel",
        "facility": {"it_load_mw": 60},
        "working_crs": "EPSG:32614",
        "sites": {"dataset": "region.gpkg", "layer": "parcels", "id_field": "parcel_id"},
        # required by every scenario: the nearest substation is measured too
        "substations": {"dataset": "region.gpkg", "layer": "substations",
                        "id_field": "sub_id", "voltage_field": "voltage_kv"},
        "interconnection": {"choose": "nearest"},
        "rasters": [{"name": "population", "dataset": "population.tif", "stats": ["mean"]}],
        "outputs": dict({"xlsx": False, "json": False, "eligible_points": False, "map": False},
                        **outputs),
    }, open(os.path.join(d, name + ".json"), "w"), indent=1)
PYEOF

best() { sort -n | head -1; }
timed() { # timed FILE CMD...: wall seconds of CMD appended to FILE
  local f=$1; shift
  /usr/bin/time -f '%e' -a -o "$f" "$@" > /dev/null
}
out=$dir/zonal_out
: > "$dir/zonal_gpkg.runs"; : > "$dir/zonal_csv.runs"; : > "$dir/zonal_ogr.runs"
for r in $(seq "$REPEAT"); do
  rm -rf "$out"; sync
  timed "$dir/zonal_gpkg.runs" "$DCSITE" run "$dir/zonal_gpkg.json" -o "$out" --quiet ||
    { echo "bench: zonal job (GeoPackage) failed" >&2; exit 1; }
  timed "$dir/zonal_csv.runs" "$DCSITE" run "$dir/zonal_csv.json" -o "$out" --format CSV --quiet ||
    { echo "bench: zonal job (CSV) failed" >&2; exit 1; }
  rm -f "$dir/zonal_floor.gpkg"; sync
  timed "$dir/zonal_ogr.runs" ogr2ogr -f GPKG "$dir/zonal_floor.gpkg" "$dir/region.gpkg" parcels
done
rm -f "$dir/zonal_floor.gpkg"
g=$(best < "$dir/zonal_gpkg.runs"); c=$(best < "$dir/zonal_csv.runs")
o=$(best < "$dir/zonal_ogr.runs"); f=$(awk '{print $1}' "$dir/floor.runs" | best)
echo "$g $c $o $f" > "$dir/zonal_job.txt"
"$PY" - "$out" "$g" "$c" "$o" "$f" <<'PYEOF'
import csv, sys
from osgeo import ogr
out, g, c, o, f = sys.argv[1], *map(float, sys.argv[2:])
ds = ogr.Open(out + "/zonal_gpkg.gpkg")
ref = {ft.GetField("parcel_id") if ft.GetFieldIndex("parcel_id") >= 0 else ft.GetField("site_id"):
       ft.GetField("population_mean") for ft in ds.GetLayerByName("candidates")}
worst = 0.0
with open(out + "/zonal_csv.csv") as fh:
    n = 0
    for row in csv.DictReader(fh):
        want, have = ref[row["site_id"]], row["population_mean"]
        n += 1
        if want is None:
            assert have == "", (row["site_id"], have)
            continue
        worst = max(worst, abs(float(have) - want) / max(1.0, abs(want)))
assert n == len(ref), (n, len(ref))
assert worst <= 1e-12, worst
print("bench: zonal job (%d parcels, population mean): GeoPackage with polygons and index "
      "%.2f s vs ogr2ogr of the parcels to GPKG %.2f s (+%.2f s; target <= +3 s: %s); "
      "CSV %.2f s vs read floor %.2f s (%.2fx; target <= 2x: %s); CSV = GeoPackage values "
      "within %.1g" % (n, g, o, g - o, "PASS" if g <= o + 3 else "MISS", c, f, c / f,
                      "PASS" if c <= 2 * f else "MISS", worst))
PYEOF
