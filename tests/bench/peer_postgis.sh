#!/usr/bin/env bash
# peer_postgis.sh DIR - the PostGIS peer of the bench (issue 28): the nearest
# qualifying substation (>= 138 kV) and the share of each parcel inside the
# 100-year flood polygons, on the bench region in DIR (region.gpkg), against
# dcsite running the same job (DIR/peer_scenario.json: the parcels, the
# substations with the same voltage floor and the one overlay; its GeoPackage
# and JSON outputs, no workbook).
#
# PostGIS: a throw-away server (tools/pg_test_server.sh, in /tmp), the three
# layers loaded with ogr2ogr (timed: a peer has to load its data, as dcsite
# reads it), GiST indexes, then one query: a KNN LATERAL join for the nearest
# substation (planar distance in the layer's UTM CRS, to the polygon: 0
# inside, the boundary distance outside -- what dcsite measures, geodesic)
# and the area of the parcel's intersection with the union of the flood
# polygons it meets (they overlap, as dcsite's overlay unions them) over its
# area, into a table.
#
# Writes DIR/peer_postgis.txt: "load_s query_s dcsite_s" and prints the
# ratios.  Exit 0 also when the server cannot start (the peer is skipped, with
# a message); 1 when a step fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
DCSITE=${DCSITE:-build/dcsite}
PY=/usr/bin/python3
"$PY" - "$dir" <<'EOF'
import json, os, sys
d = sys.argv[1]
json.dump({
    "name": "peer_nearest_flood",
    "description": "issue 28 peer job: nearest substation >= 138 kV and 100-year flood share",
    "facility": {"it_load_mw": 60},
    "working_crs": "EPSG:32614",
    "sites": {"dataset": "region.gpkg", "layer": "parcels", "id_field": "parcel_id"},
    "substations": {"dataset": "region.gpkg", "layer": "substations", "id_field": "sub_id",
                    "voltage_field": "voltage_kv", "min_voltage_kv": 138},
    "interconnection": {"choose": "nearest"},
    "overlays": [{"name": "flood100", "dataset": "region.gpkg", "layer": "flood",
                  "where": "category = '100yr'"}],
    # sized to the job, like the PostGIS result table: no geometry, no second
    # layer, no map
    "outputs": {"xlsx": False, "gpkg": True, "json": True, "geometry": "none",
                "eligible_points": False, "map": False},
}, open(os.path.join(d, "peer_scenario.json"), "w"), indent=1)
EOF
[[ -x /usr/lib/postgresql/15/bin/initdb ]] ||
  { echo "bench: peer PostGIS skipped: postgresql-15 not installed (tools/install-deps.sh test)"; exit 0; }

pg=$(mktemp -d /tmp/dcsite-peer-pg-XXXXXX) # the server's user must reach it
chmod 755 "$pg"
if ! tools/pg_test_server.sh start "$pg" > "$dir/peer_postgis.log" 2>&1; then
  echo "bench: peer PostGIS skipped: the test server did not start ($dir/peer_postgis.log)"
  exit 0
fi
trap 'tools/pg_test_server.sh stop "$pg" >/dev/null 2>&1 || true; rm -rf "$pg"' EXIT
# shellcheck disable=SC1091
set -a; . "$pg/env"; set +a
conn="PG:host=$DCS_PG_SOCKET_DIR port=$PGPORT dbname=$PGDATABASE user=postgres"
psql_run() { psql -X -q -v ON_ERROR_STOP=1 -h "$DCS_PG_SOCKET_DIR" -p "$PGPORT" -U postgres -d "$PGDATABASE" "$@"; }

now() { date +%s.%N; }
t0=$(now)
ogr2ogr -f PostgreSQL "$conn" "$dir/region.gpkg" parcels -nln parcels -lco GEOMETRY_NAME=geom \
  -lco SPATIAL_INDEX=NONE >> "$dir/peer_postgis.log" 2>&1
ogr2ogr -f PostgreSQL "$conn" "$dir/region.gpkg" substations -nln subs -lco GEOMETRY_NAME=geom \
  -where "voltage_kv >= 138" -lco SPATIAL_INDEX=NONE >> "$dir/peer_postgis.log" 2>&1
ogr2ogr -f PostgreSQL "$conn" "$dir/region.gpkg" flood -nln flood -lco GEOMETRY_NAME=geom \
  -where "category = '100yr'" -lco SPATIAL_INDEX=NONE >> "$dir/peer_postgis.log" 2>&1
psql_run -c "CREATE INDEX ON parcels USING gist (geom); CREATE INDEX ON subs USING gist (geom);
             CREATE INDEX ON flood USING gist (geom); ANALYZE parcels; ANALYZE subs; ANALYZE flood;"
t1=$(now)
psql_run -c "
CREATE TABLE result AS
SELECT p.parcel_id, s.sub_id, ST_Distance(p.geom, s.geom) / 1000 AS substation_km,
       100 * COALESCE((SELECT ST_Area(ST_Intersection(p.geom, ST_Union(f.geom))) FROM flood f
                       WHERE ST_Intersects(p.geom, f.geom)), 0) / ST_Area(p.geom) AS flood100_pct
FROM parcels p
CROSS JOIN LATERAL (SELECT sub_id, geom FROM subs ORDER BY subs.geom <-> p.geom LIMIT 1) s;"
t2=$(now)
n=$(psql_run -At -c "SELECT count(*) FROM result")

rm -rf "$dir/peer_out"
sync
t3=$(now)
"$DCSITE" run "$dir/peer_scenario.json" -o "$dir/peer_out" --quiet > /dev/null 2>> "$dir/peer_postgis.log"
t4=$(now)
"$PY" - "$t0" "$t1" "$t2" "$t3" "$t4" "$n" "$dir/peer_postgis.txt" <<'EOF'
import sys
t0, t1, t2, t3, t4 = map(float, sys.argv[1:6])
n, out = int(sys.argv[6]), sys.argv[7]
load, query, dcs = t1 - t0, t2 - t1, t4 - t3
with open(out, 'w') as fh:
    fh.write('%.2f %.2f %.2f\n' % (load, query, dcs))
print('bench: peer PostGIS (%d parcels): load %.1f s + query %.1f s = %.1f s; dcsite %.1f s: '
      'PostGIS / dcsite = %.1fx' % (n, load, query, load + query, dcs, (load + query) / dcs))
EOF
# the same job? PostGIS's planar distances and flood shares against dcsite's
# geodesic ones, printed (not a test)
psql_run -At -F ' ' -c "SELECT parcel_id, substation_km, flood100_pct FROM result" > "$dir/peer_pg.txt"
"$PY" - "$dir" <<'EOF'
import os, sys
from osgeo import ogr
d = sys.argv[1]
pg = {}
for line in open(os.path.join(d, 'peer_pg.txt')):
    pid, km, fl = line.split()
    pg[pid] = (float(km), float(fl))
ds = ogr.Open(os.path.join(d, 'peer_out', 'peer_nearest_flood.gpkg'))
dk = df = n = 0
for f in ds.GetLayerByName('candidates'):
    p = pg.get(f.GetField('site_id'))
    if p is None or f.GetField('substation_km') is None:
        continue
    dk = max(dk, abs(p[0] - f.GetField('substation_km')))
    df = max(df, abs(p[1] - (f.GetField('flood100_pct') or 0)))
    n += 1
print('bench: peer PostGIS: %d parcels compared; largest difference substation_km %.4f km '
      '(planar UTM vs geodesic), flood100_pct %.4f points' % (n, dk, df))
EOF
