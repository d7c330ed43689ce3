#!/usr/bin/env bash
# build_sample_region.sh - rebuild dcsite's Dallas sample region in data/.
#
#   tools/build_sample_region.sh [SHARED_DATA_DIR]
#
# SHARED_DATA_DIR defaults to ../shared/data relative to the repository root.
# Writes (and overwrites):
#   data/dallas/dallas.gpkg                 10 vector layers (see data/README.md)
#   data/dallas/dem_dallas.tif              SYNTHETIC elevation (see data/README.md)
#   data/dallas/build_summary.json          counts and source-data findings
#   data/dallas/county_electricity_prices.csv   Texas rows only
#   data/dallas/grid_hourly_synthetic.csv.gz    SYNTHETIC hourly grid signals (ERCT)
#   data/weather/*.tmy3.gz                  three DFW TMY3 files, gzip-compressed
#
# Deterministic: every synthetic value comes from a fixed seed (see
# tools/build_sample_region.py) and the GeoPackage timestamps are pinned with
# OGR_CURRENT_DATE, so a rebuild with the same inputs and GDAL gives the same
# layers (and, in practice, the same bytes).
#
# Needs GDAL and Debian's python3-gdal; /usr/bin/python3 is used on purpose
# because another python3 earlier on PATH may lack the osgeo module.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${1:-$repo/../shared/data}
src=$(cd "$src" && pwd)
out=$repo/data/dallas
wx=$repo/data/weather
py=/usr/bin/python3

for f in dfw/city_boundary.geojson dfw/counties.geojson dfw/block_groups.geojson \
         dfw/floodplain.geojson dfw/water_dallas.geojson dfw/disd_enrollment.csv \
         grid/hifld_transmission_partial.geojson \
         grid/eia860_plants_2019.csv grid/egrid2023_subregions.geojson \
         grid/us_states.geojson grid/county_electricity_prices.csv \
         weather/tmy3/TX-Dallas_Love_Field.tmy3 weather/tmy3/TX-Dallasfort_Worth_Intl_Ap.tmy3 \
         weather/tmy3/TX-Fort_Worth_Meacham.tmy3; do
  [[ -f $src/$f ]] || { echo "missing source file: $src/$f" >&2; exit 1; }
done
"$py" -c 'import osgeo.ogr' || { echo "$py lacks osgeo (install python3-gdal)" >&2; exit 1; }

mkdir -p "$out" "$wx"
export OGR_CURRENT_DATE=2024-01-01T00:00:00.000Z
export OGR_SQLITE_JOURNAL=OFF

echo "== GeoPackage and DEM"
"$py" "$repo/tools/build_sample_region.py" "$src" "$out/dallas.gpkg"

echo "== tables"
rm -f "$out/dem_fort_worth.tif"   # the demo used it before dem_dallas.tif; it lies outside Dallas
# header plus the Texas rows (state FIPS 48); the file has no quoted fields
awk -F, 'NR == 1 || (substr($1, 1, 2) == "48" && $3 == "Texas")' \
  "$src/grid/county_electricity_prices.csv" > "$out/county_electricity_prices.csv"
# GDAL reads column types from a .csvt beside the CSV: prices are numbers,
# the FIPS code stays text (leading zeros matter elsewhere in the US)
echo '"String","String","String","Real","Real"' > "$out/county_electricity_prices.csvt"

echo "== weather"
# gzip-compressed (dcsite reads .gz through GDAL's /vsigzip/); -n: no name
# or time stamp, so a rebuild gives the same bytes
rm -f "$wx"/*.tmy3 "$wx"/*.tmy3.gz
for f in TX-Dallas_Love_Field TX-Dallasfort_Worth_Intl_Ap TX-Fort_Worth_Meacham; do
  gzip -9 -n -c "$src/weather/tmy3/$f.tmy3" > "$wx/$f.tmy3.gz"
done

ls -l "$out" "$wx"
