#!/usr/bin/python3
"""Build the SYNTHETIC community layers of the Dallas demo (issue 27).

    /usr/bin/python3 tools/build_community_layers.py [DATA_DIR]

DATA_DIR defaults to data/dallas beside this script's repository.  Reads the
real county boundaries of DATA_DIR/dallas.gpkg and writes

  community_synthetic.gpkg  layers jurisdictions, water_utilities, residences,
                            nonattainment (EPSG:4326)
  ordinances_synthetic.csv  one row per jurisdiction (+ .csvt column types)

Everything but the nonattainment layer is SYNTHETIC: invented jurisdictions,
ordinances, utilities and homes, placed so that the borders cross the demo's
candidate cells and sites either side meet different rules.  The
nonattainment layer copies the county polygons of dallas.gpkg, all seven of
which lie in EPA's Dallas-Fort Worth ozone nonattainment area (40 CFR
81.344).  A fixed seed and pinned GeoPackage timestamps make a rebuild with
the same GDAL byte-identical (checked with GDAL 3.6.2, Python 3.11).
"""

import math
import os
import random
import sys

os.environ["OGR_CURRENT_DATE"] = "2024-01-01T00:00:00.000Z"
os.environ["OGR_SQLITE_JOURNAL"] = "OFF"

from osgeo import gdal, ogr, osr  # noqa: E402

gdal.UseExceptions()
ogr.UseExceptions()

SEED_RESIDENCES = 20270001
# The demo's candidate cells span x 687658-737230, y 3610000-3656730 in UTM 14N.
BOX = (682000.0, 3604000.0, 743000.0, 3662000.0)  # with a margin
BORDER_X = 711500.0       # Westfield | the east
BORDER_Y = 3632500.0      # Northgate above Southbank, east of BORDER_X
UTILITY_SPLIT = (700000.0, 3604000.0, 725000.0, 3662000.0)  # a slanted utility border
NEIGHBOURHOODS = 30
HOMES = 1500

JURISDICTIONS = [
    # name, polygon corners (UTM 14N)
    ("Westfield (synthetic)", [(BOX[0], BOX[1]), (BORDER_X, BOX[1]), (BORDER_X, BOX[3]),
                               (BOX[0], BOX[3])]),
    ("Northgate (synthetic)", [(BORDER_X, BORDER_Y), (BOX[2], BORDER_Y), (BOX[2], BOX[3]),
                               (BORDER_X, BOX[3])]),
    ("Southbank (synthetic)", [(BORDER_X, BOX[1]), (BOX[2], BOX[1]), (BOX[2], BORDER_Y),
                               (BORDER_X, BORDER_Y)]),
]

# The ordinance table: columns as docs/scenario.md lists them (empty: no such rule).
ORDINANCE_COLUMNS = ["jurisdiction", "structures_setback_m", "property_line_setback_m",
                     "mechanical_setback_m", "noise_day_dba", "noise_night_dba",
                     "noise_low_frequency_dbc", "generator_hours_yr", "water_m3_day",
                     "moratorium"]
ORDINANCES = [
    ["Westfield (synthetic)", 150, 30, 60, 60, 55, 70, 200, 8000, "no"],
    ["Northgate (synthetic)", 300, 60, 120, 60, 50, 65, 100, 5000, "no"],
    ["Southbank (synthetic)", "", "", "", "", "", "", "", "", "yes"],
]

# Water utilities: name, capacity and demand in million US gallons a day (SYNTHETIC).
UTILITIES = [
    ("West Water District (synthetic)", 200.0, 120.0),
    ("East Water Authority (synthetic)", 95.0, 72.0),
]


def utm_ring(points):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in points + [points[0]]:
        ring.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    return poly


def new_layer(ds, name, gtype, srs, fields, description):
    lyr = ds.CreateLayer(name, srs, gtype, options=["SPATIAL_INDEX=NO",
                                                   "DESCRIPTION=" + description])
    for fname, ftype in fields:
        lyr.CreateField(ogr.FieldDefn(fname, ftype))
    return lyr


def add(lyr, geom, values):
    f = ogr.Feature(lyr.GetLayerDefn())
    for k, v in values.items():
        f.SetField(k, v)
    f.SetGeometry(geom)
    lyr.CreateFeature(f)


def densify_to_lonlat(poly, to_ll):
    g = poly.Clone()
    g.Segmentize(1000.0)  # so that the straight UTM borders stay where they were
    g.Transform(to_ll)
    return g


def homes(rng):
    """Residences clustered around neighbourhood centres (SYNTHETIC)."""
    centres = [(rng.uniform(BOX[0], BOX[2]), rng.uniform(BOX[1], BOX[3]),
                rng.uniform(300.0, 1200.0)) for _ in range(NEIGHBOURHOODS)]
    out = []
    while len(out) < HOMES:
        cx, cy, spread = centres[rng.randrange(NEIGHBOURHOODS)]
        x, y = rng.gauss(cx, spread), rng.gauss(cy, spread)
        if BOX[0] <= x <= BOX[2] and BOX[1] <= y <= BOX[3]:
            out.append((round(x, 1), round(y, 1)))
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "data", "dallas")
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(32614)
    ll = osr.SpatialReference()
    ll.ImportFromEPSG(4326)
    for s in (utm, ll):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    to_ll = osr.CoordinateTransformation(utm, ll)

    path = os.path.join(out, "community_synthetic.gpkg")
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)

    lyr = new_layer(ds, "jurisdictions", ogr.wkbPolygon, ll, [("name", ogr.OFTString)],
                    "SYNTHETIC jurisdictions whose borders cross the demo's candidate cells")
    for name, corners in JURISDICTIONS:
        add(lyr, densify_to_lonlat(utm_ring(corners), to_ll), {"name": name})

    lyr = new_layer(ds, "water_utilities", ogr.wkbPolygon, ll,
                    [("utility", ogr.OFTString), ("capacity_mgd", ogr.OFTReal),
                     ("demand_mgd", ogr.OFTReal)],
                    "SYNTHETIC water-utility service areas, capacity and demand in million "
                    "US gallons a day")
    x0, y0, x1, y1 = UTILITY_SPLIT
    west = [(BOX[0], BOX[1]), (x0, y0), (x1, y1), (BOX[0], BOX[3])]
    east = [(x0, y0), (BOX[2], BOX[1]), (BOX[2], BOX[3]), (x1, y1)]
    for (name, cap, dem), corners in zip(UTILITIES, (west, east)):
        add(lyr, densify_to_lonlat(utm_ring(corners), to_ll),
            {"utility": name, "capacity_mgd": cap, "demand_mgd": dem})

    lyr = new_layer(ds, "residences", ogr.wkbPoint, ll, [("home_id", ogr.OFTInteger)],
                    "SYNTHETIC residences (noise receptors), clustered in invented "
                    "neighbourhoods")
    for k, (x, y) in enumerate(homes(random.Random(SEED_RESIDENCES)), 1):
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(x, y)
        p.Transform(to_ll)
        add(lyr, p, {"home_id": k})

    lyr = new_layer(ds, "nonattainment", ogr.wkbMultiPolygon, ll,
                    [("county", ogr.OFTString)],
                    "Counties of dallas.gpkg, all in EPA's Dallas-Fort Worth ozone "
                    "nonattainment area (40 CFR 81.344); county boundaries, not the legal text")
    src = ogr.Open(os.path.join(out, "dallas.gpkg"))
    counties = src.GetLayerByName("counties")
    counties.ResetReading()
    for f in sorted(counties, key=lambda f: f.GetField("name")):
        add(lyr, ogr.ForceToMultiPolygon(f.GetGeometryRef().Clone()),
            {"county": f.GetField("name")})
    ds = None

    with open(os.path.join(out, "ordinances_synthetic.csv"), "w", newline="\n") as fh:
        fh.write(",".join(ORDINANCE_COLUMNS) + "\n")
        for row in ORDINANCES:
            fh.write(",".join(str(v) for v in row) + "\n")
    with open(os.path.join(out, "ordinances_synthetic.csvt"), "w", newline="\n") as fh:
        fh.write(",".join(["String"] + ["Real"] * 8 + ["String"]) + "\n")


if __name__ == "__main__":
    main()
