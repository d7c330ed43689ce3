#!/usr/bin/python3
"""End-to-end tests of the dcsite command line.

Run with Debian's interpreter (it has python3-gdal, python3-openpyxl and
python3-pyproj):

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_e2e.py

Every fixture (a GeoPackage with sites, substations and flood zones near
Dallas, and scenario files) is generated into a fresh temporary directory
that is removed at the end.  Output is TAP: "ok N - name" or "not ok N -
name" followed by "# " diagnostic lines, then the plan "1..N"; the exit
status is 0 only when every test passed (a skipped test counts as passed).

Where the reference values come from
------------------------------------
* Geometry is designed in UTM zone 14N (EPSG:32614), the working CRS dcsite
  picks for sites near Dallas, so nearest points and overlay shares are
  known exactly by construction (see SITES, SUBSTATIONS, FLOOD below).
* Geodesic reference values (areas, distances) come from pyproj.Geod on the
  WGS 84 ellipsoid, with UTM -> lon/lat done by pyproj.Transformer, i.e.
  independently of dcsite's own code path (OGR transformations + PROJ's C
  geodesic routines).
* Scores are recomputed here from the metrics dcsite reports and the linear
  value functions and weights written in the scenario.
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

from osgeo import gdal, ogr, osr
import openpyxl
import pyproj

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


DCSITE = tapkit.dcsite_path()

# --------------------------------------------------------------------------
# Fixture design (all coordinates in EPSG:32614, metres)
# --------------------------------------------------------------------------

UTM_EPSG = 32614
SCENARIO_NAME = "e2e_dallas"

# Facility: peak demand = it_load_mw * design_pue = 100 * 1.3 = 130 MW.
IT_LOAD_MW = 100.0
DESIGN_PUE = 1.3
PEAK_MW = IT_LOAD_MW * DESIGN_PUE
LAND_HA = 20.0
MIN_KV = 230.0

# site id -> (list of parts (xmin, ymin, xmax, ymax), zoning, land_cost).
# Written to the layer in this order (TIE-B before TIE-A on purpose).
SITES = [
    ("S-NEAR", [(700000, 3630000, 700500, 3630500)], "industrial", 10.0),
    ("S-FLOOD50", [(710000, 3630000, 710500, 3630500)], "industrial", 20.0),
    ("S-FLOOD60", [(720000, 3630000, 720500, 3630500)], "industrial", 15.0),
    # mirror images of each other about substation SUB-T (705000, 3640250)
    ("TIE-B", [(705750, 3640000, 706250, 3640500)], "industrial", 25.0),
    ("TIE-A", [(703750, 3640000, 704250, 3640500)], "industrial", 25.0),
    # two 300 m x 500 m parts: a MultiPolygon of 30 ha
    ("S-MULTI", [(720000, 3640000, 720300, 3640500), (720600, 3640000, 720900, 3640500)],
     "commercial", 12.0),
    # 300 m x 300 m = 9 ha < land_ha 20 AND zoned residential: fails two rules
    ("S-BAD", [(710000, 3650000, 710300, 3650300)], "residential", 8.0),
    ("S-FAR", [(700000, 3650000, 700500, 3650500)], "industrial", 5.0),
]
SITE_FIELDS = ["site_id", "zoning", "land_cost"]

# sub_id, x, y, voltage_kv, headroom_mw
SUBSTATIONS = [
    # 300 m and 600 m east of S-NEAR's east-edge midpoint, but they do not
    # qualify: 138 kV < 230 kV floor; 100 MW headroom < 130 MW peak demand.
    ("SUB-LOWV", 700800, 3630250, 138.0, 500.0),
    ("SUB-LOWH", 701100, 3630250, 345.0, 100.0),
    # qualifying substations due east of east-edge midpoints
    ("SUB-A", 702500, 3630250, 345.0, 400.0),    # S-NEAR, 2.0 km
    ("SUB-B", 712300, 3630250, 230.0, 300.0),    # S-FLOOD50, 1.8 km (kV exactly the floor)
    ("SUB-C", 722000, 3630250, 500.0, 1000.0),   # S-FLOOD60, 1.5 km
    ("SUB-T", 705000, 3640250, 345.0, 400.0),    # TIE-A / TIE-B, 0.75 km each
    ("SUB-E", 722100, 3640250, 345.0, 400.0),    # S-MULTI (east part), 1.2 km
    ("SUB-D", 712800, 3650150, 345.0, 400.0),    # S-BAD, 2.5 km
    ("SUB-F", 704500, 3650250, 345.0, 400.0),    # S-FAR, 4.0 km
]
QUALIFYING = {s[0] for s in SUBSTATIONS if s[3] >= MIN_KV and s[4] >= PEAK_MW}

# Designed nearest qualifying substation of each site and the nearest point
# on the site (UTM): the edge midpoint facing the substation.
EXPECTED_SUB = {
    "S-NEAR": ("SUB-A", (700500, 3630250)),
    "S-FLOOD50": ("SUB-B", (710500, 3630250)),
    "S-FLOOD60": ("SUB-C", (720500, 3630250)),
    "TIE-B": ("SUB-T", (705750, 3640250)),  # west-edge midpoint
    "TIE-A": ("SUB-T", (704250, 3640250)),
    "S-MULTI": ("SUB-E", (720900, 3640250)),
    "S-BAD": ("SUB-D", (710300, 3650150)),
    "S-FAR": ("SUB-F", (700500, 3650250)),
}

# Flood polygons (UTM boxes; stored in EPSG:4326 with edges densified every
# 10 m).  They stick out of their site by 100 m on three sides so only the
# cut line inside the site matters.
FLOOD = [
    # west half of S-FLOOD50 (x 710000..710250 of 710000..710500): 50 %
    (709900, 3629900, 710250, 3630600),
    # S-FLOOD60: x 720000..720200 (40 %) and x 720100..720300 (40 %),
    # overlapping on 720100..720200; union x 720000..720300 = 60 % (a sum
    # would give 80 %)
    (719900, 3629900, 720200, 3630600),
    (720100, 3629900, 720300, 3630600),
]
EXPECTED_FLOOD_PCT = {"S-FLOOD50": 50.0, "S-FLOOD60": 60.0}

CONSTRAINTS = [
    {"name": "zoning_ok", "metric": "zoning", "not_in": ["residential"]},
    {"name": "flood_max", "metric": "flood_pct", "max": 55},
    {"name": "grid_reach", "metric": "substation_km", "max": 3.5},
]
# facility_land (area_ha >= land_ha) is added by dcsite itself, first.
RULES = ["facility_land", "zoning_ok", "flood_max", "grid_reach"]

CRITERIA = [
    {"name": "grid", "metric": "substation_km", "weight": 3,
     "value": {"type": "linear", "worst": 5, "best": 1}},
    {"name": "cost", "metric": "land_cost", "weight": 2,
     "value": {"type": "linear", "worst": 30, "best": 5}},
    {"name": "dry", "metric": "flood_pct", "weight": 1,
     "value": {"type": "linear", "worst": 100, "best": 0}},
    {"name": "land", "metric": "area_ha", "weight": 0.5,
     "value": {"type": "linear", "worst": 0, "best": 24}},
]
TOP_N = 4

# By design (metrics above): S-FLOOD60 fails flood_max (60 > 55), S-BAD
# fails facility_land (9 ha < 20) and zoning_ok (residential), S-FAR fails
# grid_reach (4 km > 3.5).
EXPECTED_FAILS = {
    "S-FLOOD60": {"flood_max"},
    "S-BAD": {"facility_land", "zoning_ok"},
    "S-FAR": {"grid_reach"},
}
# By design, with weights 3:2:1:0.5 (sum 6.5) the scores are about
# S-MULTI 0.891, S-NEAR 0.823, TIE-A = TIE-B 0.754, S-FLOOD50 0.646.
# The tie sites are within 0.75 km of SUB-T (value clamped to 1, best is
# 1 km), unflooded (value exactly 1), over 24 ha (clamped to 1) and have the
# same land cost, so their scores are bit-identical although their geodesic
# metrics differ in the 6th digit (UTM is not symmetric off its meridian).
EXPECTED_ORDER = ["S-MULTI", "S-NEAR", "TIE-A", "TIE-B", "S-FLOOD50"]

TO_LONLAT = pyproj.Transformer.from_crs(UTM_EPSG, 4326, always_xy=True)
GEOD = pyproj.Geod(ellps="WGS84")


def densify(ring, step=10.0):
    """Points every `step` metres along a closed ring (list of (x, y))."""
    out = []
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:]):
        n = max(1, int(math.ceil(math.hypot(x1 - x0, y1 - y0) / step)))
        for k in range(n):
            out.append((x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n))
    out.append(ring[-1])
    return out


def box_ring(b):
    xmin, ymin, xmax, ymax = b
    return [(xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax), (xmin, ymin)]


def geodesic_area_m2(parts):
    """Reference area: each UTM box densified every 10 m, to lon/lat with
    pyproj, area on the WGS 84 ellipsoid with Geod.polygon_area_perimeter
    (the engine of Geod.geometry_area_perimeter, which needs shapely, not
    installed here)."""
    total = 0.0
    for b in parts:
        pts = densify(box_ring(b))
        lon, lat = TO_LONLAT.transform([p[0] for p in pts], [p[1] for p in pts])
        area, _ = GEOD.polygon_area_perimeter(lon, lat)
        total += abs(area)
    return total


def nearest_on_boxes(parts, x, y):
    """Planar nearest point of (x, y) on a union of axis-aligned boxes."""
    best = None
    for xmin, ymin, xmax, ymax in parts:
        px, py = min(max(x, xmin), xmax), min(max(y, ymin), ymax)
        d = math.hypot(px - x, py - y)
        if best is None or d < best[0]:
            best = (d, (px, py))
    return best


def linear_value(fn, x):
    """The scenario's linear value function: 0 at worst, 1 at best, clamped."""
    if x is None:
        return None
    v = (x - fn["worst"]) / (fn["best"] - fn["worst"])
    return min(1.0, max(0.0, v))


def normalised_weights(criteria):
    total = sum(c["weight"] for c in criteria)
    return {c["name"]: c["weight"] / total for c in criteria}


def rule_names(reasons):
    """Rule names in a reasons string "rule: why; rule: why"."""
    if not reasons:
        return set()
    return {part.split(":", 1)[0].strip() for part in reasons.split("; ")}


# --------------------------------------------------------------------------
# Fixture construction
# --------------------------------------------------------------------------

def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def polygon_from(points):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in points:
        ring.AddPoint_2D(float(x), float(y))
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    return poly


def build_gpkg(path):
    """sites (EPSG:32614), substations and flood (EPSG:4326, lon/lat order)."""
    utm, ll = srs(UTM_EPSG), srs(4326)
    to_ll = osr.CoordinateTransformation(utm, ll)
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(path)

    # Geometry type "Geometry": polygons and one multipolygon side by side.
    lyr = ds.CreateLayer("sites", utm, ogr.wkbUnknown)
    lyr.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("zoning", ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("land_cost", ogr.OFTReal))
    for sid, parts, zoning, cost in SITES:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("site_id", sid)
        f.SetField("zoning", zoning)
        f.SetField("land_cost", cost)
        if len(parts) == 1:
            g = polygon_from(box_ring(parts[0]))
        else:
            g = ogr.Geometry(ogr.wkbMultiPolygon)
            for b in parts:
                g.AddGeometry(polygon_from(box_ring(b)))
        f.SetGeometry(g)
        lyr.CreateFeature(f)

    lyr = ds.CreateLayer("substations", ll, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("sub_id", ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("voltage_kv", ogr.OFTReal))
    lyr.CreateField(ogr.FieldDefn("headroom_mw", ogr.OFTReal))
    sub_lonlat = {}
    for sid, x, y, kv, head in SUBSTATIONS:
        lon, lat, _ = to_ll.TransformPoint(float(x), float(y))
        sub_lonlat[sid] = (lon, lat)
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("sub_id", sid)
        f.SetField("voltage_kv", kv)
        f.SetField("headroom_mw", head)
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(lon, lat)
        f.SetGeometry(p)
        lyr.CreateFeature(f)

    lyr = ds.CreateLayer("flood", ll, ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("zone", ogr.OFTString))
    for b in FLOOD:
        pts = [to_ll.TransformPoint(float(x), float(y))[:2] for x, y in densify(box_ring(b))]
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("zone", "AE")
        f.SetGeometry(polygon_from(pts))
        lyr.CreateFeature(f)
    ds = None
    return sub_lonlat


def scenario(dataset="fixture.gpkg", **changes):
    """The good scenario as a dict (a fresh copy every call)."""
    s = {
        "name": SCENARIO_NAME,
        "description": "end-to-end fixture near Dallas",
        "facility": {"it_load_mw": IT_LOAD_MW, "design_pue": DESIGN_PUE, "land_ha": LAND_HA},
        "sites": {"dataset": dataset, "layer": "sites", "id_field": "site_id",
                  "attributes": {"zoning": "zoning", "land_cost": "land_cost"}},
        "substations": {"dataset": dataset, "layer": "substations", "id_field": "sub_id",
                        "voltage_field": "voltage_kv", "headroom_field": "headroom_mw",
                        "min_voltage_kv": MIN_KV},
        "overlays": [{"name": "flood", "dataset": dataset, "layer": "flood"}],
        "constraints": json.loads(json.dumps(CONSTRAINTS)),
        "criteria": json.loads(json.dumps(CRITERIA)),
        "outputs": {"top_n": TOP_N},
    }
    s.update(changes)
    return s


class Fixture:
    """Module-wide fixture: directory, GeoPackage, good scenario and one
    reference run of `dcsite run` whose reports the read-only tests share."""
    tmp = None


def write_scenario(name, data):
    path = os.path.join(Fixture.tmp, name)
    with open(path, "w") as fp:
        if isinstance(data, str):
            fp.write(data)
        else:
            json.dump(data, fp, indent=2)
    return path


def dcsite(*args, timeout=120, as_nobody=False):
    """Run dcsite in the fixture directory; as_nobody runs it as the
    unprivileged user 65534 (setpriv, util-linux), for permission tests
    that root would pass through."""
    prefix = []
    if as_nobody:
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run([*prefix, DCSITE, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=Fixture.tmp)


def make_world_readable(top):
    """a+rX on top and everything below it (for a run as user 65534)."""
    for root, dirs, files in os.walk(top):
        os.chmod(root, os.stat(root).st_mode | 0o755)
        for f in files:
            fp = os.path.join(root, f)
            os.chmod(fp, os.stat(fp).st_mode | 0o644)


def report_files(outdir):
    return sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []


# A run's reports: workbook, GeoPackage, JSON summary, and the map as PNG
# (with its world file and CRS) and PDF (report.c's jobs).
REPORT_EXTS = ("gpkg", "json", "xlsx", "_map.pdf", "_map.pgw", "_map.png", "_map.png.aux.xml",
               "_map.prj")


def report_names(name):
    return sorted(name + ("" if e.startswith("_") else ".") + e for e in REPORT_EXTS)


def setUpModule():
    Fixture.tmp = tempfile.mkdtemp(prefix="dcsite-e2e-")
    unittest.addModuleCleanup(remove_tmp)  # runs even if the set-up fails
    Fixture.gpkg = os.path.join(Fixture.tmp, "fixture.gpkg")
    Fixture.sub_lonlat = build_gpkg(Fixture.gpkg)
    Fixture.scenario = write_scenario("scenario.json", scenario())
    Fixture.outdir = os.path.join(Fixture.tmp, "out")
    Fixture.run = dcsite("run", Fixture.scenario, "-o", Fixture.outdir)


def remove_tmp():
    if Fixture.tmp:
        for root, dirs, _ in os.walk(Fixture.tmp):  # undo chmod 0500 if a test left it
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o700)
        shutil.rmtree(Fixture.tmp, ignore_errors=True)


def read_gpkg(path):
    """{site_id: {field: value, ..., '_geom': ogr geometry clone}}"""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("candidates")
    assert lyr is not None, "layer 'candidates' missing in %s" % path
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    out = {}
    for f in lyr:
        row = {n: (None if f.IsFieldNull(n) else f.GetField(n)) for n in names}
        g = f.GetGeometryRef()
        row["_geom"] = g.Clone() if g else None
        assert row["site_id"] not in out, "duplicate site_id %s" % row["site_id"]
        out[row["site_id"]] = row
    crs = lyr.GetSpatialRef()
    epsg = crs.GetAuthorityCode(None) if crs else None
    ds = None
    return out, names, epsg


class RunTestBase(unittest.TestCase):
    """Tests on the shared reference run."""

    def setUp(self):
        r = Fixture.run
        self.assertEqual(r.returncode, 0,
                         "reference run failed: rc=%s\nstdout:\n%s\nstderr:\n%s"
                         % (r.returncode, r.stdout, r.stderr))

    def out(self, ext):
        return os.path.join(Fixture.outdir, "%s.%s" % (SCENARIO_NAME, ext))

    def gpkg(self):
        rows, _, _ = read_gpkg(self.out("gpkg"))
        return rows

    def summary(self):
        with open(self.out("json")) as fp:
            return json.load(fp)


# --------------------------------------------------------------------------
# 1-5: one run, its three reports
# --------------------------------------------------------------------------

class T1RunOutputs(RunTestBase):

    def test_run_writes_xlsx_gpkg_json_and_no_temporaries(self):
        # Reference: output.h - reports are OUTDIR/<name>.<ext>; temporary
        # files are OUTDIR/.<name>.part-<pid>.<ext> and must all be gone.
        files = report_files(Fixture.outdir)
        want = report_names(SCENARIO_NAME)
        self.assertEqual(files, want, "the output directory must hold exactly the reports")
        for name in want:
            self.assertGreater(os.path.getsize(os.path.join(Fixture.outdir, name)), 0, name)
        # stdout lists the reports (not the map's sidecars) and the counts of the design
        out = Fixture.run.stdout
        for name in want:
            if not name.endswith((".pgw", ".prj", ".aux.xml")):
                self.assertIn(os.path.join(Fixture.outdir, name), out)
        self.assertIn("(8 candidates, 5 eligible, 3 excluded)", out)

    def test_quiet_run_prints_nothing_on_stderr(self):
        # --quiet: no progress on stderr (options.c); the fixture is clean,
        # so there are no warnings either.  Same reports as without it.
        outdir = os.path.join(Fixture.tmp, "out-quiet")
        r = dcsite("run", "--quiet", Fixture.scenario, "--output", outdir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertEqual(report_files(outdir), report_names(SCENARIO_NAME))
        # ... while a normal run reports progress on stderr (not a tty: one line a phase)
        self.assertIn("dcsite: writing reports", Fixture.run.stderr)


class T2GeoPackage(RunTestBase):

    def test_one_feature_per_site_with_its_geometry(self):
        rows, names, epsg = read_gpkg(self.out("gpkg"))
        self.assertEqual(sorted(rows), sorted(s[0] for s in SITES))
        # Layer in the working CRS: the UTM zone of the sites (geo.h).
        self.assertEqual(epsg, str(UTM_EPSG))
        for f in ("site_id", "status", "rank", "score", "reasons", "area_ha", "substation_km",
                  "substation_kv", "substation_headroom_mw", "substation_id", "flood_pct",
                  "zoning", "land_cost", "lon", "lat"):
            self.assertIn(f, names)
        for sid, parts, zoning, cost in SITES:
            row = rows[sid]
            g = row["_geom"]
            # Geometry goes out as it came in (UTM -> UTM is the identity):
            # planar area equals the designed boxes' area, 1e-6 relative.
            want = sum((b[2] - b[0]) * (b[3] - b[1]) for b in parts)
            self.assertAlmostEqual(g.GetArea() / want, 1.0, delta=1e-6, msg=sid)
            self.assertEqual(g.GetGeometryCount(), len(parts), sid)
            # attributes are carried through unchanged
            self.assertEqual(row["zoning"], zoning)
            self.assertEqual(row["land_cost"], cost)
            # lon/lat is a point on the site (GEOS PointOnSurface): mapped back
            # to UTM with pyproj it must lie inside one of the boxes (1 mm).
            x, y = pyproj.Transformer.from_crs(4326, UTM_EPSG, always_xy=True).transform(
                row["lon"], row["lat"])
            self.assertTrue(any(b[0] - 1e-3 <= x <= b[2] + 1e-3 and b[1] - 1e-3 <= y <= b[3] + 1e-3
                                for b in parts), "%s: (%f, %f) not on the site" % (sid, x, y))

    def test_area_ha_is_geodesic_area(self):
        # Reference: pyproj Geod (WGS 84) area of each site densified every
        # 10 m; tolerance 1e-4 relative (dcsite measures the undensified
        # ring with geodesic edges; the difference is ~1e-7 for 500 m edges).
        rows = self.gpkg()
        for sid, parts, _, _ in SITES:
            want = geodesic_area_m2(parts) / 1e4
            got = rows[sid]["area_ha"]
            self.assertIsNotNone(got, sid)
            self.assertAlmostEqual(got / want, 1.0, delta=1e-4,
                                   msg="%s: area_ha %r, reference %r" % (sid, got, want))
        # sanity of the design: UTM scale ~1.00014 here, so a 25 ha box is ~24.99 ha
        self.assertAlmostEqual(rows["S-NEAR"]["area_ha"], 25.0, delta=0.05)
        self.assertAlmostEqual(rows["S-BAD"]["area_ha"], 9.0, delta=0.02)
        self.assertAlmostEqual(rows["S-MULTI"]["area_ha"], 30.0, delta=0.05)

    def test_nearest_qualifying_substation_and_distance(self):
        rows = self.gpkg()
        subs = {s[0]: s for s in SUBSTATIONS}
        for sid, parts, _, _ in SITES:
            sub_id, (nx, ny) = EXPECTED_SUB[sid]
            # self-check of the design: among qualifying substations the
            # designed one is the planar-nearest, at the designed point.
            cands = sorted((nearest_on_boxes(parts, s[1], s[2]), s[0])
                           for s in SUBSTATIONS if s[0] in QUALIFYING)
            self.assertEqual(cands[0][1], sub_id, "fixture design")
            self.assertEqual(cands[0][0][1], (nx, ny), "fixture design")
            row = rows[sid]
            self.assertEqual(row["substation_id"], sub_id, sid)
            self.assertEqual(row["substation_kv"], subs[sub_id][3], sid)
            self.assertEqual(row["substation_headroom_mw"], subs[sub_id][4], sid)
            # Reference: Geod.inv between the site's nearest point (UTM ->
            # lon/lat with pyproj) and the substation as stored; 1 m.
            lon1, lat1 = TO_LONLAT.transform(nx, ny)
            lon2, lat2 = Fixture.sub_lonlat[sub_id]
            _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
            self.assertAlmostEqual(row["substation_km"] * 1000.0, dist, delta=1.0,
                                   msg="%s: substation_km %r, reference %r m"
                                   % (sid, row["substation_km"], dist))
        # The non-qualifying SUB-LOWV (138 kV) and SUB-LOWH (100 MW headroom)
        # are 0.3 and 0.6 km from S-NEAR but are skipped.
        self.assertNotIn(rows["S-NEAR"]["substation_id"], ("SUB-LOWV", "SUB-LOWH"))
        self.assertGreater(rows["S-NEAR"]["substation_km"], 1.9)

    def test_flood_pct_counts_overlaps_once(self):
        # Reference: designed shares (FLOOD above): S-FLOOD50 50 %, S-FLOOD60
        # 60 % (two overlapping polygons; 80 % if the overlap counted twice);
        # every other site 0.  Tolerance 0.1 percentage points: the flood
        # edges are densified every 10 m so their lon/lat round trip stays
        # on the straight UTM line to well under a millimetre.
        rows = self.gpkg()
        for sid, _, _, _ in SITES:
            want = EXPECTED_FLOOD_PCT.get(sid, 0.0)
            got = rows[sid]["flood_pct"]
            if want == 0.0:
                self.assertEqual(got, 0.0, sid)
            else:
                self.assertAlmostEqual(got, want, delta=0.1, msg=sid)

    def test_status_rank_score_reasons_consistent(self):
        rows = self.gpkg()
        sc = scenario()
        limits = {c["name"]: c for c in sc["constraints"]}
        for sid, row in rows.items():
            # Rules recomputed from the reported metrics (scenario.c semantics:
            # min: >=, max: <=, not_in: not a member; facility_land: area_ha
            # >= facility.land_ha).
            fails = set()
            if row["area_ha"] < LAND_HA:
                fails.add("facility_land")
            if row["zoning"] in limits["zoning_ok"]["not_in"]:
                fails.add("zoning_ok")
            if row["flood_pct"] > limits["flood_max"]["max"]:
                fails.add("flood_max")
            if row["substation_km"] > limits["grid_reach"]["max"]:
                fails.add("grid_reach")
            self.assertEqual(fails, EXPECTED_FAILS.get(sid, set()), "%s: design" % sid)
            if fails:
                self.assertEqual(row["status"], "excluded", sid)
                self.assertIsNone(row["rank"], "%s: excluded sites have a null rank" % sid)
                self.assertIsNone(row["score"], sid)
                # reasons name every failed rule, in rule order
                self.assertEqual(rule_names(row["reasons"]), fails,
                                 "%s: reasons %r" % (sid, row["reasons"]))
                order = [p.split(":", 1)[0] for p in row["reasons"].split("; ")]
                self.assertEqual(order, [r for r in RULES if r in fails])
                for c in sc["criteria"]:
                    self.assertIsNone(row[c["name"] + "_contrib"], sid)
            else:
                self.assertEqual(row["status"], "eligible", sid)
                self.assertIsNone(row["reasons"], sid)
                self.assertIsNotNone(row["rank"], sid)
                self.assertIsNotNone(row["score"], sid)
        bad = rows["S-BAD"]["reasons"]
        self.assertIn("facility_land", bad)
        self.assertIn("zoning_ok", bad)


class T3Scores(RunTestBase):

    def test_score_is_weighted_sum_of_linear_values(self):
        # Reference: score = sum_i w_i * v_i with v_i the scenario's linear
        # value function of the reported metric and w_i its weight divided by
        # the sum of weights; tolerance 1e-9.
        rows = self.gpkg()
        crits = scenario()["criteria"]
        w = normalised_weights(crits)
        for sid, row in rows.items():
            total = 0.0
            for c in crits:
                v = linear_value(c["value"], row[c["metric"]])
                self.assertAlmostEqual(row[c["name"] + "_value"], v, delta=1e-12,
                                       msg="%s %s_value" % (sid, c["name"]))
                if row["status"] == "eligible":
                    self.assertAlmostEqual(row[c["name"] + "_contrib"], w[c["name"]] * v,
                                           delta=1e-12, msg="%s %s_contrib" % (sid, c["name"]))
                total += w[c["name"]] * v
            if row["status"] == "eligible":
                self.assertAlmostEqual(row["score"], total, delta=1e-9, msg=sid)

    def test_ranks_by_score_then_site_id(self):
        rows = self.gpkg()
        elig = [r for r in rows.values() if r["status"] == "eligible"]
        self.assertEqual(sorted(r["rank"] for r in elig), list(range(1, len(elig) + 1)))
        # Reference: order by score descending, then site_id ascending.
        want = [r["site_id"] for r in sorted(elig, key=lambda r: (-r["score"], r["site_id"]))]
        got = [r["site_id"] for r in sorted(elig, key=lambda r: r["rank"])]
        self.assertEqual(got, want)
        # ... and the designed order (see EXPECTED_ORDER)
        self.assertEqual(got, EXPECTED_ORDER)

    def test_tie_ranked_by_site_id(self):
        rows = self.gpkg()
        a, b = rows["TIE-A"], rows["TIE-B"]
        # mirror images: metrics equal to 1e-4 relative (UTM asymmetry only),
        # score bit-identical (every criterion value is clamped or equal)
        self.assertAlmostEqual(a["area_ha"] / b["area_ha"], 1.0, delta=1e-4)
        self.assertAlmostEqual(a["substation_km"] / b["substation_km"], 1.0, delta=1e-4)
        self.assertEqual(a["substation_id"], b["substation_id"])
        self.assertEqual(a["score"], b["score"], "the tie sites must score exactly alike")
        # TIE-B is written first to the layer, TIE-A still ranks first
        self.assertEqual(a["rank"] + 1, b["rank"], "TIE-A immediately before TIE-B")


class T4JsonSummary(RunTestBase):

    def test_counts_match_geopackage(self):
        js = self.summary()
        rows = self.gpkg()
        elig = [r for r in rows.values() if r["status"] == "eligible"]
        counts = js["counts"]
        self.assertEqual(counts["candidates"], len(rows))
        self.assertEqual(counts["eligible"], len(elig))
        self.assertEqual(counts["excluded"], len(rows) - len(elig))
        # per rule: the excluded sites whose reasons name it (GeoPackage)
        by_rule = {r: sum(r in rule_names(row["reasons"]) for row in rows.values()) for r in RULES}
        self.assertEqual(counts["excluded_by_rule"], by_rule)
        self.assertEqual(by_rule, {"facility_land": 1, "zoning_ok": 1, "flood_max": 1,
                                   "grid_reach": 1})  # the design
        self.assertEqual(js["scenario"]["name"], SCENARIO_NAME)
        self.assertEqual(js["facility"]["peak_demand_mw"], PEAK_MW)
        self.assertEqual(js["substations"]["read"], len(SUBSTATIONS))
        self.assertEqual(js["substations"]["qualifying"], len(QUALIFYING))
        self.assertTrue(js["run"]["working_crs"].startswith("EPSG:%d" % UTM_EPSG),
                        js["run"]["working_crs"])
        self.assertEqual(js["warnings"], [])
        self.assertEqual({k: os.path.basename(v) for k, v in js["outputs"].items()},
                         {key: SCENARIO_NAME + e
                          for key, e in (("gis", ".gpkg"), ("xlsx", ".xlsx"), ("json", ".json"),
                                         ("map_png", "_map.png"), ("map_pdf", "_map.pdf"))})
        w = normalised_weights(scenario()["criteria"])
        self.assertEqual({c["name"]: c["weight"] for c in js["criteria"]}, w)

    def test_top_sites_in_rank_order_with_same_scores(self):
        js = self.summary()
        rows = self.gpkg()
        ranked = sorted((r for r in rows.values() if r["rank"]), key=lambda r: r["rank"])
        top = js["top_sites"]
        self.assertEqual(len(top), min(TOP_N, len(ranked)), "outputs.top_n limits top_sites")
        for i, t in enumerate(top):
            g = ranked[i]
            self.assertEqual(t["rank"], i + 1)
            self.assertEqual(t["site_id"], g["site_id"])
            self.assertAlmostEqual(t["score"], g["score"], delta=1e-12)
            for k, v in t["metrics"].items():
                if isinstance(v, str) or v is None:
                    self.assertEqual(v, g[k], "%s %s" % (t["site_id"], k))
                else:
                    self.assertAlmostEqual(v, g[k], delta=1e-12, msg="%s %s" % (t["site_id"], k))
            contrib = sum(c["contribution"] for c in t["criteria"].values())
            self.assertAlmostEqual(contrib, t["score"], delta=1e-12)


class T5Workbook(RunTestBase):

    def test_sheets_ranking_and_excluded_match_geopackage(self):
        wb = openpyxl.load_workbook(self.out("xlsx"), read_only=True)
        self.assertEqual(wb.sheetnames,
                         ["Summary", "Details", "Ranking", "Excluded", "Assumptions", "Fields"])
        rows = self.gpkg()

        # the Ranking's headers are the fields' titles (with units); the
        # Fields sheet maps them back to the GIS field names
        fields = list(wb["Fields"].iter_rows(values_only=True))
        name_col, title_col = fields[0].index("name"), fields[0].index("title")
        names = {r[title_col]: r[name_col] for r in fields[1:] if r and r[name_col]}
        ranking = list(wb["Ranking"].iter_rows(values_only=True))
        self.assertEqual([names.get(h, h) for h in ranking[0][:3]], ["rank", "site_id", "score"])
        body = [r for r in ranking[1:] if any(v is not None for v in r)]
        ranked = sorted((r for r in rows.values() if r["rank"]), key=lambda r: r["rank"])
        self.assertEqual([r[1] for r in body], [g["site_id"] for g in ranked])
        for r, g in zip(body, ranked):
            self.assertEqual(int(r[0]), g["rank"])
            self.assertAlmostEqual(r[2], g["score"], delta=1e-12, msg=g["site_id"])

        excl = list(wb["Excluded"].iter_rows(values_only=True))
        self.assertEqual(list(excl[0][:3]), ["site_id", "rules_failed", "reasons"])
        got = {r[0]: (r[1], r[2]) for r in excl[1:] if r[0] is not None}
        want = {sid: (len(rule_names(g["reasons"])), g["reasons"])
                for sid, g in rows.items() if g["status"] == "excluded"}
        self.assertEqual(got, want)
        self.assertEqual(set(got), set(EXPECTED_FAILS))

        # the run's figures: on the Details sheet (the Summary is the one-page brief)
        summary = {r[0]: r[1] for r in wb["Details"].iter_rows(values_only=True) if r[0]}
        self.assertEqual(summary["Scenario"], SCENARIO_NAME)
        self.assertEqual(summary["Candidates"], 8)
        self.assertEqual(summary["Eligible"], 5)
        self.assertEqual(summary["Excluded"], 3)
        for rule in RULES:
            self.assertEqual(summary[rule], 1, rule)
        wb.close()


# --------------------------------------------------------------------------
# 6: exit codes and messages
# --------------------------------------------------------------------------

class T6ExitCodes(unittest.TestCase):
    # Exit codes from options.h: 0 ok, 2 usage, 3 bad scenario, 4 bad
    # input data, 5 output failure.

    def assertFails(self, r, code, *needles):
        msg = "rc=%s\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout, r.stderr)
        self.assertEqual(r.returncode, code, msg)
        for n in needles:
            self.assertIn(n, r.stderr, msg)

    def test_help(self):
        r = dcsite("--help")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr, "")
        for opt in ("--output", "--quiet", "--help", "--version", "run", "check"):
            self.assertIn(opt, r.stdout)

    def test_version_lists_libraries(self):
        r = dcsite("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = {ln.split()[0]: ln.split(None, 1)[1] for ln in r.stdout.splitlines()[1:]}
        self.assertTrue(r.stdout.startswith("dcsite "))
        for lib in ("GDAL", "PROJ", "GEOS", "libxlsxwriter", "cJSON"):
            self.assertIn(lib, lines)
        # Reference: the same shared libraries as loaded by python3-gdal.
        self.assertEqual(lines["GDAL"], gdal.VersionInfo("RELEASE_NAME"))
        self.assertIn("%d.%d.%d" % (osr.GetPROJVersionMajor(), osr.GetPROJVersionMinor(),
                                     osr.GetPROJVersionMicro()), lines["PROJ"])

    def test_usage_errors_exit_2(self):
        for args, needle in ((), "no command given"),\
                            (("--frobnicate",), "unknown option '--frobnicate'"),\
                            (("fly", "s.json"), "unknown command 'fly'"),\
                            (("run",), "a scenario file is required"),\
                            (("run", "a.json", "b.json"), "unexpected argument 'b.json'"),\
                            (("run", "a.json", "-o"), "option '-o' needs an argument"):
            r = dcsite(*args)
            self.assertFails(r, 2, needle, "Usage:")
            self.assertEqual(r.stdout, "", args)

    def test_run_only_option_rejected_for_check_in_any_position(self):
        # options.c: --output applies to "run" only and "options may come
        # before or after operands"; so `check` must refuse it wherever it is.
        for args in (("check", Fixture.scenario, "-o", "x"),
                     ("-o", "x", "check", Fixture.scenario),
                     ("--quiet", "check", Fixture.scenario)):
            with self.subTest(args=" ".join(args)):
                r = dcsite(*args)
                self.assertFails(r, 2, "does not apply to this command")

    def test_wrong_type_exit_3(self):
        s = scenario()
        s["criteria"][0]["weight"] = "high"
        path = write_scenario("wrong_type.json", s)
        outdir = os.path.join(Fixture.tmp, "out-wrong-type")
        r = dcsite("run", path, "-o", outdir)
        self.assertFails(r, 3, 'criteria[0].weight: expected a number, got "high"')
        self.assertFalse(os.path.exists(outdir), "no output on a bad scenario")

    def test_unknown_key_exit_3(self):
        s = scenario()
        s["substations"]["min_voltage"] = s["substations"].pop("min_voltage_kv")
        path = write_scenario("unknown_key.json", s)
        r = dcsite("run", path, "-o", os.path.join(Fixture.tmp, "out-unknown-key"))
        self.assertFails(r, 3, "substations.min_voltage: unknown key (expected one of: ",
                         "min_voltage_kv")

    def test_json_syntax_error_exit_3(self):
        # Drop the comma after the first member: the parser stops at the
        # opening quote of the next key, which we locate in the text.
        lines = json.dumps(scenario(), indent=2).split("\n")
        self.assertTrue(lines[1].startswith('  "name"') and lines[1].endswith(","))
        lines[1] = lines[1][:-1]
        path = write_scenario("syntax.json", "\n".join(lines) + "\n")
        line, col = 3, lines[2].index('"') + 1
        r = dcsite("run", path, "-o", os.path.join(Fixture.tmp, "out-syntax"))
        self.assertFails(r, 3, "%s:%d:%d: JSON syntax error" % (path, line, col))

    def test_missing_dataset_exit_4(self):
        s = scenario()
        s["sites"]["dataset"] = "no_such_sites.gpkg"
        path = write_scenario("missing_ds.json", s)
        r = dcsite("run", path, "-o", os.path.join(Fixture.tmp, "out-missing-ds"))
        # relative dataset paths resolve against the scenario's directory
        self.assertFails(r, 4, os.path.join(Fixture.tmp, "no_such_sites.gpkg"), "sites")

    def test_missing_field_exit_4_lists_fields(self):
        s = scenario()
        s["sites"]["attributes"]["zoning"] = "zone_code"
        path = write_scenario("missing_field.json", s)
        r = dcsite("run", path, "-o", os.path.join(Fixture.tmp, "out-missing-field"))
        # Reference: the fields the fixture's sites layer has.
        self.assertFails(r, 4, "field 'zone_code' not found",
                         "(fields: %s)" % ", ".join(SITE_FIELDS))

    def test_output_dir_not_writable_exit_5(self):
        d = os.path.join(Fixture.tmp, "readonly")
        os.mkdir(d)
        os.chmod(d, 0o500)
        try:
            # Root may write into a mode 0500 directory, so as root dcsite runs
            # as an unprivileged user, for whom the directory is read-only too.
            as_nobody = os.geteuid() == 0
            if as_nobody:
                make_world_readable(Fixture.tmp)
            r = dcsite("run", Fixture.scenario, "-o", d, as_nobody=as_nobody)
            self.assertFails(r, 5, d)
            self.assertEqual(os.listdir(d), [])
        finally:
            os.chmod(d, 0o700)

    def test_output_dir_under_regular_file_exit_5(self):
        # OUTFILE/sub can never be created, even by root.
        parent = os.path.join(Fixture.tmp, "out-file-parent")
        os.mkdir(parent)
        blocker = os.path.join(parent, "OUTFILE")
        with open(blocker, "w") as fp:
            fp.write("not a directory\n")
        outdir = os.path.join(blocker, "sub")
        r = dcsite("run", Fixture.scenario, "-o", outdir)
        self.assertFails(r, 5, outdir)
        self.assertEqual(os.listdir(parent), ["OUTFILE"], "no report files anywhere")
        self.assertNotIn("Reports:", r.stdout)


# --------------------------------------------------------------------------
# 7: check
# --------------------------------------------------------------------------

class T7Check(unittest.TestCase):

    def test_check_reports_every_problem(self):
        s = scenario()
        s["sites"]["id_field"] = "site_code"             # wrong field 1
        s["substations"]["voltage_field"] = "kv"          # wrong field 2
        s["overlays"][0]["layer"] = "floods"              # unknown layer
        path = write_scenario("check_bad.json", s)
        r = dcsite("check", path)
        msg = "rc=%s\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout, r.stderr)
        self.assertEqual(r.returncode, 4, msg)
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("dcsite: ERROR: ")]
        self.assertEqual(len(errors), 3, msg)
        self.assertIn("field 'site_code' not found", errors[0])
        self.assertIn("(fields: site_id, zoning, land_cost)", errors[0])
        self.assertIn("field 'kv' not found", errors[1])
        self.assertIn("(fields: sub_id, voltage_kv, headroom_mw)", errors[1])
        self.assertIn("layer 'floods' not found", errors[2])
        self.assertIn("(layers: sites, substations, flood)", errors[2])
        self.assertIn("3 problems found: the scenario cannot run as it is", r.stdout)
        self.assertNotIn("valid", r.stdout)  # the verdict agrees with the count
        # The good layers are described: feature counts and CRS.
        out = r.stdout
        self.assertIn("%d features" % len(SITES), out)
        self.assertIn("CRS EPSG:%d" % UTM_EPSG, out)
        self.assertIn("%d features" % len(SUBSTATIONS), out)
        self.assertIn("CRS EPSG:4326", out)

    def test_check_verdict_counts_problems_found_late(self):
        # a criterion on a metric no layer gives is found only when the
        # metric table is built, after the scenario file was read: the
        # verdict still counts it (issue 23: "valid" then "1 problem found")
        s = scenario()
        s["criteria"][0]["metric"] = "no_such_metric"
        r = dcsite("check", write_scenario("check_late.json", s))
        msg = "rc=%s\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout, r.stderr)
        self.assertEqual(r.returncode, 3, msg)
        self.assertIn("no_such_metric", r.stderr, msg)
        self.assertIn("1 problem found: the scenario cannot run as it is", r.stdout, msg)
        self.assertNotIn("is valid", r.stdout, msg)

    def test_check_good_scenario(self):
        r = dcsite("check", Fixture.scenario)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 problems found: the scenario is valid", r.stdout)
        self.assertIn("%d features" % len(FLOOD), r.stdout)
        metrics = [ln for ln in r.stdout.splitlines() if ln.startswith("Metrics available:")]
        self.assertEqual(len(metrics), 1, r.stdout)
        # model.h: built-ins, then the site attributes, then <overlay>_pct
        self.assertEqual(metrics[0].split(":", 1)[1].split(),
                         ["area_ha", "area_acres", "substation_km", "substation_kv",
                          "substation_headroom_mw", "interconnect_cost_musd", "substation_id",
                          "zoning", "land_cost", "flood_pct"])
        self.assertEqual(r.stderr, "")


# --------------------------------------------------------------------------
# 8: re-runs
# --------------------------------------------------------------------------

class T8Rerun(unittest.TestCase):

    def snapshot(self, outdir):
        return {n: open(os.path.join(outdir, n), "rb").read() for n in report_files(outdir)}

    def test_rerun_replaces_reports_and_failed_run_keeps_them(self):
        outdir = os.path.join(Fixture.tmp, "out-rerun")
        r = dcsite("run", Fixture.scenario, "-o", outdir, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        first = self.snapshot(outdir)
        self.assertEqual(sorted(first), report_names(SCENARIO_NAME))

        # new weights, same scenario name: the reports are replaced
        s = scenario()
        for c, w in zip(s["criteria"], (1, 1, 4, 2)):
            c["weight"] = w
        path = write_scenario("reweighted.json", s)
        r = dcsite("run", path, "-o", outdir, "-q")
        self.assertEqual(r.returncode, 0, r.stderr)
        second = self.snapshot(outdir)
        self.assertEqual(sorted(second), sorted(first), "same names, no temporaries")
        js = json.loads(second[SCENARIO_NAME + ".json"])
        w = normalised_weights(s["criteria"])
        self.assertEqual({c["name"]: c["weight"] for c in js["criteria"]}, w)
        self.assertEqual(js["scenario"]["file"], path)
        for t in js["top_sites"]:  # scores recomputed with the new weights
            want = sum(w[k] * v["value"] for k, v in t["criteria"].items())
            self.assertAlmostEqual(t["score"], want, delta=1e-9)
        rows, _, _ = read_gpkg(os.path.join(outdir, SCENARIO_NAME + ".gpkg"))
        for t in js["top_sites"]:
            self.assertAlmostEqual(rows[t["site_id"]]["score"], t["score"], delta=1e-12)
        self.assertNotEqual(second[SCENARIO_NAME + ".gpkg"], first[SCENARIO_NAME + ".gpkg"])
        self.assertNotEqual(second[SCENARIO_NAME + ".xlsx"], first[SCENARIO_NAME + ".xlsx"])

        # a failed run (bad field) leaves the previous reports byte-identical
        s["sites"]["id_field"] = "no_such_field"
        bad = write_scenario("rerun_bad.json", s)
        r = dcsite("run", bad, "-o", outdir)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(self.snapshot(outdir), second)


# --------------------------------------------------------------------------
# 9: signals (main.c: a signal stops the engine at the next site, exit 130;
# during report writing the temporary files are removed and the process
# ends at once, "so no half-written report is ever left")
# --------------------------------------------------------------------------

BIG_N = 20000  # enough sites for each phase to last a few tenths of a second


class T9Signals(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        path = os.path.join(Fixture.tmp, "big.gpkg")
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        lyr = ds.CreateLayer("sites", srs(UTM_EPSG), ogr.wkbPolygon)
        lyr.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
        lyr.CreateField(ogr.FieldDefn("zoning", ogr.OFTString))
        lyr.CreateField(ogr.FieldDefn("land_cost", ogr.OFTReal))
        lyr.StartTransaction()
        side = int(math.sqrt(BIG_N)) + 1
        for i in range(BIG_N):  # 100 m squares every 150 m
            x, y = 700000 + (i % side) * 150, 3630000 + (i // side) * 150
            f = ogr.Feature(lyr.GetLayerDefn())
            f.SetField("site_id", "B%06d" % i)
            f.SetField("zoning", "industrial")
            f.SetField("land_cost", 10.0)
            f.SetGeometry(polygon_from(box_ring((x, y, x + 100, y + 100))))
            lyr.CreateFeature(f)
        lyr.CommitTransaction()
        ds = None
        s = scenario()
        s["sites"]["dataset"] = "big.gpkg"
        cls.scenario = write_scenario("big.json", s)

    def start(self, outdir):
        return subprocess.Popen([DCSITE, "run", self.scenario, "-o", outdir],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=Fixture.tmp)

    def wait_for_line(self, p, text):
        """Read stderr until a line containing text; returns what was read."""
        seen = []
        for line in p.stderr:
            seen.append(line)
            if text in line:
                return seen
        self.fail("dcsite ended before printing %r:\n%s" % (text, "".join(seen)))

    def test_sigint_while_measuring_exits_130_without_reports(self):
        outdir = os.path.join(Fixture.tmp, "out-sigint")
        p = self.start(outdir)
        try:
            # SIGINT while the sites are read: the engine stops at the first site
            self.wait_for_line(p, "reading sites")
            p.send_signal(signal.SIGINT)
            _, err = p.communicate(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("interrupted", err)
        self.assertEqual(report_files(outdir), [], "no reports after an interrupted run")

    def test_sigterm_while_writing_reports_leaves_no_temporary_files(self):
        outdir = os.path.join(Fixture.tmp, "out-sigterm")
        p = self.start(outdir)
        caught = []
        try:
            self.wait_for_line(p, "writing reports")
            # Wait until the temporary GeoPackage is inside its write
            # transaction (its SQLite -journal exists; at most 0.2 s after
            # the file appeared), then stop the process.
            first = None
            while p.poll() is None:
                caught = [n for n in report_files(outdir) if ".part-" in n]
                if caught and first is None:
                    first = time.monotonic()
                if any(n.endswith("-journal") for n in caught) or \
                        (first is not None and time.monotonic() - first > 0.2):
                    break
                time.sleep(0.001)
            if caught:
                p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertTrue(caught, "could not catch dcsite while it wrote its reports")
        self.assertEqual(p.returncode, -signal.SIGTERM,
                         "the handler re-raises the signal (main.c on_signal)")
        left = [n for n in report_files(outdir) if ".part-" in n]
        self.assertEqual(left, [], "temporary files left behind (seen while running: %s)"
                         % caught)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
