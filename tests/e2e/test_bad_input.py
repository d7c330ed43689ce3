#!/usr/bin/python3
"""Bad input and faults: every class ends in a clear message, a documented
exit code, and nothing lost.

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_bad_input.py

Each test builds its bad input in a fresh temporary directory (GeoPackages,
Shapefiles and GeoTIFFs with osgeo.ogr/gdal, weather files cut or edited
from tests/fixtures/weather, scenario files by hand) and asserts the exit
code AND that the message names the offending file, layer, field or value.
The table "Bad input: messages and exit codes" in docs/cli.md lists one row
per test method here.

Output faults: a full disk is simulated by the LD_PRELOAD shim
tests/fault/enospc.c (built as <build>/tests/libenospc.so next to the
dcsite binary under test); an unwritable directory by running dcsite as
user 65534.  Every output-fault test first writes a good set of reports
into the directory and checks afterwards that they are byte-identical and
that no temporary (.part-) file is left.

Reference values (the repaired area) come from pyproj's geodesic polygon
area, independent of dcsite's PROJ/GEOS path.
"""
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import tapkit
import test_e2e as base  # the Dallas-like fixture (sites, substations, flood)

from osgeo import gdal, ogr, osr
import pyproj

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

DCSITE = base.DCSITE
REPO = base.REPO
SHIM = os.path.join(os.path.dirname(DCSITE), "tests", "libenospc.so")
WEATHER = os.path.join(REPO, "tests", "fixtures", "weather")
NAME = base.SCENARIO_NAME


class Tmp:
    dir = None


def setUpModule():
    Tmp.dir = tempfile.mkdtemp(prefix="dcsite-bad-")
    unittest.addModuleCleanup(lambda: shutil.rmtree(Tmp.dir, ignore_errors=True))
    base.Fixture.tmp = Tmp.dir
    base.build_gpkg(path("fixture.gpkg"))


def path(*parts):
    return os.path.join(Tmp.dir, *parts)


def write(name, data):
    p = path(name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(p, mode) as fp:
        if isinstance(data, (str, bytes)):
            fp.write(data)
        else:
            json.dump(data, fp, indent=2)
    return p


def scenario(**changes):
    return base.scenario("fixture.gpkg", **changes)


def dcsite(*args, env=None, as_nobody=False, timeout=300):
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if as_nobody else []
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([*prefix, DCSITE, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=Tmp.dir, env=full_env)


def run_scenario(name, s, *extra, **kw):
    return dcsite("run", write(name + ".json", s), "-o", path("out-" + name), *extra, **kw)


def errors(r):
    return [ln for ln in r.stderr.splitlines() if ln.startswith("dcsite: ERROR: ")]


def warnings(r):
    return [ln for ln in r.stderr.splitlines() if ln.startswith("dcsite: WARNING: ")]


def srs(epsg):
    return base.srs(epsg)


def copy_layers(dst_name, names=("sites", "substations", "flood")):
    """A new GeoPackage with copies of the fixture's layers (to edit)."""
    src = ogr.Open(path("fixture.gpkg"))
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path(dst_name))
    for n in names:
        ds.CopyLayer(src.GetLayerByName(n), n)
    return ds


def add_site(lyr, sid, wkt, cost=10.0, zoning="industrial"):
    f = ogr.Feature(lyr.GetLayerDefn())
    if sid is None:
        f.SetFieldNull("site_id")
    else:
        f.SetField("site_id", sid)
    f.SetField("zoning", zoning)
    if cost is None:
        f.SetFieldNull("land_cost")
    else:
        f.SetField("land_cost", cost)
    if wkt:
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
    lyr.CreateFeature(f)


def box_wkt(x, y, size=500):
    return "POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))" % (
        x, y, x + size, y, x + size, y + size, x, y + size, x, y)


def nine_thousand_sites(name, null_id_at, off_the_map_at=None):
    """The fixture's layers plus 9,000 sites on a 600 m grid (features 9 ..
    9008, over three 4,096-feature chunks): site k has a null id at
    null_id_at, and lies at x = y = 1e15 (PROJ cannot take it) at
    off_the_map_at."""
    ds = copy_layers(name)
    lyr = ds.GetLayerByName("sites")
    ds.StartTransaction()
    for k in range(9000):
        wkt = (box_wkt(1e15, 1e15) if k == off_the_map_at
               else box_wkt(700000 + 600 * (k % 90), 3680000 + 600 * (k // 90)))
        add_site(lyr, None if k == null_id_at else "X%05d" % k, wkt)
    ds.CommitTransaction()
    ds = None


def read_candidates(p):
    rows, _, _ = base.read_gpkg(p)
    return rows


def snapshot(d):
    return {n: open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d))}


class Case(unittest.TestCase):

    def assertFails(self, r, code, *needles):
        msg = "rc=%s\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout, r.stderr)
        self.assertEqual(r.returncode, code, msg)
        errs = errors(r)
        self.assertTrue(errs, "no 'dcsite: ERROR:' line\n" + msg)
        for n in needles:
            self.assertIn(n, errs[0], msg)

    def assertRuns(self, r):
        self.assertEqual(r.returncode, 0, "rc=%s\nstderr:\n%s" % (r.returncode, r.stderr))

    def assertWarns(self, r, *needles):
        w = "\n".join(warnings(r))
        for n in needles:
            self.assertIn(n, w, r.stderr)


# --------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------

class B1Files(Case):

    def test_missing_dataset(self):
        s = scenario()
        s["substations"]["dataset"] = "nowhere/grid.gpkg"
        r = run_scenario("missing_ds", s)
        # relative paths resolve against the scenario's directory
        self.assertFails(r, 4, "substations: cannot open '%s': no such file or directory"
                         % path("nowhere/grid.gpkg"))
        self.assertFalse(os.path.exists(path("out-missing_ds")))

    def test_unreadable_dataset(self):
        p = path("locked.gpkg")
        shutil.copy(path("fixture.gpkg"), p)
        os.chmod(p, 0)
        s = scenario()
        s["sites"]["dataset"] = "locked.gpkg"
        sp = write("locked.json", s)
        os.chmod(sp, 0o644)
        os.chmod(Tmp.dir, 0o755)
        # root reads anything: run as user 65534, for whom the file is unreadable
        r = dcsite("check", sp, as_nobody=os.geteuid() == 0)
        self.assertFails(r, 4, "sites: cannot open '%s': Permission denied" % p)

    def test_not_a_dataset(self):
        write("garbage.gpkg", b"this is not a GeoPackage\n" * 40)
        s = scenario()
        s["sites"]["dataset"] = "garbage.gpkg"
        r = run_scenario("garbage", s)
        self.assertFails(r, 4, "sites: cannot open '%s': not a vector dataset GDAL can read"
                         % path("garbage.gpkg"))

    def test_truncated_geopackage(self):
        with open(path("fixture.gpkg"), "rb") as fp:
            write("cut.gpkg", fp.read()[:5000])
        s = scenario()
        s["sites"]["dataset"] = "cut.gpkg"
        r = run_scenario("cut_gpkg", s)
        self.assertFails(r, 4, "'%s'" % path("cut.gpkg"), "malformed")

    def test_missing_scenario_file(self):
        r = dcsite("run", "no_such_scenario.json")
        self.assertFails(r, 3, "cannot open scenario 'no_such_scenario.json'",
                         "No such file or directory")


# --------------------------------------------------------------------------
# layers, fields, geometry types
# --------------------------------------------------------------------------

class B2LayersAndFields(Case):

    def test_wrong_layer_lists_layers(self):
        s = scenario()
        s["overlays"][0]["layer"] = "floodzones"
        r = run_scenario("wrong_layer", s)
        self.assertFails(r, 4, "layer 'floodzones' not found",
                         "(layers: sites, substations, flood)")

    def test_wrong_field_lists_fields(self):
        s = scenario()
        s["substations"]["headroom_field"] = "headroom"
        r = run_scenario("wrong_field", s)
        self.assertFails(r, 4, "substations: field 'headroom' not found in layer 'substations'",
                         "(fields: sub_id, voltage_kv, headroom_mw)")

    def test_wrong_geometry_type(self):
        s = scenario()
        s["overlays"][0]["layer"] = "substations"
        r = run_scenario("wrong_geom", s)
        self.assertFails(r, 4, "flood (layer): layer 'substations'", "holds Point",
                         "expected polygons")

    def test_null_site_id(self):
        ds = copy_layers("nullid.gpkg")
        add_site(ds.GetLayerByName("sites"), None, box_wkt(700000, 3680000))
        ds = None
        s = scenario()
        s["sites"]["dataset"] = "nullid.gpkg"
        r = run_scenario("nullid", s)
        # the fixture has 8 sites: the added one is feature 9
        self.assertFails(r, 4, "sites: feature 9 has no id (field 'site_id' is null)")

    def test_null_site_id_past_the_first_chunks(self):
        # sites are read and converted 4,096 at a time: a failure in the
        # third chunk is still reported by its feature, with one thread or two
        nine_thousand_sites("nullid_far.gpkg", null_id_at=8500)
        s = scenario()
        s["sites"]["dataset"] = "nullid_far.gpkg"
        for threads in ("1", "2"):
            r = run_scenario("nullid_far", s, "--threads", threads)
            self.assertFails(r, 4, "sites: feature 8509 has no id (field 'site_id' is null)")
            self.assertFalse(os.path.exists(path("out-nullid_far")))

    def test_bad_geometry_before_a_null_id_in_the_next_chunk(self):
        # while chunk 2 is converted, chunk 3 is read: its null id (feature
        # 8509) comes after chunk 2's geometry PROJ cannot transform
        # (feature 6009), which is the one reported, with one thread or two
        nine_thousand_sites("badgeom_far.gpkg", null_id_at=8500, off_the_map_at=6000)
        s = scenario()
        s["sites"]["dataset"] = "badgeom_far.gpkg"
        for threads in ("1", "2"):
            r = run_scenario("badgeom_far", s, "--threads", threads)
            msgs = errors(r)
            self.assertEqual(len(msgs), 1, r.stderr)
            self.assertTrue(msgs[0].startswith("dcsite: ERROR: feature 6009: sites: cannot "
                                               "transform a geometry of layer 'sites'"), msgs[0])
            self.assertFalse(os.path.exists(path("out-badgeom_far")))

    def test_repeated_site_ids(self):
        # DUP-A (features 109 and 8009) and DUP-B (features 209 and 6009)
        # are each used twice: the first repeat in the layer's order, DUP-B
        # at feature 6009, is the one named (not the first id in sorted
        # order); no report is written
        ds = copy_layers("dupids.gpkg")
        lyr = ds.GetLayerByName("sites")
        ds.StartTransaction()
        for k in range(9000):
            sid = {100: "DUP-A", 200: "DUP-B", 6000: "DUP-B", 8000: "DUP-A"}.get(k, "X%05d" % k)
            add_site(lyr, sid, box_wkt(700000 + 600 * (k % 90), 3680000 + 600 * (k // 90)))
        ds.CommitTransaction()
        ds = None
        s = scenario()
        s["sites"]["dataset"] = "dupids.gpkg"
        r = run_scenario("dupids", s)
        self.assertFails(r, 4, 'sites: id "DUP-B" is used by more than one feature; '
                               'site ids must be unique')
        self.assertFalse(os.path.exists(path("out-dupids")))


# --------------------------------------------------------------------------
# CRS
# --------------------------------------------------------------------------

def shapefile_copy(name, layer="flood"):
    """The fixture's flood layer as a Shapefile (with its .prj)."""
    src = ogr.Open(path("fixture.gpkg"))
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path(name + ".shp"))
    ds.CopyLayer(src.GetLayerByName(layer), name)
    ds = None
    return path(name + ".shp")


class B3Crs(Case):

    def test_layer_without_crs(self):
        shp = shapefile_copy("noprj")
        os.remove(path("noprj.prj"))
        s = scenario()
        s["overlays"][0] = {"name": "flood", "dataset": "noprj.shp"}
        r = run_scenario("noprj", s)
        self.assertFails(r, 4, "flood (layer): layer 'noprj' of '%s' has no CRS" % shp)

    def test_unknown_crs(self):
        shapefile_copy("localcs")
        with open(path("localcs.prj"), "w") as fp:
            fp.write('LOCAL_CS["site grid",UNIT["metre",1]]')
        s = scenario()
        s["overlays"][0] = {"name": "flood", "dataset": "localcs.shp"}
        r = run_scenario("localcs", s)
        self.assertFails(r, 4, "flood (layer): PROJ cannot transform site grid to EPSG:32614")

    def test_unknown_working_crs(self):
        r = run_scenario("wcrs", scenario(working_crs="EPSG:999999"))
        self.assertFails(r, 3, 'working_crs: cannot use "EPSG:999999"')

    def test_geographic_working_crs(self):
        r = run_scenario("wcrs_geo", scenario(working_crs="EPSG:4326"))
        self.assertFails(r, 3, 'working_crs: "EPSG:4326" is not a projected CRS in metres')

    def test_raster_without_crs(self):
        ds = gdal.GetDriverByName("GTiff").Create(path("nocrs.tif"), 10, 10, 1, gdal.GDT_Float32)
        ds.SetGeoTransform((699000, 100, 0, 3645000, 0, -100))
        ds = None
        s = scenario()
        s["rasters"] = [{"name": "elev", "dataset": "nocrs.tif", "stats": ["mean"]}]
        r = run_scenario("nocrs_tif", s)
        self.assertFails(r, 4, "elev (raster): raster '%s' has no CRS" % path("nocrs.tif"))

    def test_layers_in_different_crs_agree(self):
        # The fixture's flood layer (EPSG:4326) written again in Web
        # Mercator: the same polygons, so the same flood_pct (0.01 points:
        # both are transformed to UTM through PROJ; the densified edges
        # keep the shapes to well under a metre).
        src = ogr.Open(path("fixture.gpkg"))
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(path("merc.gpkg"))
        flood = src.GetLayerByName("flood")
        lyr = ds.CreateLayer("flood", srs(3857), ogr.wkbPolygon)
        ct = osr.CoordinateTransformation(srs(4326), srs(3857))
        for f in flood:
            g = f.GetGeometryRef().Clone()
            g.Transform(ct)
            out = ogr.Feature(lyr.GetLayerDefn())
            out.SetGeometry(g)
            lyr.CreateFeature(out)
        ds = None
        s = scenario()
        s["overlays"][0]["dataset"] = "merc.gpkg"
        r1 = run_scenario("crs_4326", scenario(), "-q")
        r2 = run_scenario("crs_3857", s, "-q")
        self.assertRuns(r1)
        self.assertRuns(r2)
        a = read_candidates(path("out-crs_4326", NAME + ".gpkg"))
        b = read_candidates(path("out-crs_3857", NAME + ".gpkg"))
        for sid in a:
            self.assertAlmostEqual(a[sid]["flood_pct"], b[sid]["flood_pct"], delta=0.01, msg=sid)
        self.assertAlmostEqual(b["S-FLOOD60"]["flood_pct"], 60.0, delta=0.1)

    def test_layer_labelled_with_wrong_crs_warns(self):
        # lon/lat coordinates labelled as UTM metres: the layer lands near
        # the equator, nowhere near the sites.
        src = ogr.Open(path("fixture.gpkg"))
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(path("mislabelled.gpkg"))
        lyr = ds.CreateLayer("flood", srs(32614), ogr.wkbPolygon)
        for f in src.GetLayerByName("flood"):
            out = ogr.Feature(lyr.GetLayerDefn())
            out.SetGeometry(f.GetGeometryRef().Clone())
            lyr.CreateFeature(out)
        ds = None
        s = scenario()
        s["overlays"][0]["dataset"] = "mislabelled.gpkg"
        r = run_scenario("mislabelled", s)
        self.assertRuns(r)
        self.assertWarns(r, "flood (layer): '%s' (lon/lat " % path("mislabelled.gpkg"),
                         "lies entirely outside the sites", "is its CRS right?")


# --------------------------------------------------------------------------
# empty layers
# --------------------------------------------------------------------------

def empty_gpkg():
    p = path("empty.gpkg")
    if os.path.exists(p):
        return p
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(p)
    for name, t in (("sites", ogr.wkbPolygon), ("substations", ogr.wkbPoint),
                    ("flood", ogr.wkbPolygon)):
        lyr = ds.CreateLayer(name, srs(4326), t)
        for fld in ("site_id", "sub_id", "zoning"):
            lyr.CreateField(ogr.FieldDefn(fld, ogr.OFTString))
        for fld in ("voltage_kv", "headroom_mw", "land_cost"):
            lyr.CreateField(ogr.FieldDefn(fld, ogr.OFTReal))
    ds = None
    return p


class B4EmptyLayers(Case):

    def test_empty_sites_layer(self):
        s = scenario()
        s["sites"]["dataset"] = empty_gpkg()
        r = run_scenario("empty_sites", s)
        self.assertFails(r, 4, "sites: layer 'sites' of '%s' has no features" % empty_gpkg())

    def test_sites_filtered_to_nothing(self):
        s = scenario()
        s["sites"]["where"] = "zoning = 'airport'"
        r = run_scenario("where_nothing", s)
        self.assertFails(r, 4, "sites: layer 'sites'", "has no features (after the \"where\" filter)")

    def test_empty_overlay_warns(self):
        s = scenario()
        s["overlays"][0]["dataset"] = empty_gpkg()
        r = run_scenario("empty_flood", s)
        self.assertRuns(r)
        self.assertWarns(r, "flood (layer): '%s' [layer flood] has no features" % empty_gpkg())

    def test_empty_substations_warns(self):
        s = scenario()
        s["substations"]["dataset"] = empty_gpkg()
        r = run_scenario("empty_subs", s)
        self.assertRuns(r)
        self.assertWarns(r, "substations: none of 0 qualifies")
        rows = read_candidates(path("out-empty_subs", NAME + ".gpkg"))
        # no site may pass grid_reach on a distance it does not have
        for sid, row in rows.items():
            self.assertIsNone(row["substation_km"], sid)
            self.assertIn("grid_reach: substation_km has no value", row["reasons"], sid)


# --------------------------------------------------------------------------
# invalid geometries
# --------------------------------------------------------------------------

BOWTIE_UTM = [(700000, 3660000), (700500, 3660500), (700500, 3660000), (700000, 3660500),
              (700000, 3660000)]


class B5Geometry(Case):

    @classmethod
    def setUpClass(cls):
        ds = copy_layers("invalid.gpkg")
        sites = ds.GetLayerByName("sites")
        add_site(sites, "BOWTIE", "POLYGON((%s))" % ",".join("%d %d" % p for p in BOWTIE_UTM))
        add_site(sites, "NOGEOM", None)
        flood = ds.GetLayerByName("flood")
        for dx in (0.0, 0.02):  # two self-intersecting flood polygons far from every site
            f = ogr.Feature(flood.GetLayerDefn())
            f.SetGeometry(ogr.CreateGeometryFromWkt(
                "POLYGON((%f 32.60,%f 32.61,%f 32.60,%f 32.61,%f 32.60))"
                % (-96.9 + dx, -96.89 + dx, -96.89 + dx, -96.9 + dx, -96.9 + dx)))
            flood.CreateFeature(f)
        ds = None
        s = scenario()
        for key in ("sites", "substations"):
            s[key]["dataset"] = "invalid.gpkg"
        s["overlays"][0]["dataset"] = "invalid.gpkg"
        cls.r = run_scenario("invalid", s)

    def test_self_intersections_repaired_with_count(self):
        self.assertRuns(self.r)
        self.assertWarns(self.r, "sites: 1 invalid geometries repaired (GEOS MakeValid)",
                         "flood (layer): 2 invalid geometries repaired (GEOS MakeValid)")
        with open(path("out-invalid", NAME + ".json")) as fp:
            js = json.load(fp)
        # warnings are records: a stable code, the layer, the message as printed
        self.assertIn({"code": "geometry_repaired", "layer": "sites",
                       "message": "sites: 1 invalid geometries repaired (GEOS MakeValid)",
                       "plain": "In sites, 1 invalid geometry was repaired before measuring.",
                       "severity": "warning"},
                      js["warnings"])

    def test_repaired_site_area_is_its_two_triangles(self):
        self.assertRuns(self.r)
        # Reference: MakeValid splits the bow tie at its crossing point
        # (700250, 3660250) into two triangles; their geodesic areas from
        # pyproj (edges densified every 10 m).  1e-4 relative: both sides
        # are geodesic areas of the same rings.
        to_ll = pyproj.Transformer.from_crs(32614, 4326, always_xy=True)
        geod = pyproj.Geod(ellps="WGS84")
        total = 0.0
        for tri in ([(700000, 3660000), (700250, 3660250), (700000, 3660500), (700000, 3660000)],
                    [(700500, 3660000), (700500, 3660500), (700250, 3660250), (700500, 3660000)]):
            pts = base.densify(tri)
            lon, lat = to_ll.transform([p[0] for p in pts], [p[1] for p in pts])
            total += abs(geod.polygon_area_perimeter(lon, lat)[0])
        rows = read_candidates(path("out-invalid", NAME + ".gpkg"))
        self.assertAlmostEqual(rows["BOWTIE"]["area_ha"], total / 1e4, delta=total / 1e4 * 1e-4)

    def test_feature_without_geometry_skipped_with_count(self):
        self.assertRuns(self.r)
        self.assertWarns(self.r, "sites: 1 features without geometry skipped")
        rows = read_candidates(path("out-invalid", NAME + ".gpkg"))
        self.assertNotIn("NOGEOM", rows)


# --------------------------------------------------------------------------
# null, NaN and nodata attributes and pixels; rasters not covering
# --------------------------------------------------------------------------

def dem(name, nodata_cols=None, nan_cols=None, origin=(699000, 3645000)):
    """A 50 m GeoTIFF (UTM 14N) of value 150 over x 699000..712000,
    y 3625000..3645000; nodata_cols/nan_cols: (row0, row1, col0, col1)."""
    import numpy
    ds = gdal.GetDriverByName("GTiff").Create(path(name), 260, 400, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((origin[0], 50, 0, origin[1], 0, -50))
    ds.SetProjection(srs(32614).ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(-9999)
    a = numpy.full((400, 260), 150.0, dtype=numpy.float32)
    if nodata_cols:
        r0, r1, c0, c1 = nodata_cols
        a[r0:r1, c0:c1] = -9999
    if nan_cols:
        r0, r1, c0, c1 = nan_cols
        a[r0:r1, c0:c1] = numpy.nan
    band.WriteArray(a)
    ds = None
    return path(name)


class B6AttributesAndPixels(Case):

    def test_null_and_nan_attributes(self):
        ds = copy_layers("nullattr.gpkg")
        sites = ds.GetLayerByName("sites")
        add_site(sites, "NULLCOST", box_wkt(700000, 3630000), cost=None)
        add_site(sites, "NANCOST", box_wkt(700000, 3630000), cost=float("nan"))
        ds = None
        s = scenario()
        s["sites"]["dataset"] = "nullattr.gpkg"
        r = run_scenario("nullattr", s, "-q")
        self.assertRuns(r)
        rows = read_candidates(path("out-nullattr", NAME + ".gpkg"))
        # the same square as S-NEAR: eligible, but the cost criterion scores
        # 0 (README: a missing metric scores 0), so the score drops by
        # S-NEAR's cost contribution exactly (1e-12)
        for sid in ("NULLCOST", "NANCOST"):
            self.assertIsNone(rows[sid]["land_cost"], sid)
            self.assertEqual(rows[sid]["status"], "eligible", sid)
            self.assertIsNone(rows[sid]["cost_value"], sid)  # no value, reported as null
            self.assertAlmostEqual(rows[sid]["score"],
                                   rows["S-NEAR"]["score"] - rows["S-NEAR"]["cost_contrib"],
                                   delta=1e-12, msg=sid)
        # a rule on the missing metric fails: never admitted on data it lacks
        s["constraints"].append({"name": "cost_known", "metric": "land_cost", "max": 1000})
        r = run_scenario("nullattr_rule", s, "-q")
        self.assertRuns(r)
        rows = read_candidates(path("out-nullattr_rule", NAME + ".gpkg"))
        for sid in ("NULLCOST", "NANCOST"):
            self.assertEqual(rows[sid]["status"], "excluded", sid)
            self.assertIn("cost_known: land_cost has no value", rows[sid]["reasons"], sid)
        self.assertEqual(rows["S-NEAR"]["status"], "eligible")

    def test_nodata_and_nan_pixels(self):
        # S-FLOOD50 (x 710000..710500, y 3630000..3630500): nodata over its
        # west half (cols 220..225, rows 290..300); S-NEAR (x 700000..700500):
        # NaN over its east half (cols 25..30) with no nodata value for NaN.
        p = dem("holes.tif", nodata_cols=(290, 300, 220, 225), nan_cols=(290, 300, 25, 30))
        s = scenario()
        s["rasters"] = [{"name": "elev", "dataset": os.path.basename(p), "stats": ["mean", "max"],
                         "outside": "exclude"}]
        r = run_scenario("holes", s)
        self.assertRuns(r)
        rows = read_candidates(path("out-holes", NAME + ".gpkg"))
        # by construction exactly half of each site's pixel area is missing;
        # the valid half is 150 everywhere (0.5 points, 1e-9 on the value)
        for sid in ("S-FLOOD50", "S-NEAR"):
            self.assertAlmostEqual(rows[sid]["elev_nodata_pct"], 50.0, delta=0.5, msg=sid)
            self.assertAlmostEqual(rows[sid]["elev_mean"], 150.0, delta=1e-9, msg=sid)
            self.assertAlmostEqual(rows[sid]["elev_max"], 150.0, delta=1e-9, msg=sid)

    def test_raster_not_covering_region(self):
        p = dem("far.tif", origin=(300000, 1000000))
        s = scenario()
        s["rasters"] = [{"name": "elev", "dataset": os.path.basename(p), "stats": ["mean"],
                         "outside": "exclude"}]
        r = run_scenario("far_tif", s)
        self.assertRuns(r)
        self.assertWarns(r, "elev (raster): '%s' covers none of the 8 sites (outside: exclude)" % p,
                         "lies entirely outside the sites")
        rows = read_candidates(path("out-far_tif", NAME + ".gpkg"))
        for sid, row in rows.items():
            self.assertIsNone(row["elev_mean"], sid)
            self.assertIn("coverage_elev", row["reasons"], sid)
        self.assertNotIn("coverage counts", "\n".join(warnings(r)))
        # asked for, the coverage counts are measured even here (docs/metrics.md):
        # no pixel under any site, so 0 and 0 of its area over the raster
        s["rasters"][0]["stats"] = ["mean", "count", "covered_fraction"]
        r = run_scenario("far_tif_counts", s)
        self.assertRuns(r)
        self.assertWarns(r, "covers none of the 8 sites (outside: exclude); its metrics are "
                         "empty for all of them but for its coverage counts, which say why")
        rows = read_candidates(path("out-far_tif_counts", NAME + ".gpkg"))
        for sid, row in rows.items():
            self.assertIsNone(row["elev_mean"], sid)
            self.assertEqual(row["elev_count"], 0.0, sid)
            self.assertEqual(row["elev_covered_fraction"], 0.0, sid)
            self.assertIn("coverage_elev", row["reasons"], sid)

    def test_raster_not_covering_with_outside_error(self):
        p = dem("far2.tif", origin=(300000, 1000000))
        s = scenario()
        s["rasters"] = [{"name": "elev", "dataset": os.path.basename(p), "stats": ["mean"],
                         "outside": "error"}]
        r = run_scenario("far_error", s)
        # sites are measured in layer order: S-NEAR first
        self.assertFails(r, 4, 'site "S-NEAR": layer \'elev\' does not cover this site')

    def test_truncated_raster(self):
        p = dem("whole.tif")
        with open(p, "rb") as fp:
            write("cut.tif", fp.read()[:3000])
        s = scenario()
        s["rasters"] = [{"name": "elev", "dataset": "cut.tif", "stats": ["mean"]}]
        r = run_scenario("cut_tif", s)
        self.assertFails(r, 4, "raster '%s': band 1: cannot read the pixels" % path("cut.tif"))


# --------------------------------------------------------------------------
# weather files
# --------------------------------------------------------------------------

def weather_text(name):
    import gzip
    with gzip.open(os.path.join(WEATHER, name), "rt", newline="") as fp:
        return fp.read()


def set_field(line, index, value):
    parts = line.split(",")
    parts[index] = value
    return ",".join(parts)


class B7Weather(Case):

    @classmethod
    def setUpClass(cls):
        cls.epw = weather_text("chicago.epw.gz").split("\n")
        cls.tmy3 = weather_text("IL-Chicago_Ohare_Intl_Ap.tmy3.gz").split("\n")

    def energy(self, name, lines):
        return dcsite("energy", write(name, "\n".join(lines)))

    def test_truncated_epw_mid_line(self):
        text = "\n".join(self.epw)
        p = write("cut.epw", text[:300000])
        line = text[:300000].count("\n") + 1  # the cut line, counted from 1
        r = dcsite("energy", p)
        self.assertFails(r, 4, "weather '%s': line %d: expected 35 fields" % (p, line))

    def test_truncated_epw_at_line_end(self):
        r = self.energy("short.epw", self.epw[:4000])
        # 8 header lines, then 3992 hourly rows
        self.assertFails(r, 4, "only 3992 hourly rows (expected 8760); the file ends at line 4000")

    def test_truncated_gzip(self):
        import gzip
        data = gzip.compress("\n".join(self.epw).encode())
        p = write("cut.epw.gz", data[:len(data) // 3])
        r = dcsite("energy", p)
        self.assertFails(r, 4, "weather '%s': line " % p)

    def test_truncated_tmy3(self):
        r = self.energy("cut.tmy3", self.tmy3[:500] + [self.tmy3[500][:20]])
        self.assertFails(r, 4, "line 501: expected 71 fields, got ")

    def test_out_of_range_value(self):
        lines = list(self.epw)
        lines[19] = set_field(lines[19], 6, "85.5")  # dry bulb, field 7
        r = self.energy("hot.epw", lines)
        self.assertFails(r, 4, "line 20: field 7 (dry bulb) 85.5 out of range -70..70 C")

    def test_nan_value(self):
        lines = list(self.tmy3)
        lines[99] = set_field(lines[99], 31, "nan")  # Dry-bulb (C), field 32
        r = self.energy("nan.tmy3", lines)
        self.assertFails(r, 4, 'line 100: field 32 (Dry-bulb (C)) "nan" is not a number')

    def test_bad_station_file_in_scenario(self):
        p = write("stub.epw", "\n".join(self.epw[:100]))
        s = scenario(energy={"cooling": "air_chiller", "stations": ["stub.epw"]})
        r = run_scenario("bad_station", s)
        self.assertFails(r, 4, "'%s'" % p, "only 92 hourly rows")
        self.assertFalse(os.path.exists(path("out-bad_station")))

    def test_first_failure_in_scenario_order_whatever_the_threads(self):
        # rasters and stations load in a thread of their own beside the
        # vector layers; with both broken, the raster (listed before the
        # energy section) is the one reported, with one thread or two
        write("stub2.epw", "\n".join(self.epw[:100]))
        with open(dem("whole2.tif"), "rb") as fp:
            write("cut2.tif", fp.read()[:3000])
        s = scenario(energy={"cooling": "air_chiller", "stations": ["stub2.epw"]})
        s["rasters"] = [{"name": "elev", "dataset": "cut2.tif", "stats": ["mean"]}]
        for threads in ("1", "2"):
            r = run_scenario("two_broken", s, "--threads", threads)
            self.assertFails(r, 4, "raster '%s': band 1: cannot read the pixels"
                             % path("cut2.tif"))
            self.assertFalse(os.path.exists(path("out-two_broken")))
        s["rasters"] = []
        r = run_scenario("station_broken", s, "--threads", "2")
        self.assertFails(r, 4, "'%s'" % path("stub2.epw"), "only 92 hourly rows")

    def test_empty_station_table_reported_after_the_sites(self):
        # the station table is read before the sites (to start the loading
        # thread), but its failure keeps its place after them
        write("st_empty.csv", 'station,file,use\n"dal","x.tmy3",0\n')
        write("st_empty.csvt", '"String","String","Integer"\n')
        s = scenario(energy={"cooling": "air_chiller", "station_table": {
            "dataset": "st_empty.csv", "where": "use = 1", "file_field": "file"}})
        r = run_scenario("st_empty", s)
        self.assertFails(r, 4, "energy.station_table: no weather file listed")
        ds = copy_layers("nullid_st.gpkg")
        add_site(ds.GetLayerByName("sites"), None, box_wkt(700000, 3680000))
        ds = None
        s["sites"]["dataset"] = "nullid_st.gpkg"
        for threads in ("1", "2"):
            r = run_scenario("st_empty_nullid", s, "--threads", threads)
            self.assertFails(r, 4, "sites: feature 9 has no id (field 'site_id' is null)")


# --------------------------------------------------------------------------
# scenario files
# --------------------------------------------------------------------------

class B8Scenario(Case):

    def test_syntax_error_line_and_column(self):
        lines = json.dumps(scenario(), indent=2).split("\n")
        lines[1] = lines[1].rstrip(",")  # drop the comma after "name"
        p = write("syntax.json", "\n".join(lines))
        r = dcsite("run", p)
        # cJSON stops at the next key's opening quote: line 3, its column
        self.assertFails(r, 3, "%s:3:%d: JSON syntax error near" % (p, lines[2].index('"') + 1))
        self.assertEqual(errors(r)[0].count(p), 1, "the path once")

    def test_text_ends_early(self):
        lines = json.dumps(scenario(), indent=2).split("\n")[:10]  # cut after a member
        p = write("cut.json", "\n".join(lines))
        r = dcsite("run", p)
        self.assertFails(r, 3, "%s:10:%d: JSON syntax error: the text ends too early"
                         % (p, len(lines[9]) + 1))

    def test_binary_bytes_are_escaped(self):
        p = write("binary.json", b"\xff\xfe{\"name\": 1}")
        r = dcsite("run", p)
        self.assertFails(r, 3, '%s:1:1: JSON syntax error near "\\xFF\\xFE{' % p)

    def test_wrong_type(self):
        s = scenario()
        s["facility"]["it_load_mw"] = "100 MW"
        r = run_scenario("wrong_type", s)
        self.assertFails(r, 3, 'facility.it_load_mw: expected a number, got "100 MW"')

    def test_unknown_key(self):
        s = scenario()
        s["criteria"][1]["wieght"] = 2
        r = run_scenario("unknown_key", s)
        self.assertFails(r, 3, "criteria[1].wieght: unknown key (expected one of: ", "weight")

    def test_out_of_range_value(self):
        s = scenario()
        s["facility"]["design_pue"] = 0.8
        r = run_scenario("pue", s)
        self.assertFails(r, 3, "facility.design_pue: 0.8 is out of range (expected 1 to 3)")

    def test_ahp_not_reciprocal(self):
        s = scenario()
        for c in s["criteria"]:
            del c["weight"]
        s["ahp"] = {"matrix": [[1, 3, 5, 7], [1 / 3, 1, 3, 5], [1 / 5, 1 / 3, 1, 3],
                               [1 / 7, 1 / 5, 0.5, 1]]}
        r = run_scenario("ahp", s)
        self.assertFails(r, 3, "ahp.matrix[3][2] = 0.5 is not the reciprocal of")


# --------------------------------------------------------------------------
# output faults: nothing half-written, earlier outputs intact
# --------------------------------------------------------------------------

class B9Outputs(Case):

    def good_outputs(self, name):
        """An output directory holding a good run's reports; their bytes."""
        d = path(name)
        r = dcsite("run", write("good.json", scenario()), "-o", d, "-q")
        self.assertRuns(r)
        before = snapshot(d)
        self.assertEqual(sorted(before), sorted([NAME + ".gpkg", NAME + ".json", NAME + ".xlsx"] +
                                                [NAME + "_map." + e for e in ("pdf", "pgw", "png",
                                                                              "png.aux.xml",
                                                                              "prj")]))
        return d, before

    def changed_scenario(self):
        s = scenario()
        s["criteria"][0]["weight"] = 7  # other scores: other report bytes
        return write("changed.json", s)

    def assertIntact(self, d, before):
        after = snapshot(d)
        self.assertEqual([n for n in after if ".part-" in n], [], "temporary files left")
        self.assertEqual(sorted(after), sorted(before))
        for n in before:
            self.assertEqual(after[n], before[n], "%s changed" % n)

    def test_output_dir_not_writable(self):
        d, before = self.good_outputs("out-ro")
        os.chmod(d, 0o555)
        try:
            base.make_world_readable(Tmp.dir)
            os.chmod(d, 0o555)
            r = dcsite("run", self.changed_scenario(), "-o", d, as_nobody=os.geteuid() == 0)
            self.assertFails(r, 5, "output directory '%s' is not writable" % d)
        finally:
            os.chmod(d, 0o755)
        self.assertIntact(d, before)

    def full_disk(self, d, match, budget, *args):
        env = {"LD_PRELOAD": SHIM, "DCS_FAULT_DIR": d, "DCS_FAULT_BYTES": str(budget),
               "DCS_FAULT_MATCH": match,
               # an ASan build wants its runtime first; the shim only wraps writes
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
        return dcsite("run", self.changed_scenario(), "-o", d, *args, env=env)

    def test_full_disk_every_writer(self):
        self.assertTrue(os.path.exists(SHIM), "the fault shim is built by make: %s" % SHIM)
        d, before = self.good_outputs("out-full")
        # GeoPackage (SQLite pwrite), workbook (libxlsxwriter zip through
        # stdio), JSON summary (stdio): the disk is full from the start, or
        # fills part-way through the file.
        cases = [(".gpkg", 0, "database or disk is full"),
                 (".gpkg", 60000, "database or disk is full"),
                 (".xlsx", 0, "No space left on device"),
                 (".xlsx", 8000, "No space left on device"),
                 (".json", 0, "No space left on device"),
                 (".json", 1000, "No space left on device")]
        for match, budget, why in cases:
            with self.subTest(file=match, bytes=budget):
                r = self.full_disk(d, match, budget)
                self.assertFails(r, 5, "%s/.%s.part-" % (d, NAME), match, why)
                self.assertNotIn("Reports:", r.stdout)
                self.assertIntact(d, before)

    def test_full_disk_while_dcsite_writes_the_rows(self):
        # GDAL creates the GeoPackage (empty layers, styles, field
        # descriptions), then dcsite inserts the rows and packs the indexes
        # itself (reports/gis_gpkg.c, gpkg_rtree.c).  A disk that fills at
        # any point of that must fail the run (exit 5, the file and the
        # reason named), leave nothing behind and keep the earlier reports.
        # The budget counts every byte written (journal and page rewrites
        # too), so it sweeps from the final file's size to 4x it; the sweep
        # must reach dcsite's own rows and its index, not only GDAL's steps.
        d, before = self.good_outputs("out-full-rows")
        size = os.path.getsize(os.path.join(d, NAME + ".gpkg"))
        seen = set()
        for k in range(25):
            budget = int(size * (1 + 3 * k / 24))
            with self.subTest(bytes=budget):
                r = self.full_disk(d, ".gpkg", budget)
                if r.returncode == 0:
                    seen.add("complete")
                    before = snapshot(d)  # the new reports replaced the old ones
                    continue
                self.assertFails(r, 5, "%s/.%s.part-" % (d, NAME), "database or disk is full")
                self.assertNotIn("Reports:", r.stdout)
                self.assertIntact(d, before)
                err = errors(r)[0]
                if "cannot write layer 'candidates'" in err:  # a row, or the commit
                    seen.add("rows")
                elif "spatial index of layer" in err:
                    seen.add("index")
        self.assertIn("rows", seen, "no budget ran out while the rows went in")
        self.assertIn("index", seen, "no budget ran out while the index went in")

    def test_full_disk_other_formats(self):
        # GDAL's GeoJSON and CSV writers ignore failed writes: dcsite reads
        # each file back and counts the features before renaming it.
        # The GIS file is the first report written: 2000 bytes for all
        # files is too little for it.
        for fmt, ext in (("GeoJSON", "geojson"), ("FlatGeobuf", "fgb"),
                         ("ESRI Shapefile", "shp"), ("CSV", "csv")):
            with self.subTest(format=fmt):
                d = path("out-full-" + ext)
                os.mkdir(d)
                r = self.full_disk(d, ".part-", 2000, "--format", fmt)
                self.assertFails(r, 5, "%s/.%s.part-" % (d, NAME))
                self.assertEqual(os.listdir(d), [], "nothing left behind")

    def test_sigint_keeps_earlier_outputs(self):
        d, before = self.good_outputs("out-int")
        p = subprocess.Popen([DCSITE, "run", big_scenario(), "-o", d], cwd=Tmp.dir,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(p, "reading sites")
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("dcsite: ERROR: interrupted", err)
        self.assertIntact(d, before)

    def test_sigterm_while_writing_keeps_earlier_outputs(self):
        d, before = self.good_outputs("out-term")
        p = subprocess.Popen([DCSITE, "run", big_scenario(), "-o", d], cwd=Tmp.dir,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []
        try:
            wait_for(p, "writing reports")
            while p.poll() is None and not seen:
                seen = [n for n in os.listdir(d) if ".part-" in n]
                time.sleep(0.001)
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertTrue(seen, "could not catch dcsite while it wrote its reports")
        # main.c: while writing, the handler removes the temporaries and
        # re-raises the signal (a shell shows status 143)
        self.assertEqual(p.returncode, -signal.SIGTERM)
        self.assertIntact(d, before)


BIG_N = 20000


def big_scenario():
    """The fixture's scenario (same name) on 20 000 small sites, so each
    phase lasts long enough to be interrupted."""
    p = path("big.json")
    if os.path.exists(p):
        return p
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path("big.gpkg"))
    lyr = ds.CreateLayer("sites", srs(32614), ogr.wkbPolygon)
    for name, t in (("site_id", ogr.OFTString), ("zoning", ogr.OFTString),
                    ("land_cost", ogr.OFTReal)):
        lyr.CreateField(ogr.FieldDefn(name, t))
    lyr.StartTransaction()
    side = int(math.sqrt(BIG_N)) + 1
    for i in range(BIG_N):
        x, y = 700000 + (i % side) * 150, 3630000 + (i // side) * 150
        add_site(lyr, "B%06d" % i, box_wkt(x, y, 100))
    lyr.CommitTransaction()
    ds = None
    s = scenario()
    s["sites"]["dataset"] = "big.gpkg"
    return write("big.json", s)


def wait_for(p, text):
    seen = []
    for line in p.stderr:
        seen.append(line)
        if text in line:
            return
    raise AssertionError("dcsite ended before printing %r:\n%s" % (text, "".join(seen)))


# --------------------------------------------------------------------------
# the input edge (issue 29): scenario size, signals, special files, text
# --------------------------------------------------------------------------

def many_constraints(name, n):
    s = scenario()
    s["constraints"] = [{"name": "c%d" % i, "metric": "area_ha", "min": 0.001}
                        for i in range(n)]
    return write(name, s)


class B10InputEdge(Case):

    def test_scenario_checks_scale_n_log_n(self):
        # 40,000 constraints took 3.8 s (names compared pairwise); 10 times
        # as many must take well under 10^2 = 100 times as long.  The
        # bound 30 leaves room for n log n and a busy machine (an absolute
        # time would depend on the machine and on ASan).
        small, big = many_constraints("c20k.json", 20000), many_constraints("c200k.json", 200000)
        times = []
        for p in (small, big):
            t0 = time.monotonic()
            r = dcsite("check", p, timeout=600)
            times.append(time.monotonic() - t0)
            self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertLess(times[1] / times[0], 30, "20k: %.2f s, 200k: %.2f s" % tuple(times))

    def test_repeated_constraint_names_all_found(self):
        s = scenario()
        s["constraints"] = [{"name": "c%d" % (i % 3000), "metric": "area_ha", "min": 0.001}
                            for i in range(6000)]
        r = dcsite("check", write("repeat_names.json", s))
        self.assertFails(r, 3, 'constraints[3000].name: "c0" is already used by constraints[0]')
        self.assertEqual(len([e for e in errors(r) if "is already used by" in e]), 3000)

    def test_sigint_while_reading_scenario(self):
        # a FIFO as the scenario: dcsite blocks reading it, deterministically
        fifo = path("scenario.fifo")
        os.mkfifo(fifo)
        p = subprocess.Popen([DCSITE, "run", fifo, "-o", path("out-fifo-scn")], cwd=Tmp.dir,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            w = os.open(fifo, os.O_WRONLY)
            os.write(w, b'{"name": "half a scenario", "constraints": [')
            time.sleep(0.3)
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=60)
            os.close(w)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("dcsite: ERROR: interrupted while reading the scenario", err)
        self.assertFalse(os.path.exists(path("out-fifo-scn")))

    def test_fifo_dataset_refused(self):
        fifo = path("sites.fifo")
        os.mkfifo(fifo)
        s = scenario()
        s["sites"]["dataset"] = "sites.fifo"
        r = run_scenario("fifo_ds", s, timeout=60)  # a blocking open would time out
        self.assertFails(r, 4, "sites: cannot open '%s': it is a FIFO (named pipe), not a "
                         "dataset" % fifo)

    def test_device_raster_refused(self):
        s = scenario()
        s["rasters"] = [{"name": "zero", "dataset": "/dev/zero", "stats": ["mean"]}]
        r = run_scenario("dev_raster", s, timeout=60)
        self.assertFails(r, 4, "'/dev/zero'", "it is a character device")

    def test_duplicate_key_nested(self):
        s = scenario()
        s["criteria"].append({"name": "zone", "metric": "zoning", "weight": 1,
                              "value": {"type": "categorical",
                                        "categories": {"industrial": 1, "DUP": 0}}})
        text = json.dumps(s, indent=2).replace('"DUP": 0', '"industrial": 0')
        r = dcsite("run", write("dupkey.json", text))
        k = len(s["criteria"]) - 1
        self.assertFails(r, 3, "criteria[%d].value.categories.industrial: key appears more "
                         "than once" % k)

    def test_nul_escape_refused(self):
        s = scenario(name="short\u0000ened")
        text = json.dumps(s, indent=2)  # the NUL written as the escape \\u0000
        self.assertIn('"short\\u0000ened"', text)
        p = write("nul.json", text)
        line = next(i for i, ln in enumerate(text.split("\n")) if "u0000" in ln)
        col = text.split("\n")[line].index("\\u0000") + 1
        r = dcsite("run", p)
        self.assertFails(r, 3, "%s:%d:%d: a string holds an escaped NUL (\\u0000)"
                         % (p, line + 1, col))

    def test_scenario_not_utf8_refused(self):
        text = json.dumps(scenario(description="Zurich"), indent=2)
        data = text.encode("utf-8").replace(b"Zurich", b"Z\xfcrich")  # u-umlaut in Latin-1
        self.assertIn(b"Z\xfcrich", data)
        p = write("latin1_scenario.json", data)
        r = dcsite("run", p)
        line = data.split(b"\n").index(next(ln for ln in data.split(b"\n") if b"\xfc" in ln))
        self.assertFails(r, 3, "%s:%d:" % (p, line + 1), "a byte that is not UTF-8")

    def test_escaped_control_character_refused(self):
        # the description becomes the workbook's subject (docProps/core.xml),
        # where libxlsxwriter 1.1.4 copies a \u0001 as it is: not XML
        p = write("ctl.json", json.dumps(scenario(description="a\u0001b"), indent=2))
        r = dcsite("run", p)
        self.assertFails(r, 3, "%s:" % p, "a string holds an escaped control character")

    def degenerate_site(self, name, wkt):
        ds = copy_layers(name + ".gpkg")
        add_site(ds.GetLayerByName("sites"), "DEGEN", wkt)
        ds = None
        s = scenario()
        for k in ("sites", "substations"):
            s[k]["dataset"] = name + ".gpkg"
        s["overlays"][0]["dataset"] = name + ".gpkg"
        return run_scenario(name, s)

    def assertSkippedNotRanked(self, name, r):
        """The no-area site is left out with a warning naming the first such
        feature (9: the fixture has 8 sites); never made a line and ranked."""
        self.assertRuns(r)
        self.assertWarns(r, "sites: 1 polygon with no area skipped (a collapsed ring, three "
                         "points or all vertices on one line: made valid it is only a line or "
                         "a point), the first feature 9; fix or delete it")
        rows = read_candidates(path("out-" + name, NAME + ".gpkg"))
        self.assertEqual(len(rows), 8)
        self.assertNotIn("DEGEN", rows)  # keyed by site_id
        with open(path("out-" + name, NAME + ".json")) as fp:
            codes = [w["code"] for w in json.load(fp)["warnings"]]
        self.assertIn("polygon_without_area", codes)

    def test_zero_area_site_skipped_not_made_a_line(self):
        # four points on one line: MakeValid gives a LineString, which was
        # ranked as a site; now it is left out, with a warning naming it
        name = "zero_area"
        r = self.degenerate_site(name, "POLYGON((700000 3660000,700300 3660000,"
                                       "700600 3660000,700000 3660000))")
        self.assertSkippedNotRanked(name, r)

    def test_three_point_ring_skipped(self):
        name = "three_points"
        r = self.degenerate_site(name, "POLYGON((700000 3660000,700300 3660000,"
                                       "700000 3660000))")
        self.assertSkippedNotRanked(name, r)

    def test_unclosed_ring_names_the_reason(self):
        r = self.degenerate_site("unclosed", "POLYGON((700000 3660000,700300 3660000,"
                                             "700300 3660300,700000 3660300))")
        self.assertFails(r, 4, "feature 9", "ring 1 of polygon 1 is not closed (it starts at "
                         "700000 3660000 and ends at 700000 3660300)")

    def test_chart_capped_at_255_series(self):
        import zipfile
        s = scenario()
        s["criteria"] = [{"name": "k%03d" % i, "metric": "area_ha", "weight": 1,
                          "value": {"type": "linear", "worst": 0, "best": 100 + i}}
                         for i in range(300)]
        r = run_scenario("chart300", s)
        self.assertRuns(r)
        with zipfile.ZipFile(path("out-chart300", NAME + ".xlsx")) as z:
            charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
            self.assertTrue(charts)
            counts = [z.read(n).count(b"<c:ser>") for n in charts]
            shared = z.read("xl/sharedStrings.xml").decode("utf-8")
        self.assertEqual(max(counts), 255, counts)  # Excel refuses a chart of 256 or more
        self.assertIn("The chart shows the first 255 of the 300 criteria: Excel draws at most "
                      "255 series in a chart.", shared)

    def test_gcp_only_raster(self):
        ds = gdal.GetDriverByName("GTiff").Create(path("gcp.tif"), 20, 20, 1, gdal.GDT_Float32)
        gcps = [gdal.GCP(699000 + 50 * px, 3645000 - 50 * ln, 0, px, ln)
                for px, ln in ((0, 0), (20, 0), (0, 20), (20, 20))]
        ds.SetGCPs(gcps, srs(32614).ExportToWkt())
        ds = None
        s = scenario()
        s["rasters"] = [{"name": "elev", "dataset": "gcp.tif", "stats": ["mean"]}]
        r = run_scenario("gcp", s)
        self.assertFails(r, 4, "raster '%s': georeferenced by 4 ground control points (GCPs) "
                         "only" % path("gcp.tif"), "gdalwarp")
        self.assertNotIn("no CRS", r.stderr)

    def test_nan_origin_raster(self):
        p = dem("nan_origin.tif", origin=(float("nan"), 3645000))
        self.assertTrue(math.isnan(gdal.Open(p).GetGeoTransform()[0]), "GTiff kept the NaN")
        s = scenario()
        s["rasters"] = [{"name": "elev", "dataset": "nan_origin.tif", "stats": ["mean"]}]
        r = run_scenario("nan_origin", s)
        self.assertFails(r, 4, "raster '%s': its geotransform's origin is not a number (nan, "
                         "3.645e+06)" % p)
        self.assertNotIn("covers none of the sites", r.stderr)

    def test_geometry_collection_sites_layer(self):
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(path("gc.gpkg"))
        lyr = ds.CreateLayer("sites", srs(32614), ogr.wkbGeometryCollection)
        for name, t in (("site_id", ogr.OFTString), ("zoning", ogr.OFTString),
                        ("land_cost", ogr.OFTReal)):
            lyr.CreateField(ogr.FieldDefn(name, t))
        for k in range(3):
            add_site(lyr, "GC%d" % k, "GEOMETRYCOLLECTION(%s)" % box_wkt(700000 + 1000 * k,
                                                                          3630000))
        ds = None
        s = scenario()
        s["sites"]["dataset"] = "gc.gpkg"
        r = run_scenario("gc", s)
        self.assertFails(r, 4, "sites: layer 'sites' of '%s' has no usable features: of its "
                         "3, 0 have no geometry and 3 are neither polygons nor points (the "
                         "layer is declared Geometry Collection)" % path("gc.gpkg"),
                         "ogr2ogr -explodecollections")

    def test_join_matching_no_site_warns(self):
        write("zone_prices.csv", "zone,price\nIND,0.05\nCOM,0.07\nRES,0.09\n")
        s = scenario()
        s["joins"] = [{"name": "prices", "dataset": "zone_prices.csv", "key_field": "zone",
                       "on": "zoning", "attributes": {"zone_price": "price"}}]
        r = run_scenario("join_none", s)
        self.assertRuns(r)
        self.assertWarns(r, "prices (join): no site's zoning matches a zone of '%s' (sites have "
                         "'industrial', " % path("zone_prices.csv"),
                         "the table has 'COM', 'IND', 'RES'); every value it joins is empty")
        with open(path("out-join_none", NAME + ".json")) as fp:
            codes = [w["code"] for w in json.load(fp)["warnings"]]
        self.assertIn("join_no_match", codes)

    def test_empty_station_table_entry(self):
        write("st_blank.csv", 'station,file\n"dal",""\n')
        write("st_blank.csvt", '"String","String"\n')
        s = scenario(energy={"cooling": "air_chiller", "station_table": {
            "dataset": "st_blank.csv", "file_field": "file"}})
        r = run_scenario("st_blank", s)
        self.assertFails(r, 4, "energy.station_table: feature 1 of '%s' has no weather file in "
                         "field 'file' (empty)" % path("st_blank.csv"))
        self.assertNotIn("is a directory", r.stderr)

    def test_suspect_weather_hour_names_file_and_line(self):
        # the Dallas TMY3 fixture's dew point spike on 09-09 14:00 is on
        # line 6040 of the file (zcat | sed -n 6040p)
        p = os.path.join(WEATHER, "tmy3", "TX-Dallas_Love_Field.tmy3.gz")
        r = dcsite("energy", p)
        self.assertRuns(r)
        self.assertIn("weather '%s': station DALLAS LOVE FIELD: " % p, r.stderr)
        self.assertIn("09-09 14:00 dew point 33.0 C at 34.0 C (neighbours 28.4, 22.0), line 6040",
                      r.stderr)

    def test_declared_latin1_shapefile_read_as_latin1(self):
        # a Shapefile whose .cpg says ISO-8859-1, with GDAL's recoding
        # turned off (SHAPE_ENCODING=""): dcsite reads its bytes as Latin-1
        src_ds = ogr.Open(path("fixture.gpkg"))  # kept: the layer needs its dataset
        src = src_ds.GetLayerByName("sites")
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path("lat1_shp"))
        lyr = ds.CreateLayer("sites", src.GetSpatialRef(), ogr.wkbPolygon,
                             options=["ENCODING=ISO-8859-1"])
        for name, t in (("site_id", ogr.OFTString), ("zoning", ogr.OFTString),
                        ("land_cost", ogr.OFTReal)):
            lyr.CreateField(ogr.FieldDefn(name, t))
        for f in src:
            g = ogr.Feature(lyr.GetLayerDefn())
            sid = f.GetField("site_id")
            g.SetField("site_id", "S-N\u00c9AR" if sid == "S-NEAR" else sid)
            g.SetField("zoning", f.GetField("zoning"))
            g.SetField("land_cost", f.GetField("land_cost"))
            g.SetGeometry(f.GetGeometryRef().Clone())
            lyr.CreateFeature(g)
        ds = None
        with open(path("lat1_shp", "sites.cpg")) as fp:
            self.assertEqual(fp.read().strip(), "ISO-8859-1")
        with open(path("lat1_shp", "sites.dbf"), "rb") as fp:
            self.assertIn(b"S-N\xc9AR", fp.read())  # the byte as GDAL wrote it
        s = scenario()
        s["sites"]["dataset"] = "lat1_shp/sites.shp"
        r = run_scenario("lat1_shp", s, env={"SHAPE_ENCODING": ""})
        self.assertRuns(r)
        self.assertWarns(r, "1 text value was not valid UTF-8", "its bytes were read as Latin-1")
        with open(path("out-lat1_shp", NAME + ".json"), "rb") as fp:
            text = fp.read().decode("utf-8")
        self.assertIn("S-N\u00c9AR", json.dumps(json.loads(text), ensure_ascii=False))

    def test_joined_csv_value_not_utf8(self):
        write("zone_names.csv", b"zone,label\nindustrial,Z\xfcrich works\ncommercial,Mall\n")
        s = scenario()
        s["joins"] = [{"name": "labels", "dataset": "zone_names.csv", "key_field": "zone",
                       "on": "zoning", "attributes": {"zone_label": "label"}}]
        r = run_scenario("csv_latin1", s)
        self.assertRuns(r)
        self.assertWarns(r, "labels (join): layer 'zone_names' of '%s': 1 text value was not "
                         "valid UTF-8" % path("zone_names.csv"))
        with open(path("out-csv_latin1", NAME + ".json"), "rb") as fp:
            json.loads(fp.read().decode("utf-8"))
        rows = read_candidates(path("out-csv_latin1", NAME + ".gpkg"))
        self.assertEqual(rows["S-NEAR"]["zone_label"], "Z\ufffdrich works")

    def test_deep_json(self):
        p = write("deep.json", '{"name": "x",\n "deep": ' + "[" * 100000 + "]" * 100000 + "}")
        r = dcsite("run", p)
        self.assertFails(r, 3, "%s:2:1009: JSON nested more than 1000 levels deep" % p)
        self.assertNotIn("syntax error", r.stderr)

    def test_text_not_utf8_in_sites(self):
        # Latin-1 bytes in a site id, a control character in an attribute:
        # written into the GeoPackage with SQL through GDAL (its triggers
        # need GDAL's functions), read back by dcsite byte for byte
        import xml.etree.ElementTree as ET
        import zipfile
        shutil.copy(path("fixture.gpkg"), path("latin1.gpkg"))
        ds = ogr.Open(path("latin1.gpkg"), 1)
        lyr = ds.ExecuteSQL("SELECT fid FROM sites WHERE site_id = 'S-NEAR'")
        fid = lyr.GetNextFeature().GetFID()
        ds.ReleaseResultSet(lyr)
        ds.ExecuteSQL("UPDATE sites SET site_id = CAST(X'532D4EC9' || 'AR' AS TEXT) "
                      "WHERE site_id = 'S-NEAR'")
        ds.ExecuteSQL("UPDATE sites SET zoning = 'comm' || char(1) || 'ercial' "
                      "WHERE site_id = 'S-MULTI'")
        ds = None
        s = scenario()
        for k in ("sites", "substations"):
            s[k]["dataset"] = "latin1.gpkg"
        s["overlays"][0]["dataset"] = "latin1.gpkg"
        r = run_scenario("latin1", s)
        self.assertRuns(r)
        w = [ln for ln in warnings(r) if "UTF-8" in ln]
        self.assertEqual(len(w), 1, r.stderr)  # one warning for the layer
        self.assertIn("sites: layer 'sites' of '%s': 2 text values were not valid UTF-8 "
                      "or held control characters, the first at feature %d"
                      % (path("latin1.gpkg"), fid), w[0])
        out = path("out-latin1", NAME)
        with open(out + ".json", "rb") as fp:
            summary = json.loads(fp.read().decode("utf-8"))  # strict: fails on bad bytes
        self.assertIn("S-N\ufffdAR", json.dumps(summary, ensure_ascii=False))
        with zipfile.ZipFile(out + ".xlsx") as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    ET.fromstring(z.read(name))  # raises on a byte XML forbids
            shared = z.read("xl/sharedStrings.xml").decode("utf-8")
        self.assertIn("S-N\ufffdAR", shared)
        self.assertIn("comm\ufffdercial", shared)
        self.assertNotIn("\x01", shared)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
