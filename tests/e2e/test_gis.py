#!/usr/bin/python3
"""End-to-end tests of dcsite's GIS outputs (issue 5): every format read
back with GDAL, the output CRS, the eligible-points layer, the QGIS style
stored in the GeoPackage, the Shapefile field-name map and the score GeoTIFF
of grid candidates; the spatial index dcsite packs itself (issue 28:
SQLite's rtreecheck, every envelope, the triggers on later edits) and the
outputs sized to the job (outputs.geometry points / none,
outputs.eligible_points false) in GeoPackage, FlatGeobuf and CSV; the
GeoPackage rows dcsite inserts without OGR (issue 28) against GDAL's own
FlatGeobuf and GeoJSON writers fed the same rows, and GDAL's
validate_gpkg.py on every GeoPackage variant.

The fixture is generated here: a square area of interest near Dallas (UTM
14N), a 25 ha square grid over it, two substations and a flood polygon.
References: the GeoPackage written by the same run (values must survive
every format unchanged), the JSON summary (counts), and for the raster the
scores of the cells whose centres the sampled pixels lie in.
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_gis.py
"""
import csv
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import xml.dom.minidom

import tapkit
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DCSITE = os.path.abspath(os.environ.get("DCSITE", os.path.join(REPO, "build", "dcsite")))
X0, Y0, SIDE = 700000.0, 3630000.0, 3000.0   # AOI: a 3 km square in UTM 14N
TMP = None
SCENARIO = None


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def build_fixture(tmp):
    path = os.path.join(tmp, "fixture.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    utm = srs(32614)
    aoi = ds.CreateLayer("aoi", utm, ogr.wkbPolygon)
    f = ogr.Feature(aoi.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt(
        "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
            X0, Y0, X0 + SIDE, Y0, X0 + SIDE, Y0 + SIDE, X0, Y0 + SIDE, X0, Y0)))
    aoi.CreateFeature(f)
    subs = ds.CreateLayer("substations", utm, ogr.wkbPoint)
    for name, typ in (("sub_id", ogr.OFTString), ("kv", ogr.OFTReal), ("mw", ogr.OFTReal)):
        subs.CreateField(ogr.FieldDefn(name, typ))
    for sid, x, y in (("S1", X0 - 500, Y0 + 500), ("S2", X0 + SIDE + 800, Y0 + SIDE - 400)):
        f = ogr.Feature(subs.GetLayerDefn())
        f.SetField("sub_id", sid)
        f.SetField("kv", 345)
        f.SetField("mw", 500)
        f.SetGeometry(ogr.CreateGeometryFromWkt("POINT(%f %f)" % (x, y)))
        subs.CreateFeature(f)
    flood = ds.CreateLayer("flood", utm, ogr.wkbPolygon)
    f = ogr.Feature(flood.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt(
        "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
            X0, Y0 + 2000, X0 + SIDE, Y0 + 2000, X0 + SIDE, Y0 + SIDE, X0, Y0 + SIDE,
            X0, Y0 + 2000)))
    flood.CreateFeature(f)
    ds = None
    scenario = {
        "name": "gis_test",
        "facility": {"it_load_mw": 50, "land_ha": 10},
        "working_crs": "EPSG:32614",
        "sites": {"grid": {"shape": "square", "cell_area_ha": 25,
                           "aoi": {"dataset": "fixture.gpkg", "layer": "aoi"}}},
        "substations": {"dataset": "fixture.gpkg", "layer": "substations", "id_field": "sub_id",
                        "voltage_field": "kv", "headroom_field": "mw", "min_voltage_kv": 138},
        "overlays": [{"name": "flood", "dataset": "fixture.gpkg", "layer": "flood"}],
        "constraints": [{"name": "dry", "metric": "flood_pct", "max": 50}],
        "criteria": [{"name": "grid", "metric": "substation_km", "weight": 1,
                      "value": {"type": "linear", "worst": 5, "best": 0}}],
    }
    path = os.path.join(tmp, "scenario.json")
    with open(path, "w") as fh:
        json.dump(scenario, fh)
    return path


def run(outdir, *extra, scenario=None):
    r = subprocess.run([DCSITE, "run", scenario or SCENARIO, "-o", outdir, "--quiet", *extra],
                       capture_output=True, text=True, cwd=TMP, timeout=120)
    return r


def ulp32(v):
    """The step between two float32 values near v."""
    return 2.0 ** (math.frexp(v)[1] - 24) if v else 2.0 ** -149


def scenario_with(name, **outputs):
    """The fixture's scenario with these outputs keys, as TMP/<name>.json."""
    with open(SCENARIO) as fh:
        scn = json.load(fh)
    scn["outputs"] = dict(scn.get("outputs", {}), **outputs)
    path = os.path.join(TMP, name + ".json")
    with open(path, "w") as fh:
        json.dump(scn, fh)
    return path


def fine_grid_scenario(name, **outputs):
    """The fixture's scenario named name on a grid of 12 m cells (62,500 of
    them: enough rows to split a layer), GIS output only unless outputs
    says otherwise, as TMP/<name>.json."""
    path = scenario_with(name, **dict(dict(xlsx=False, json=False), **outputs))
    with open(path) as fh:
        s = json.load(fh)
    s["name"] = name
    s["sites"]["grid"]["cell_area_ha"] = 0.0144
    with open(path, "w") as fh:
        json.dump(s, fh)
    return path


def rows(path, layer=None):
    """{site_id: {field: value}} of a layer, plus the layer's SRS and geometries."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    out, geoms = {}, {}
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    for f in lyr:
        out[f.GetField("site_id")] = {n: f.GetField(n) for n in names}
        g = f.GetGeometryRef()
        geoms[f.GetField("site_id")] = g.Clone() if g else None
    sr = lyr.GetSpatialRef()
    return out, geoms, (sr.Clone() if sr else None)


def stored_layer(path):
    """Layer candidates of a GeoPackage as SQLite stores it: every row, the
    extent, the feature count, the FID sequence, the spatial index and
    rtreecheck's verdict."""
    con = sqlite3.connect(path)
    try:
        return (con.execute("select * from candidates order by fid").fetchall(),
                con.execute("select * from gpkg_contents where table_name = 'candidates'")
                .fetchone()[5:9],
                con.execute("select feature_count from gpkg_ogr_contents where "
                            "table_name = 'candidates'").fetchone(),
                con.execute("select seq from sqlite_sequence where name = 'candidates'")
                .fetchone(),
                con.execute("select id, minx, maxx, miny, maxy from rtree_candidates_geom "
                            "order by id").fetchall(),
                con.execute("select rtreecheck('rtree_candidates_geom')").fetchone())
    finally:
        con.close()


def setUpModule():
    global TMP, SCENARIO
    TMP = tempfile.mkdtemp(prefix="dcsite-gis-")
    SCENARIO = build_fixture(TMP)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class T1GeoPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = os.path.join(TMP, "gpkg")
        cls.r = run(cls.out)
        cls.base = os.path.join(cls.out, "gis_test")

    def test_layers_counts_and_style(self):
        self.assertEqual(self.r.returncode, 0, self.r.stderr)
        summary = json.load(open(self.base + ".json"))
        cand, _, sr = rows(self.base + ".gpkg", "candidates")
        pts, pgeoms, psr = rows(self.base + ".gpkg", "eligible_points")
        self.assertEqual(len(cand), summary["counts"]["candidates"])
        self.assertEqual(len(pts), summary["counts"]["eligible"])
        self.assertGreater(len(pts), 0)
        self.assertLess(len(pts), len(cand))  # the flood rule excludes some
        self.assertEqual(sr.GetAuthorityCode(None), "32614")  # default: working CRS
        for sid, row in pts.items():
            self.assertEqual(row["status"], "eligible")
            self.assertEqual(row["score"], cand[sid]["score"])
        # points sit at the sites' lon/lat (1e-6 m tolerance after reprojection)
        tr = osr.CoordinateTransformation(srs(4326), psr)
        for sid, g in pgeoms.items():
            x, y, _ = tr.TransformPoint(pts[sid]["lon"], pts[sid]["lat"])
            self.assertAlmostEqual(g.GetX(), x, delta=1e-6)
            self.assertAlmostEqual(g.GetY(), y, delta=1e-6)
        # the default styles QGIS reads: one row per layer, in the empty schema
        # QGIS looks in; a renderer rule per score class (on "score") and one
        # for excluded sites (status = 'excluded'); the classes are the summary's
        ds = ogr.Open(self.base + ".gpkg")
        lyr = ds.GetLayerByName("layer_styles")
        styles = {f.GetField("f_table_name"): (f.GetField("useAsDefault"),
                                               f.GetField("f_table_schema"),
                                               f.GetField("styleQML")) for f in lyr}
        self.assertEqual(sorted(styles), ["candidates", "eligible_points"])
        nclasses = len(summary["score_classes"]["colours"])
        self.assertGreater(nclasses, 0)
        for name, (default, schema, qml) in styles.items():
            self.assertEqual((default, schema), (1, ""), name)
            dom = xml.dom.minidom.parseString(qml)
            renderer = dom.getElementsByTagName("renderer-v2")[0]
            rules = renderer.getElementsByTagName("rule")
            self.assertEqual(len(rules), nclasses + 1, name)
            self.assertEqual(sum('"score"' in r.getAttribute("filter") for r in rules), nclasses)
            self.assertEqual(sum("'excluded'" in r.getAttribute("filter") for r in rules), 1)

    def check_rtree(self, path, layer="candidates"):
        """Every feature has one R-tree entry holding its envelope (GPKG
        stores float32 bounds rounded outward: at most one float32 step,
        0.25 m at UTM northings), no other entry exists, SQLite's own rtreecheck finds
        the tree sound and the extension row names it."""
        env = {}
        ds = ogr.Open(path)
        for f in ds.GetLayerByName(layer):
            g = f.GetGeometryRef()
            if g is not None:
                env[f.GetFID()] = g.GetEnvelope()  # minx, maxx, miny, maxy
        ds = None
        con = sqlite3.connect(path)
        try:
            rt = {r[0]: r[1:] for r in con.execute(
                "select id, minx, maxx, miny, maxy from rtree_%s_geom" % layer)}
            self.assertEqual(con.execute("select rtreecheck('rtree_%s_geom')" % layer).fetchone(),
                             ("ok",))
            self.assertEqual(con.execute(
                "select count(*) from gpkg_extensions where table_name = ? and "
                "column_name = 'geom' and extension_name = 'gpkg_rtree_index'",
                (layer,)).fetchone(), (1,))
        finally:
            con.close()
        self.assertGreater(len(env), 0)
        self.assertEqual(sorted(rt), sorted(env))
        for fid, (x0, x1, y0, y1) in env.items():
            r = rt[fid]
            self.assertTrue(r[0] <= x0 and r[1] >= x1 and r[2] <= y0 and r[3] >= y1, fid)
            self.assertTrue(x0 - r[0] <= ulp32(x0) and r[1] - x1 <= ulp32(x1) and
                            y0 - r[2] <= ulp32(y0) and r[3] - y1 <= ulp32(y1), fid)

    def test_rtree_complete_with_one_thread_or_two(self):
        # the tree is packed after the file is closed (gpkg_rtree.c), with
        # one thread or two the same way
        self.check_rtree(self.base + ".gpkg")
        self.check_rtree(self.base + ".gpkg", "eligible_points")
        out = os.path.join(TMP, "gpkg_one_thread")
        r = run(out, "--threads", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_rtree(os.path.join(out, "gis_test.gpkg"))

    def test_rtree_follows_edits_and_spatial_filters(self):
        # the triggers dcsite writes keep the index current when a GIS user
        # edits the layer through GDAL (delete, move), and GDAL's spatial
        # filter (which reads the index) finds what a scan of envelopes finds
        path = os.path.join(TMP, "edited.gpkg")
        shutil.copy(self.base + ".gpkg", path)
        ds = ogr.Open(path, update=1)
        lyr = ds.GetLayerByName("candidates")
        fids = sorted(f.GetFID() for f in lyr)
        lyr.DeleteFeature(fids[0])
        f = lyr.GetFeature(fids[1])
        f.SetGeometry(ogr.CreateGeometryFromWkt(
            "MULTIPOLYGON(((%f %f,%f %f,%f %f,%f %f)))" % (
                X0 - 9000, Y0, X0 - 8900, Y0, X0 - 8900, Y0 + 100, X0 - 9000, Y0)))
        lyr.SetFeature(f)
        ds = None
        self.check_rtree(path)
        ds = ogr.Open(path)
        lyr = ds.GetLayerByName("candidates")
        lyr.SetSpatialFilterRect(X0 - 9500, Y0 - 500, X0 - 8500, Y0 + 500)
        self.assertEqual([f.GetFID() for f in lyr], [fids[1]])
        lyr.SetSpatialFilterRect(X0 + 1000, Y0 + 1000, X0 + 1600, Y0 + 1600)
        got = sorted(f.GetFID() for f in lyr)
        lyr.SetSpatialFilter(None)
        want = sorted(f.GetFID() for f in lyr if (lambda e: e[0] <= X0 + 1600 and
                                                  e[1] >= X0 + 1000 and e[2] <= Y0 + 1600 and
                                                  e[3] >= Y0 + 1000)(
                                                      f.GetGeometryRef().GetEnvelope()))
        self.assertGreater(len(want), 0)
        self.assertEqual(got, want)

    def test_big_pages_unless_the_user_sets_pragmas(self):
        # 64 KiB SQLite pages by default (faster to write, issue 6); a
        # user's OGR_SQLITE_PRAGMA wins.  Either way the file is sound.
        def page_size(path):
            con = sqlite3.connect(path)
            try:
                self.assertEqual(con.execute("pragma integrity_check").fetchone()[0], "ok")
                return con.execute("pragma page_size").fetchone()[0]
            finally:
                con.close()
        self.assertEqual(page_size(self.base + ".gpkg"), 65536)
        out = os.path.join(TMP, "gpkg_pragma")
        env = dict(os.environ, OGR_SQLITE_PRAGMA="page_size=8192")
        r = subprocess.run([DCSITE, "run", SCENARIO, "-o", out, "--quiet"], capture_output=True,
                           text=True, cwd=TMP, timeout=120, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(page_size(os.path.join(out, "gis_test.gpkg")), 8192)

    def test_score_raster_matches_cells(self):
        ds = gdal.Open(self.base + "_score.tif")
        band = ds.GetRasterBand(1)
        nodata = band.GetNoDataValue()
        gt = ds.GetGeoTransform()
        data = band.ReadAsArray() if hasattr(band, "ReadAsArray") else None
        cand, geoms, _ = rows(self.base + ".gpkg", "candidates")
        sr = osr.SpatialReference(wkt=ds.GetProjection())
        self.assertEqual(sr.GetAuthorityCode(None), "32614")
        checked = 0
        for sid, row in cand.items():
            c = geoms[sid].Centroid()
            col = int((c.GetX() - gt[0]) / gt[1])
            line = int((c.GetY() - gt[3]) / gt[5])
            if data is not None:
                v = float(data[line][col])
            else:
                import struct
                v = struct.unpack("f", band.ReadRaster(col, line, 1, 1))[0]
            if row["status"] == "eligible":
                # Float32 raster: tolerance 1e-6 on a score in [0, 1]
                self.assertAlmostEqual(v, row["score"], delta=1e-6, msg=sid)
            else:
                self.assertEqual(v, nodata, sid)
            checked += 1
        self.assertEqual(checked, len(cand))


class T2Formats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ref, _, _ = rows(os.path.join(TMP, "gpkg", "gis_test.gpkg"), "candidates")

    def check_same_values(self, got, names=None):
        self.assertEqual(set(got), set(self.ref))
        for sid, row in got.items():
            for field in ("status", "score", "rank", "substation_km", "flood_pct"):
                key = names[field] if names else field
                want, have = self.ref[sid][field], row[key]
                if isinstance(want, float) and have is not None:
                    have = float(have)
                    self.assertAlmostEqual(have, want, delta=1e-9 * max(1, abs(want)),
                                           msg="%s %s" % (sid, field))
                elif want is None:
                    self.assertIn(have, (None, ""), "%s %s" % (sid, field))
                else:
                    self.assertEqual(str(have), str(want), "%s %s" % (sid, field))

    def run_format(self, fmt, ext, *extra):
        out = os.path.join(TMP, "fmt-" + fmt.replace(" ", "_"))
        r = run(out, "--format", fmt, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        base = os.path.join(out, "gis_test")
        self.assertTrue(os.path.exists(base + "." + ext), os.listdir(out))
        self.assertTrue(os.path.exists(base + "_points." + ext), os.listdir(out))
        self.assertFalse([f for f in os.listdir(out) if ".part-" in f])
        return base

    def test_geojson_in_wgs84(self):
        base = self.run_format("GeoJSON", "geojson", "--crs", "EPSG:4326")
        got, geoms, sr = rows(base + ".geojson")
        self.check_same_values(got)
        self.assertEqual(sr.GetAuthorityCode(None), "4326")
        env = geoms[next(iter(geoms))].GetEnvelope()
        self.assertTrue(-97.5 < env[0] < -96.5 and 32.5 < env[2] < 33.0, env)

    def test_flatgeobuf(self):
        base = self.run_format("FlatGeobuf", "fgb")
        got, _, sr = rows(base + ".fgb")
        self.check_same_values(got)
        self.assertEqual(sr.GetAuthorityCode(None), "32614")

    def test_shapefile_with_field_map(self):
        base = self.run_format("Shapefile", "shp")
        with open(base + ".fields.csv") as fh:
            names = {r["field"]: r["shapefile_field"] for r in csv.DictReader(fh)}
        self.assertTrue(all(len(v) <= 10 for v in names.values()))
        self.assertEqual(len(set(names.values())), len(names))  # unique short names
        self.assertIn("substation_km", names)
        got, _, _ = rows(base + ".shp")
        self.check_same_values(got, names)

    def test_csv_with_wkt(self):
        base = self.run_format("CSV", "csv")
        with open(base + ".csv") as fh:
            reader = csv.DictReader(fh)
            got = {r["site_id"]: r for r in reader}
        self.assertTrue(all(r["WKT"].startswith("MULTIPOLYGON") for r in got.values()))
        for r in got.values():
            for k in ("score", "rank", "substation_km", "flood_pct"):
                r[k] = float(r[k]) if r[k] != "" else None
            if r["rank"] is not None:
                r["rank"] = int(r["rank"])
        self.check_same_values(got)

    def test_bad_format_and_crs_are_usage_errors(self):
        for extra, word in ((("--format", "NoSuchDriver"), "NoSuchDriver"),
                            (("--crs", "EPSG:99999"), "EPSG:99999")):
            out = os.path.join(TMP, "bad")
            r = run(out, *extra)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(word, r.stderr)
            self.assertFalse(os.path.exists(out))


class T3SizedToTheJob(unittest.TestCase):
    """outputs.geometry and outputs.eligible_points (issue 28): the same
    values as the default GeoPackage (the reference), with less geometry."""

    @classmethod
    def setUpClass(cls):
        cls.ref, _, _ = rows(os.path.join(TMP, "gpkg", "gis_test.gpkg"), "candidates")
        cls.points = scenario_with("points", geometry="points", eligible_points=False)
        cls.none = scenario_with("none", geometry="none", eligible_points=False, map=False)

    def same_values(self, got):
        self.assertEqual(set(got), set(self.ref))
        for sid, row in got.items():
            for field in ("status", "rank", "score", "substation_km", "flood_pct", "lon", "lat"):
                want, have = self.ref[sid][field], row[field]
                if isinstance(want, float) and have not in (None, ""):
                    # CSV prints 15 significant digits: 1e-9 relative
                    self.assertAlmostEqual(float(have), want, delta=1e-9 * max(1, abs(want)),
                                           msg="%s %s" % (sid, field))
                elif want is None:
                    self.assertIn(have, (None, ""), "%s %s" % (sid, field))
                else:
                    self.assertEqual(str(have), str(want), "%s %s" % (sid, field))

    def check_points_at_lonlat(self, got, geoms, sr):
        tr = osr.CoordinateTransformation(srs(4326), sr)
        for sid, g in geoms.items():
            self.assertEqual(g.GetGeometryName(), "POINT", sid)
            x, y, _ = tr.TransformPoint(got[sid]["lon"], got[sid]["lat"])
            # 1e-6 m: the same PROJ transformation, done twice
            self.assertAlmostEqual(g.GetX(), x, delta=1e-6, msg=sid)
            self.assertAlmostEqual(g.GetY(), y, delta=1e-6, msg=sid)

    def test_gpkg_points_without_eligible_points(self):
        out = os.path.join(TMP, "sized-points")
        r = run(out, scenario=self.points)
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(out, "gis_test.gpkg")
        ds = ogr.Open(path)
        names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        self.assertIn("candidates", names)
        self.assertNotIn("eligible_points", names)
        self.assertEqual(ds.GetLayerByName("candidates").GetGeomType(), ogr.wkbPoint)
        ds = None
        got, geoms, sr = rows(path, "candidates")
        self.same_values(got)
        self.check_points_at_lonlat(got, geoms, sr)
        T1GeoPackage.check_rtree(self, path)
        con = sqlite3.connect(path)
        try:  # a point style for the points (a marker symbol), none for another layer
            styles = con.execute("select f_table_name, styleQML from layer_styles").fetchall()
        finally:
            con.close()
        self.assertEqual([s[0] for s in styles], ["candidates"])
        self.assertIn('type="marker"', styles[0][1])

    def test_gpkg_without_geometry(self):
        out = os.path.join(TMP, "sized-none")
        r = run(out, scenario=self.none)
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(out, "gis_test.gpkg")
        ds = ogr.Open(path)
        self.assertEqual(ds.GetLayerByName("candidates").GetGeomType(), ogr.wkbNone)
        self.assertIsNone(ds.GetLayerByName("eligible_points"))
        ds = None
        got, geoms, _ = rows(path, "candidates")
        self.same_values(got)
        self.assertTrue(all(g is None for g in geoms.values()))
        # outputs.map false: the GeoPackage and the summary only
        self.assertIn("gis_test.json", os.listdir(out))
        self.assertEqual([f for f in os.listdir(out) if "_map" in f], [])
        summary = json.load(open(os.path.join(out, "gis_test.json")))
        self.assertNotIn("map_png", summary["outputs"])
        con = sqlite3.connect(path)
        try:
            self.assertEqual(con.execute("select count(*) from sqlite_master where name like "
                                         "'rtree_candidates%'").fetchone(), (0,))
            self.assertEqual(con.execute("pragma integrity_check").fetchone(), ("ok",))
        finally:
            con.close()

    def test_flatgeobuf_points(self):
        out = os.path.join(TMP, "sized-fgb")
        r = run(out, "--format", "FlatGeobuf", scenario=self.points)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(f for f in os.listdir(out) if f.endswith(".fgb")),
                         ["gis_test.fgb"])  # no _points file
        got, geoms, sr = rows(os.path.join(out, "gis_test.fgb"))
        self.same_values(got)
        self.check_points_at_lonlat(got, geoms, sr)

    def test_csv_with_lon_lat_only(self):
        out = os.path.join(TMP, "sized-csv")
        r = run(out, "--format", "CSV", scenario=self.none)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "gis_test_points.csv")))
        with open(os.path.join(out, "gis_test.csv")) as fh:
            reader = csv.DictReader(fh)
            self.assertNotIn("WKT", reader.fieldnames)
            got = {r["site_id"]: r for r in reader}
        for r in got.values():
            if r["rank"]:
                r["rank"] = int(r["rank"])
        self.same_values(got)

    def test_no_geometry_refused_where_the_format_needs_one(self):
        for fmt in ("FlatGeobuf", "Shapefile"):
            out = os.path.join(TMP, "sized-bad")
            r = run(out, "--format", fmt, scenario=self.none)
            self.assertNotEqual(r.returncode, 0, fmt)
            self.assertIn('outputs.geometry "none"', r.stderr)
            self.assertFalse([f for f in os.listdir(out) if f.endswith((".fgb", ".shp", ".dbf"))]
                             if os.path.isdir(out) else [], fmt)

    def test_unknown_geometry_is_a_scenario_error(self):
        bad = scenario_with("bad_geometry", geometry="lines")
        r = run(os.path.join(TMP, "sized-err"), scenario=bad)
        self.assertEqual(r.returncode, 3, r.stderr)  # a bad scenario (docs/cli.md)
        self.assertIn("outputs.geometry", r.stderr)
        self.assertIn("polygons, points, none", r.stderr)


def parcels_scenario(tmp):
    """Sites read from a layer that mixes polygons, a polygon with a hole and
    a two-part multipolygon (the grid fixture has only squares)."""
    path = os.path.join(tmp, "parcels.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("parcels", srs(32614), ogr.wkbUnknown)
    lyr.CreateField(ogr.FieldDefn("pid", ogr.OFTString))
    sq = "(({x} {y},{X} {y},{X} {Y},{x} {Y},{x} {y}){hole})"
    wkts = []
    for k in range(12):
        x, y = X0 + 400 * (k % 4), Y0 + 900 * (k // 4)
        ring = sq.format(x=x, y=y, X=x + 350, Y=y + 350, hole="")
        if k % 3 == 1:  # a hole
            ring = sq.format(x=x, y=y, X=x + 350, Y=y + 350,
                             hole=",(%f %f,%f %f,%f %f,%f %f)" % (
                                 x + 100, y + 100, x + 100, y + 200, x + 200, y + 200,
                                 x + 100, y + 100))
        if k % 3 == 2:  # two parts
            wkts.append("MULTIPOLYGON(%s,%s)" % (ring, sq.format(
                x=x, y=y + 400, X=x + 200, Y=y + 600, hole="")))
        else:
            wkts.append("POLYGON" + ring)
    for k, wkt in enumerate(wkts):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("pid", "P%02d" % k)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    return sites_scenario(tmp, "parcels", {"dataset": "parcels.gpkg", "layer": "parcels",
                                           "id_field": "pid"})


def sites_scenario(tmp, name, sites, rename=False):
    """The fixture's scenario on these sites (1 ha of land), its context
    layers by absolute path, as tmp/<name>.json (named name when rename)."""
    with open(SCENARIO) as fh:
        scn = json.load(fh)
    if rename:
        scn["name"] = name
    scn["sites"] = sites
    scn["facility"]["land_ha"] = 1
    for key in list(scn):
        if isinstance(scn[key], dict) and scn[key].get("dataset") == "fixture.gpkg":
            scn[key]["dataset"] = os.path.join(tmp, "fixture.gpkg")
    for ov in scn.get("overlays", []):
        ov["dataset"] = os.path.join(tmp, "fixture.gpkg")
    out = os.path.join(tmp, name + ".json")
    with open(out, "w") as fh:
        json.dump(scn, fh)
    return out


def every_row(path, layer=None):
    """[(fid order) {field: value}, geometry ISO WKB or None] of a layer."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    out = []
    for f in lyr:
        g = f.GetGeometryRef()
        out.append(({n: f.GetField(n) for n in names}, bytes(g.ExportToIsoWkb()) if g else None))
    return out


class T4DirectGeoPackageRows(unittest.TestCase):
    """A GeoPackage's rows go in through dcsite's own prepared INSERT
    (reports/gis_gpkg.c), not OGR.  The reference is GDAL's own writers:
    the same run written as FlatGeobuf (doubles stored as they are, so
    values and geometries must match bit for bit) or, for a layer without
    geometry, GeoJSON (15 significant digits: 1e-12 relative).  Every
    GeoPackage must also pass GDAL's validate_gpkg.py (the standard's
    requirements: blobs, envelopes, SRS ids, contents, extensions)."""

    @classmethod
    def setUpClass(cls):
        cls.parcels = parcels_scenario(TMP)
        cls.points = scenario_with("direct_points", geometry="points")
        cls.none = scenario_with("direct_none", geometry="none", map=False)

    def write(self, name, fmt, *extra, scenario=None):
        out = os.path.join(TMP, "direct-%s-%s" % (name, fmt))
        r = run(out, "--format", fmt, *extra, scenario=scenario)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def validate(self, path):
        import osgeo_utils.samples.validate_gpkg as v
        v.check(path, abort_at_first_error=True, warning_as_error=True, warning_msg=False)

    def check_contents(self, path, layer, want_rows):
        con = sqlite3.connect(path)
        try:
            count = con.execute("select feature_count from gpkg_ogr_contents where "
                                "table_name = ?", (layer,)).fetchone()[0]
            ext = con.execute("select min_x, min_y, max_x, max_y from gpkg_contents where "
                              "table_name = ?", (layer,)).fetchone()
            trig = con.execute("select count(*) from sqlite_master where type = 'trigger' and "
                               "name like 'trigger_%_feature_count_' || ?", (layer,)).fetchone()
        finally:
            con.close()
        self.assertEqual(count, len(want_rows))
        self.assertEqual(trig, (2,), "GDAL's counting triggers are back")
        boxes = [ogr.CreateGeometryFromWkb(g).GetEnvelope() for _, g in want_rows if g]
        if boxes:  # the exact envelope of every geometry (doubles: no tolerance)
            self.assertEqual(ext, (min(b[0] for b in boxes), min(b[2] for b in boxes),
                                   max(b[1] for b in boxes), max(b[3] for b in boxes)))

    def same_rows(self, got, want, rel=0.0):
        """Row by row by site (a FlatGeobuf stores its rows in its index's
        order, not the order written)."""
        self.assertEqual(len(got), len(want))
        by_site = {f["site_id"]: (f, g) for f, g in got}
        self.assertEqual(len(by_site), len(got))
        for wf, wg in want:
            sid = wf["site_id"]
            gf, gg = by_site[sid]
            self.assertEqual(set(gf), set(wf), sid)
            for k, w in wf.items():
                h = gf[k]
                if isinstance(w, float) and isinstance(h, float) and rel:
                    self.assertAlmostEqual(h, w, delta=rel * max(1.0, abs(w)), msg=(sid, k))
                else:
                    self.assertEqual(h, w, (sid, k))
            self.assertEqual(gg, wg, sid)

    def compare(self, name, *extra, scenario=None, layers=("candidates", "eligible_points")):
        g = self.write(name, "GPKG", *extra, scenario=scenario)
        f = self.write(name, "FlatGeobuf", *extra, scenario=scenario)
        gpkg = [os.path.join(g, x) for x in os.listdir(g) if x.endswith(".gpkg")][0]
        self.validate(gpkg)
        for layer, suffix in zip(layers, ("", "_points")):
            fgb = [os.path.join(f, x) for x in os.listdir(f) if x.endswith(suffix + ".fgb")
                   and (suffix or not x.endswith("_points.fgb"))][0]
            got, want = every_row(gpkg, layer), every_row(fgb)
            self.assertGreater(len(want), 0, layer)
            self.same_rows(got, want)
            self.check_contents(gpkg, layer, got)
        return gpkg

    def test_grid_polygons(self):
        self.compare("grid")

    def test_parcels_with_holes_and_parts(self):
        gpkg = self.compare("parcels", scenario=self.parcels)
        kinds = {ogr.CreateGeometryFromWkb(g).GetGeometryName()
                 for _, g in every_row(gpkg, "candidates")}
        self.assertEqual(kinds, {"MULTIPOLYGON"})  # polygons promoted, as OGR promotes them
        parts = [ogr.CreateGeometryFromWkb(g) for _, g in every_row(gpkg, "candidates")]
        self.assertIn(2, [p.GetGeometryCount() for p in parts])
        self.assertIn(2, [p.GetGeometryRef(0).GetGeometryCount() for p in parts])  # a hole

    def test_parcels_one_thread(self):
        self.compare("parcels1", "--threads", "1", scenario=self.parcels)

    def test_transformed_to_wgs84(self):
        self.compare("wgs84", "--crs", "EPSG:4326", scenario=self.parcels)

    def test_points(self):
        self.compare("points", scenario=self.points)

    def test_no_geometry(self):
        g = self.write("none", "GPKG", scenario=self.none)
        j = self.write("none", "GeoJSON", scenario=self.none)
        gpkg = os.path.join(g, "gis_test.gpkg")
        self.validate(gpkg)
        got = every_row(gpkg, "candidates")
        self.same_rows(got, every_row(os.path.join(j, "gis_test.geojson")), rel=1e-12)
        self.check_contents(gpkg, "candidates", got)


class T5SitesReadTheirFieldsOnly(unittest.TestCase):
    """dcsite asks GDAL to skip the site fields it does not use
    (analysis/inputs/sites.c), but never one the layer's where filter names:
    a Shapefile layer (filtered by OGR's own SQL on each feature) with the
    filter on a field nothing else reads must keep exactly the filtered
    sites, with their attribute; and the parcels' coordinates must come out
    exactly as they went in (dcsite keeps the WKB GEOS read)."""

    def test_where_on_an_unused_field(self):
        path = os.path.join(TMP, "filtered_parcels.shp")
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
        lyr = ds.CreateLayer("filtered_parcels", srs(32614), ogr.wkbPolygon)
        for name, kind in (("pid", ogr.OFTString), ("keep", ogr.OFTInteger),
                           ("zoning", ogr.OFTString), ("unused", ogr.OFTString)):
            lyr.CreateField(ogr.FieldDefn(name, kind))
        for k in range(10):
            x, y = X0 + 400 * (k % 5) + 0.125, Y0 + 900 * (k // 5) + 0.375
            wkt = "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
                x, y, x + 350.5, y, x + 350.5, y + 350.25, x, y + 349.75, x, y)
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetField("pid", "Q%02d" % k)
            f.SetField("keep", k % 2)
            f.SetField("zoning", "zone%d" % k)
            f.SetField("unused", "x" * k)
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
            lyr.CreateFeature(f)
        ds = None
        want = {}  # as GDAL reads them back (a Shapefile turns outer rings clockwise)
        back = ogr.Open(path)  # kept while its layer is read
        for f in back.GetLayer(0):
            if f.GetField("keep") == 1:
                want[f.GetField("pid")] = (f.GetField("zoning"), f.GetGeometryRef().Clone())
        back = None
        with open(self.base_scenario()) as fh:
            scn = json.load(fh)
        scn["name"] = "filtered"
        scn["sites"] = {"dataset": path, "id_field": "pid", "where": "keep = 1",
                        "attributes": {"zoning_code": "zoning"}}
        scn["facility"]["land_ha"] = 1
        scn_path = os.path.join(TMP, "filtered.json")
        with open(scn_path, "w") as fh:
            json.dump(scn, fh)
        out = os.path.join(TMP, "filtered-out")
        r = run(out, scenario=scn_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = every_row(os.path.join(out, "filtered.gpkg"), "candidates")
        self.assertEqual(sorted(f["site_id"] for f, _ in got), sorted(want))
        for f, g in got:
            zoning, geom = want[f["site_id"]]
            self.assertEqual(f["zoning_code"], zoning)
            multi = ogr.CreateGeometryFromWkb(g)  # kept: its parts are references into it
            part = multi.GetGeometryRef(0)
            self.assertEqual(part.GetGeometryRef(0).GetPoints(),
                             geom.GetGeometryRef(0).GetPoints())

    def base_scenario(self):
        return parcels_scenario(TMP)


def odd_parcels(tmp):
    """A GeoPackage parcels layer with every kind of row dcsite's own
    SQLite read of a GeoPackage (analysis/inputs/gpkg_read.c) must hand to
    OGR, between plain ones: no geometry, an empty one, big-endian WKB, a
    polygon with Z, a curve polygon, a point, a flat polygon, a bow tie, an
    id stored as an integer in the text column, a byte that is not UTF-8 in an id, a
    number stored as text in a real column, and a where filter on a column
    nothing else reads.  Returns the scenario's path."""
    path = os.path.join(tmp, "odd_parcels.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    # no spatial index: its triggers call GDAL's SQL functions, which the edits
    # below through Python's sqlite3 do not have
    lyr = ds.CreateLayer("parcels", srs(32614), ogr.wkbUnknown, options=["SPATIAL_INDEX=NO"])
    for name, kind in (("pid", ogr.OFTString), ("keep", ogr.OFTInteger64),
                       ("zoning", ogr.OFTString), ("price", ogr.OFTReal),
                       ("lots", ogr.OFTInteger64)):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    sq = "POLYGON(({x} {y},{X} {y},{X} {Y},{x} {Y},{x} {y}))"
    rows = []
    for k in range(40):
        x, y = X0 + 400 * (k % 8) + 0.125, Y0 + 500 * (k // 8) + 0.375
        rows.append(("R%02d" % k, sq.format(x=x, y=y, X=x + 350.5, Y=y + 300.25)))
    odd = {3: None, 5: "POLYGON EMPTY", 9: "POLYGON Z((%f %f 5,%f %f 5,%f %f 5,%f %f 5))",
           12: "CURVEPOLYGON(CIRCULARSTRING(%f %f,%f %f,%f %f))",
           14: "POINT(%f %f)", 17: "POLYGON((%f %f,%f %f,%f %f,%f %f))",
           21: "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))"}
    for k, wkt in odd.items():
        x, y = X0 + 400 * (k % 8) + 100, Y0 + 500 * (k // 8) + 100
        pts = {9: (x, y, x + 300, y, x + 300, y + 200, x, y),
               12: (x, y, x + 200, y, x, y), 14: (x, y),
               17: (x, y, x + 100, y + 100, x + 200, y + 200, x, y),  # all on one line
               21: (x, y, x + 200, y + 200, x + 200, y, x, y + 200, x, y)}.get(k, ())
        rows[k] = (rows[k][0], wkt % pts if wkt and pts else wkt)
    for k, (pid, wkt) in enumerate(rows):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("pid", pid)
        f.SetField("keep", 0 if k % 7 == 6 else 1)
        f.SetField("zoning", "Z%d" % (k % 4) if k % 5 else None)
        f.SetField("price", 1000.5 + k if k % 6 else None)
        f.SetField("lots", k * 3)
        if wkt:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    con = sqlite3.connect(path)
    try:
        blob = con.execute("select geom from parcels where pid = 'R07'").fetchone()[0]
        head = 8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3] >> 1) & 7]
        g = ogr.CreateGeometryFromWkb(bytes(blob[head:]))
        con.execute("update parcels set geom = ? where pid = 'R07'",
                    (bytes(blob[:head]) + bytes(g.ExportToIsoWkb(ogr.wkbXDR)),))
        con.execute("update parcels set pid = 12345 where pid = 'R10'")  # an integer
        con.execute("update parcels set pid = cast(X'52C93131' as text) where pid = 'R11'")
        con.execute("update parcels set price = '77.25' where pid = 'R15'")  # text in REAL
        con.commit()
    finally:
        con.close()
    return sites_scenario(tmp, "odd", {"dataset": path, "layer": "parcels", "id_field": "pid",
                                       "where": "keep = 1",
                                       "attributes": {"zoning_code": "zoning",
                                                      "price_usd": "price",
                                                      "lot_count": "lots"}}, rename=True)


class T6SitesFromAGeoPackageThroughSQLite(unittest.TestCase):
    """dcsite reads a GeoPackage's sites through its own SQLite connection
    and hands every row that is not a plain polygon to OGR (issue 28, fifth
    round).  The reference is the same run with DCSITE_GPKG_DIRECT=0, which
    reads every row through OGR: the candidates layer (values and
    geometries, bit for bit, in the same order), the JSON summary and every
    warning must be the same, on a layer made of every kind of odd row."""

    def run_both(self, *extra):
        scn = odd_parcels(TMP)
        outs = []
        for direct in ("1", "0"):
            out = os.path.join(TMP, "odd-%s%s" % (direct, "-".join(extra)))
            env = dict(os.environ, DCSITE_GPKG_DIRECT=direct)
            r = subprocess.run([DCSITE, "run", scn, "-o", out, *extra],
                               capture_output=True, text=True, cwd=TMP, timeout=120, env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            outs.append((out, [x for x in r.stderr.splitlines() if "WARNING" in x]))
        return outs

    def test_same_sites_as_through_ogr(self):
        (direct, warn_d), (through_ogr, warn_o) = self.run_both()
        got = every_row(os.path.join(direct, "odd.gpkg"), "candidates")
        want = every_row(os.path.join(through_ogr, "odd.gpkg"), "candidates")
        self.assertEqual(got, want)
        ids = [f["site_id"] for f, _ in got]
        self.assertIn("12345", ids)        # the integer in the text column, as OGR gives it
        self.assertIn("R\ufffd11", ids)    # the byte that is not UTF-8 replaced, and counted
        self.assertNotIn("R06", ids)       # filtered out by the where
        self.assertIn("R07", ids)          # big-endian WKB
        self.assertIn("R14", ids)          # a point site
        for gone in ("R03", "R05", "R12", "R17"):
            self.assertNotIn(gone, ids)    # no geometry, empty, a curve, no area
        by_id = {f["site_id"]: f for f, _ in got}
        self.assertEqual(by_id["R15"]["price_usd"], 77.25)
        self.assertIsNone(by_id["R00"]["price_usd"])
        self.assertEqual(by_id["R08"]["lot_count"], 24)
        self.assertEqual(warn_d, warn_o)
        self.assertTrue(any("no geometry" in w or "skipped" in w for w in warn_d), warn_d)
        summaries = []
        for out in (direct, through_ogr):
            with open(os.path.join(out, "odd.json")) as fh:  # its paths name its folder
                summaries.append(json.loads(fh.read().replace(out, "OUT")))
        for j in summaries:
            j.pop("run", None)
        self.assertEqual(summaries[0], summaries[1])

    def test_same_with_one_thread(self):
        (direct, _), (through_ogr, _) = self.run_both("--threads", "1")
        self.assertEqual(every_row(os.path.join(direct, "odd.gpkg"), "candidates"),
                         every_row(os.path.join(through_ogr, "odd.gpkg"), "candidates"))


class T7RowsSplitBetweenTwoConnections(unittest.TestCase):
    """With 50,000 rows or more and no other report written meanwhile, a
    second thread writes half of a GeoPackage layer's rows into a side file
    that SQLite then copies in (reports/gis_gpkg.c, issue 28 fifth round).
    The reference is the same run with --threads 1, which writes every row
    through one connection (itself checked against GDAL's writers in T4):
    every row and geometry, the counts, the extent, the FID sequence and
    the spatial index must be the same, the file must pass validate_gpkg.py
    and SQLite's rtreecheck, and no side file may be left."""

    @classmethod
    def setUpClass(cls):
        cls.scn = fine_grid_scenario("split", map=False)

    def watch(self, out, sig=None):
        """Run with two threads, watching out for the side file; with sig,
        send it as soon as the side file is seen.  Returns (seen, rc)."""
        os.makedirs(out, exist_ok=True)
        p = subprocess.Popen([DCSITE, "run", self.scn, "-o", out, "--quiet"], cwd=TMP,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = []
        try:
            while p.poll() is None and not seen:
                seen = [n for n in os.listdir(out) if n.endswith("-rows")]
                time.sleep(0.0005)
            if sig and seen:
                p.send_signal(sig)
            p.wait(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
        return seen, p.returncode

    def test_side_file_while_writing_gone_after(self):
        out = os.path.join(TMP, "split-watch")
        seen, rc = self.watch(out)
        self.assertEqual(rc, 0)
        self.assertTrue(seen, "no side file seen: the rows were not split")
        self.assertEqual(sorted(os.listdir(out)), ["split.gpkg", "split_score.tif"])

    def test_side_file_removed_on_sigterm(self):
        out = os.path.join(TMP, "split-term")
        seen, rc = self.watch(out, signal.SIGTERM)
        self.assertTrue(seen, "no side file seen: the rows were not split")
        self.assertEqual(rc, -signal.SIGTERM)
        self.assertEqual(os.listdir(out), [])  # every temporary removed

    def test_side_file_on_a_full_disk(self):
        out = os.path.join(TMP, "split-full")
        os.makedirs(out)
        shim = os.path.join(os.path.dirname(DCSITE), "tests", "libenospc.so")
        env = dict(os.environ, LD_PRELOAD=shim, DCS_FAULT_DIR=out, DCS_FAULT_BYTES="300000",
                   DCS_FAULT_MATCH="-rows",
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        r = subprocess.run([DCSITE, "run", self.scn, "-o", out, "--quiet"], cwd=TMP, env=env,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 5, r.stderr)  # an output error (docs/cli.md)
        self.assertIn("cannot write layer 'candidates'", r.stderr)
        self.assertIn("full", r.stderr)              # SQLite's "database or disk is full"
        self.assertEqual(os.listdir(out), [])        # nothing left behind

    def test_same_file_as_one_connection(self):
        scn = self.scn
        outs = []
        for threads in ("2", "1"):
            out = os.path.join(TMP, "split-%s" % threads)
            r = run(out, "--threads", threads, scenario=scn)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(sorted(os.listdir(out)), ["split.gpkg", "split_score.tif"])
            outs.append(os.path.join(out, "split.gpkg"))
        T4DirectGeoPackageRows.validate(self, outs[0])
        meta = [stored_layer(path) for path in outs]
        self.assertEqual(len(meta[0][0]), 62500)
        self.assertEqual(meta[0], meta[1])
        self.assertEqual(meta[0][2], (62500,))
        self.assertEqual(meta[0][5], ("ok",))


class T8RowsSplitOnceTheMapsAreDone(unittest.TestCase):
    """Beside the maps (both cores busy) the rows start on one connection;
    once the map's thread is done, the second half of the rows left goes
    to a side file when 50,000 or more are left (reports/gis_gpkg.c, issue
    28 sixth round).  To make the maps finish first, the disk is made slow
    for the GeoPackage's files (the libenospc shim's DCS_FAULT_DELAY_US:
    5 ms a write, ~2 s for the layer's rows against ~0.2 s for the maps of
    62,500 cells).  The reference is the --threads 1 file (no split, T7):
    the same stored rows, extent, count, FID sequence and spatial index."""

    @classmethod
    def setUpClass(cls):
        cls.scn = fine_grid_scenario("late", map=True)

    def test_side_file_once_the_maps_are_done(self):
        out = os.path.join(TMP, "late-2")
        os.makedirs(out)
        shim = os.path.join(os.path.dirname(DCSITE), "tests", "libenospc.so")
        env = dict(os.environ, LD_PRELOAD=shim, DCS_FAULT_DIR=out,
                   DCS_FAULT_BYTES=str(1 << 40), DCS_FAULT_MATCH=".gpkg",
                   DCS_FAULT_DELAY_US="5000",
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        p = subprocess.Popen([DCSITE, "run", self.scn, "-o", out], cwd=TMP, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen = []
        try:
            while p.poll() is None and not seen:
                seen = [n for n in os.listdir(out) if n.endswith("-rows")]
                time.sleep(0.0005)
            _, err = p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 0, err)
        self.assertTrue(seen, "no side file seen: the rows were not split")
        self.assertNotIn("-rows", " ".join(os.listdir(out)))
        self.assertIn("late_map.png", os.listdir(out))
        one = os.path.join(TMP, "late-1")
        r = run(one, "--threads", "1", scenario=self.scn)
        self.assertEqual(r.returncode, 0, r.stderr)
        T4DirectGeoPackageRows.validate(self, os.path.join(out, "late.gpkg"))
        got = stored_layer(os.path.join(out, "late.gpkg"))
        self.assertEqual(len(got[0]), 62500)
        self.assertEqual(got, stored_layer(os.path.join(one, "late.gpkg")))
        self.assertEqual(got[5], ("ok",))


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
