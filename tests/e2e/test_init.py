#!/usr/bin/python3
"""End-to-end tests of `dcsite init` (issue 23): the first hour of a new user.

A fresh folder of layers, as a user would download them, is written into a
temporary directory with osgeo:
  - parcels.gpkg, layer parcels: 12 parcels of 300 m x 300 m (9 ha) in
    UTM 14N (EPSG:32614) near Dallas, fields OBJECTID (integer), PIN (text,
    the id), ZONING (text) and LAND_VAL (real, 20 000 to 130 000);
  - hifld.gpkg, layer hifld_substations: four points in EPSG:4326 with ID,
    NAME and VOLTAGE and no headroom, like the public HIFLD data: 345 kV
    1 km east of the parcels, 138 kV 3 km north, 69 kV 200 m west, and one
    of unknown voltage (-999999, HIFLD's code);
  - census.gpkg, layer block_groups: two polygons in EPSG:4326 with GEOID
    and POP20;
  - nfhl.gpkg, layer S_FLD_HAZ_AR: a flood polygon (FLD_ZONE "AE") over
    the western column of parcels;
  - counties.gpkg, layer counties (NAME, FIPS) and county_prices.csv (with
    its .csvt: county_fips text, industrial_price real);
  - elevation_dem.tif: a plane rising 2 m every 100 m eastward (UTM 14N,
    30 m pixels) over the parcels and 2 km around;
  - a copy of tests/fixtures/weather/tmy3/TX-Dallas_Love_Field.tmy3.gz.
`init` writes scenario/starter.json (a subfolder: dataset paths must be
relative to it), then `check` and `run` must both exit 0 with every parcel
eligible (init adds no rule).  Independent reference: the slope of the
plane is atan(0.02) = 1.1458 degrees, which any finite-difference slope is
exactly on a plane; tolerance 0.01 degree.  Bad site layers (missing, not
a dataset, points only, no features) exit 4 naming the file; an existing
scenario is kept (exit 5) unless --force.  About 4 s.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from osgeo import gdal, ogr, osr

import tapkit

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

DCSITE = tapkit.dcsite_path()
WEATHER = os.path.join(tapkit.REPO, "tests", "fixtures", "weather", "tmy3",
                       "TX-Dallas_Love_Field.tmy3.gz")
X0, Y0, SIDE = 700000.0, 3620000.0, 300.0  # south-west corner of the parcels, UTM 14N
COLS, ROWS = 4, 3
TMP = None
LAYERS = None
SCENARIO = None
RUNS = {}  # tag -> CompletedProcess


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


TO_LL = None


def lonlat(x, y):
    p = TO_LL.TransformPoint(x, y)
    return p[0], p[1]


def box(x0, y0, x1, y1, ll=False):
    pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    if ll:
        pts = [lonlat(x, y) for x, y in pts]
    return ogr.CreateGeometryFromWkt("POLYGON ((%s))" % ", ".join("%.9f %.9f" % p for p in pts))


def layer(path, name, epsg, gtype, fields):
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer(name, srs(epsg) if epsg else None, gtype)
    for fname, ftype in fields:
        lyr.CreateField(ogr.FieldDefn(fname, ftype))
    return ds, lyr


def add(lyr, geom, **values):
    f = ogr.Feature(lyr.GetLayerDefn())
    for k, v in values.items():
        f.SetField(k, v)
    if geom is not None:
        f.SetGeometry(geom)
    lyr.CreateFeature(f)


def write_parcels(path, empty=False):
    ds, lyr = layer(path, "parcels", 32614, ogr.wkbPolygon,
                    [("OBJECTID", ogr.OFTInteger), ("PIN", ogr.OFTString),
                     ("ZONING", ogr.OFTString), ("LAND_VAL", ogr.OFTReal)])
    for r in range(0 if empty else ROWS):
        for c in range(COLS):
            x, y = X0 + c * SIDE, Y0 + r * SIDE
            add(lyr, box(x, y, x + SIDE, y + SIDE), OBJECTID=r * COLS + c + 1,
                PIN="48113-%04d" % (r * COLS + c), ZONING="industrial" if c % 2 else "commercial",
                LAND_VAL=20000.0 + 10000.0 * (r * COLS + c))
    ds = None


def write_substations(path):
    ds, lyr = layer(path, "hifld_substations", 4326, ogr.wkbPoint,
                    [("ID", ogr.OFTString), ("NAME", ogr.OFTString), ("VOLTAGE", ogr.OFTReal)])
    east = X0 + COLS * SIDE
    for sid, name, x, y, kv in [("110001", "EAST 345", east + 1000, Y0 + 450, 345.0),
                                ("110002", "NORTH 138", X0 + 600, Y0 + ROWS * SIDE + 3000, 138.0),
                                ("110003", "WEST 69", X0 - 200, Y0 + 450, 69.0),
                                ("110004", "UNKNOWN", X0 + 600, Y0 - 5000, -999999.0)]:
        lon, lat = lonlat(x, y)
        add(lyr, ogr.CreateGeometryFromWkt("POINT (%.9f %.9f)" % (lon, lat)), ID=sid, NAME=name,
            VOLTAGE=kv)
    ds = None


def write_context(d):
    ds, lyr = layer(os.path.join(d, "census.gpkg"), "block_groups", 4326, ogr.wkbPolygon,
                    [("GEOID", ogr.OFTString), ("POP20", ogr.OFTInteger)])
    mid = X0 + 2 * SIDE
    add(lyr, box(X0 - 3000, Y0 - 3000, mid, Y0 + 4000, ll=True), GEOID="481130001001", POP20=1200)
    add(lyr, box(mid, Y0 - 3000, X0 + 5000, Y0 + 4000, ll=True), GEOID="481130001002", POP20=3400)
    ds = None
    ds, lyr = layer(os.path.join(d, "nfhl.gpkg"), "S_FLD_HAZ_AR", 4326, ogr.wkbPolygon,
                    [("FLD_ZONE", ogr.OFTString)])
    add(lyr, box(X0 - 100, Y0 - 100, X0 + 150, Y0 + ROWS * SIDE + 100, ll=True), FLD_ZONE="AE")
    ds = None
    ds, lyr = layer(os.path.join(d, "counties.gpkg"), "counties", 4326, ogr.wkbPolygon,
                    [("NAME", ogr.OFTString), ("FIPS", ogr.OFTString)])
    add(lyr, box(X0 - 20000, Y0 - 20000, X0 + 20000, Y0 + 20000, ll=True), NAME="Dallas",
        FIPS="48113")
    ds = None
    with open(os.path.join(d, "county_prices.csv"), "w") as fp:
        fp.write("county_fips,county_name,industrial_price\n48113,Dallas,0.071\n"
                 "48439,Tarrant,0.068\n")
    with open(os.path.join(d, "county_prices.csvt"), "w") as fp:
        fp.write("String,String,Real\n")


def write_dem(path):
    px, n = 30.0, 200  # 6 km square from 2 km south-west of the parcels
    ox, oy = X0 - 2000, Y0 - 2000 + n * px
    ds = gdal.GetDriverByName("GTiff").Create(path, n, n, 1, gdal.GDT_Float32)
    ds.SetGeoTransform([ox, px, 0, oy, 0, -px])
    ds.SetProjection(srs(32614).ExportToWkt())
    rows = [[150.0 + 0.02 * (ox + (i + 0.5) * px - X0) for i in range(n)] for _ in range(n)]
    import array
    buf = array.array("f", [v for row in rows for v in row]).tobytes()
    ds.GetRasterBand(1).WriteRaster(0, 0, n, n, buf)
    ds = None


def dcsite(*args, cwd=None):
    return subprocess.run([DCSITE, *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd or TMP)


def init_args():
    names = ["parcels.gpkg", "hifld.gpkg", "census.gpkg", "nfhl.gpkg", "counties.gpkg",
             "county_prices.csv", "elevation_dem.tif", os.path.basename(WEATHER)]
    return ["init"] + [os.path.join("layers", n) for n in names] + ["-o", SCENARIO]


def setUpModule():
    global TMP, LAYERS, SCENARIO, TO_LL
    TMP = tempfile.mkdtemp(prefix="dcsite-init-")
    LAYERS = os.path.join(TMP, "layers")
    os.mkdir(LAYERS)
    os.mkdir(os.path.join(TMP, "scenario"))
    SCENARIO = os.path.join("scenario", "starter.json")
    TO_LL = osr.CoordinateTransformation(srs(32614), srs(4326))
    write_parcels(os.path.join(LAYERS, "parcels.gpkg"))
    write_substations(os.path.join(LAYERS, "hifld.gpkg"))
    write_context(LAYERS)
    write_dem(os.path.join(LAYERS, "elevation_dem.tif"))
    shutil.copy(WEATHER, LAYERS)
    RUNS["init"] = dcsite(*init_args())
    RUNS["check"] = dcsite("check", SCENARIO)
    RUNS["run"] = dcsite("run", SCENARIO, "-o", "out", "--quiet")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def scenario():
    with open(os.path.join(TMP, SCENARIO)) as fp:
        return json.load(fp)


def summary():
    with open(os.path.join(TMP, "out", scenario()["name"] + ".json")) as fp:
        return json.load(fp)


class T1InitCheckRun(unittest.TestCase):
    def test_init_check_run_all_exit_0(self):
        for tag in ("init", "check", "run"):
            r = RUNS[tag]
            self.assertEqual(r.returncode, 0, "%s: rc=%s\n%s\n%s" % (tag, r.returncode, r.stdout,
                                                                    r.stderr))
        self.assertIn("0 problems found: the scenario is valid", RUNS["check"].stdout)

    def test_every_parcel_eligible(self):
        counts = summary()["counts"]
        self.assertEqual(counts["candidates"], ROWS * COLS)
        self.assertEqual(counts["eligible"], ROWS * COLS)
        self.assertEqual(counts["excluded"], 0)

    def test_substations_on_voltage_alone_above_the_floor(self):
        # the 69 kV substation is the nearest to the western parcels, but
        # below the guessed 115 kV floor: no site may take it
        tops = summary()["top_sites"]
        self.assertEqual(len(tops), 10)
        names = {"110001": "EAST 345", "110002": "NORTH 138"}
        for s in tops:
            self.assertGreaterEqual(s["metrics"]["substation_kv"], 115, s)
            self.assertIn(s["metrics"]["substation_id"], names)
            self.assertEqual(s["metrics"]["substation_name"], names[s["metrics"]["substation_id"]])

    def test_slope_of_the_plane(self):
        want = math.degrees(math.atan(0.02))  # 1.1458 degrees
        for s in summary()["top_sites"]:
            self.assertAlmostEqual(s["metrics"]["slope_deg_mean"], want, delta=0.01)

    def test_flood_column_scores_lower_on_flood(self):
        # parcels of the western column (c = 0) lie half in the flood polygon
        # (150 of their 300 m): flood share 50 %; the others 0
        by_id = {s["site_id"]: s for s in summary()["top_sites"]}
        for pin, s in by_id.items():
            c = int(pin.split("-")[1]) % COLS
            self.assertAlmostEqual(s["metrics"]["s_fld_haz_ar_pct"], 50.0 if c == 0 else 0.0,
                                   delta=0.5, msg=pin)


class T2Guesses(unittest.TestCase):
    def out(self):
        return RUNS["init"].stdout

    def test_guesses_name_the_fields_found(self):
        out = self.out()
        for want in ['guess: sites.id_field = "PIN" (layer parcels: text, 100% set, unique in '
                     'all 12 features)',
                     'guess: sites.attributes.zoning = "ZONING"',
                     'guess: sites.attributes.land_cost = "LAND_VAL"',
                     'guess: substations.id_field = "ID"',
                     'guess: substations.name_field = "NAME"',
                     'guess: substations.voltage_field = "VOLTAGE" (layer hifld_substations: '
                     'numeric, 100% set, -999999 to 345)',
                     'guess: substations.min_voltage_kv = 115',
                     'field "POP20" within 2 km',
                     'guess: overlays "s_fld_haz_ar"',
                     'guess: rasters "slope_deg"',
                     'guess: zones "counties"',
                     'on counties_fips = "county_fips"',
                     'guess: energy.stations += "../layers/TX-Dallas_Love_Field.tmy3.gz"']:
            self.assertIn(want, out)

    def test_what_was_not_guessed_is_said(self):
        out = self.out()
        self.assertIn("not guessed: substations.headroom_field", out)
        self.assertIn("require_headroom = false", out)
        self.assertIn("not guessed: sites.attributes: no owner field", out)
        self.assertIn("dcsite check %s" % SCENARIO, out)
        self.assertIn("dcsite run %s -o out" % SCENARIO, out)

    def test_each_layer_described(self):
        out = self.out()
        self.assertIn("layers/parcels.gpkg: 12 features, Polygon, 4 fields, CRS EPSG:32614", out)
        self.assertIn("layers/hifld.gpkg: 4 features, Point, 3 fields, CRS EPSG:4326", out)
        self.assertIn("layers/elevation_dem.tif: raster 200 x 200, 1 band, CRS EPSG:32614", out)

    def test_scenario_written_as_guessed(self):
        s = scenario()
        self.assertEqual(s["name"], "starter")
        self.assertEqual(s["sites"]["dataset"], "../layers/parcels.gpkg")
        self.assertEqual(s["sites"]["id_field"], "PIN")
        self.assertNotIn("headroom_field", s["substations"])
        self.assertIs(s["substations"]["require_headroom"], False)
        self.assertNotIn("constraints", s)
        self.assertNotIn("land_ha", s["facility"])
        self.assertEqual({c["metric"] for c in s["criteria"]},
                         {"substation_km", "population_2km", "s_fld_haz_ar_pct",
                          "slope_deg_mean", "land_cost"})
        self.assertEqual(s["energy"]["price_metric"], "industrial_price")
        self.assertEqual(s["joins"][0]["on"], "counties_fips")
        # one guess line per "guess:", counted in the last lines
        n = sum(1 for ln in self.out().splitlines() if ln.startswith("guess: "))
        self.assertIn("review the %d guesses" % n, self.out())


class T3Refusals(unittest.TestCase):
    def test_existing_scenario_kept_without_force(self):
        path = os.path.join(TMP, SCENARIO)
        with open(path, "rb") as fp:
            before = fp.read()
        with open(path, "ab") as fp:
            fp.write(b" ")  # mark it: --force must replace it
        r = dcsite(*init_args())
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("'%s' exists already; give --force" % SCENARIO, r.stderr)
        with open(path, "rb") as fp:
            self.assertEqual(fp.read(), before + b" ")
        r = dcsite(*init_args(), "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path, "rb") as fp:
            self.assertEqual(fp.read(), before)
        self.assertEqual([n for n in os.listdir(os.path.dirname(path)) if ".part-" in n], [])

    def bad_sites(self, name, want):
        out = "bad-%s.json" % os.path.basename(name)
        r = dcsite("init", name, os.path.join("layers", "hifld.gpkg"), "-o", out)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("dcsite: ERROR: sites: ", r.stderr)
        self.assertIn(name, r.stderr)
        self.assertIn(want, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(TMP, out)))

    def test_missing_site_layer(self):
        self.bad_sites("nowhere.gpkg", "cannot open 'nowhere.gpkg': no such file or directory")

    def test_site_layer_not_a_dataset(self):
        with open(os.path.join(TMP, "garbage.gpkg"), "w") as fp:
            fp.write("not a geopackage\n")
        self.bad_sites("garbage.gpkg", "cannot open 'garbage.gpkg'")

    def test_site_layer_of_points(self):
        self.bad_sites(os.path.join("layers", "hifld.gpkg"),
                       "has no polygon layer (it holds: hifld_substations (Point))")

    def test_site_layer_without_features(self):
        write_parcels(os.path.join(TMP, "empty.gpkg"), empty=True)
        self.bad_sites("empty.gpkg", "layer 'parcels' of 'empty.gpkg' has no features")

    def test_no_site_layer_is_a_usage_error(self):
        r = dcsite("init")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("init: a site layer (a dataset of polygons) is required", r.stderr)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
