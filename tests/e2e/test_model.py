#!/usr/bin/python3
"""End-to-end tests of dcsite's full site-scoring model.

Run with Debian's interpreter (it has python3-gdal, python3-openpyxl and
python3-pyproj; numpy and shapely are not used):

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_model.py

Each test class builds its own synthetic fixture (GeoPackages, a GeoTIFF, a
CSV table and scenario files) in a fresh temporary directory that is removed
at the end, runs the real binary and reads its GeoPackage and JSON reports
back.  The only file read from the repository is the sample region used by
test 10 (data/scenarios/dallas.json and the data it names).

Output is TAP: "ok N - name" or "not ok N - name" followed by "# " lines,
then the plan "1..N"; the exit status is 0 only when every test passed.
No test is skipped.

Where the reference values come from
------------------------------------
* Geometry is designed in UTM zone 14N (EPSG:32614), the working CRS dcsite
  chooses for sites near Dallas, and written to layers in other CRSs
  (EPSG:4326, EPSG:3857, EPSG:32615) by transforming the designed vertices
  with pyproj.  dcsite transforms vertices back, so in the working CRS it
  sees the designed geometry (to well under a millimetre).
* Geodesic distances and areas: pyproj.Geod (WGS 84) with UTM -> lon/lat by
  pyproj.Transformer, independently of dcsite's OGR + PROJ C code path.
* Area-weighted sums: an independent osgeo.ogr pipeline (Buffer,
  Intersection, GetArea in UTM).
* Value functions, weights, weighted product, TOPSIS and AHP: recomputed
  here in plain Python from the documented formulas (scenario.h, mcda.h).
"""

import array
import csv
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import tapkit

from osgeo import gdal, ogr, osr
import pyproj

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


DCSITE = tapkit.dcsite_path()

UTM = 32614
GEOD = pyproj.Geod(ellps="WGS84")
_TRANSFORMERS = {}


def transformer(src, dst):
    key = (src, dst)
    if key not in _TRANSFORMERS:
        _TRANSFORMERS[key] = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    return _TRANSFORMERS[key]


def utm_to(epsg, pts):
    """Designed UTM points -> (x, y) in epsg (lon/lat order for EPSG:4326)."""
    if epsg == UTM:
        return [(float(x), float(y)) for x, y in pts]
    xs, ys = transformer(UTM, epsg).transform([p[0] for p in pts], [p[1] for p in pts])
    return list(zip(xs, ys))


def lonlat(x, y):
    return transformer(UTM, 4326).transform(x, y)


def to_utm(lon, lat):
    return transformer(4326, UTM).transform(lon, lat)


def geodesic_km(p, q):
    """pyproj Geod.inv between two UTM points, in km."""
    lon1, lat1 = lonlat(*p)
    lon2, lat2 = lonlat(*q)
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def surface_area(g):
    """Planar area of the polygonal part of g (0 for points and lines)."""
    if g is None or g.IsEmpty() or g.GetDimension() < 2:
        return 0.0
    if g.GetGeometryCount() > 0 and ogr.GT_Flatten(g.GetGeometryType()) == ogr.wkbGeometryCollection:
        return sum(surface_area(g.GetGeometryRef(k)) for k in range(g.GetGeometryCount()))
    return g.GetArea()


def densify(ring, step=10.0):
    out = []
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:]):
        n = max(1, int(math.ceil(math.hypot(x1 - x0, y1 - y0) / step)))
        for k in range(n):
            out.append((x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n))
    out.append(ring[-1])
    return out


def geodesic_area_m2(ring_utm):
    """Geodesic (WGS 84) area of a UTM ring with straight UTM edges, densified
    every 10 m, by pyproj Geod.polygon_area_perimeter."""
    pts = densify(ring_utm)
    lon, lat = transformer(UTM, 4326).transform([p[0] for p in pts], [p[1] for p in pts])
    return abs(GEOD.polygon_area_perimeter(lon, lat)[0])


# ---------------------------------------------------------------------------
# fixture writers
# ---------------------------------------------------------------------------

def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def box_ring(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


def box(x0, y0, x1, y1):
    return ("polygon", [box_ring(x0, y0, x1, y1)])


def ogr_ring(pts):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in pts:
        ring.AddPoint_2D(float(x), float(y))
    return ring


def ogr_polygon(rings):
    poly = ogr.Geometry(ogr.wkbPolygon)
    for r in rings:
        poly.AddGeometry(ogr_ring(r))
    return poly


def ogr_point(x, y):
    g = ogr.Geometry(ogr.wkbPoint)
    g.AddPoint_2D(x, y)
    return g


def ogr_geom(spec, epsg=UTM):
    """("point", (x, y)), ("line", [pts]), ("polygon", [rings]) designed in
    UTM -> an OGR geometry in epsg (vertices transformed with pyproj)."""
    kind, data = spec
    if kind == "point":
        (x, y), = utm_to(epsg, [data])
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(x, y)
        return g
    if kind == "line":
        g = ogr.Geometry(ogr.wkbLineString)
        for x, y in utm_to(epsg, data):
            g.AddPoint_2D(x, y)
        return g
    if kind == "polygon":
        return ogr_polygon([utm_to(epsg, r) for r in data])
    raise ValueError(kind)


FIELD_TYPES = {"str": ogr.OFTString, "real": ogr.OFTReal, "int": ogr.OFTInteger}
GEOM_TYPES = {"point": ogr.wkbPoint, "line": ogr.wkbLineString, "polygon": ogr.wkbPolygon}


def write_gpkg(path, layers):
    """layers: [(name, epsg, geometry kind, [(field, type)], [(spec, {field: v})])]"""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    for name, epsg, kind, fields, feats in layers:
        lyr = ds.CreateLayer(name, srs(epsg), GEOM_TYPES[kind])
        for fname, ftype in fields:
            lyr.CreateField(ogr.FieldDefn(fname, FIELD_TYPES[ftype]))
        for spec, attrs in feats:
            f = ogr.Feature(lyr.GetLayerDefn())
            for k, v in attrs.items():
                if v is None:
                    f.SetFieldNull(k)
                else:
                    f.SetField(k, v)
            f.SetGeometry(ogr_geom(spec, epsg))
            lyr.CreateFeature(f)
    ds = None


def site_layer(sites, fields=(), epsg=UTM):
    """sites: [(site_id, spec, {attr: value})]"""
    return ("sites", epsg, "polygon", [("site_id", "str")] + list(fields),
            [(spec, dict(attrs, site_id=sid)) for sid, spec, attrs in sites])


def subs_layer(subs, epsg=UTM):
    """subs: [(sub_id, (x, y), kv, headroom_mw)]"""
    return ("subs", epsg, "point",
            [("sub_id", "str"), ("kv", "real"), ("headroom_mw", "real")],
            [(("point", xy), {"sub_id": sid, "kv": kv, "headroom_mw": h})
             for sid, xy, kv, h in subs])


def write_geotiff(path, epsg, gt, rows, nodata=None):
    h, w = len(rows), len(rows[0])
    ds = gdal.GetDriverByName("GTiff").Create(path, w, h, 1, gdal.GDT_Float64)
    ds.SetGeoTransform(gt)
    ds.SetProjection(srs(epsg).ExportToWkt())
    band = ds.GetRasterBand(1)
    if nodata is not None:
        band.SetNoDataValue(nodata)
    band.WriteRaster(0, 0, w, h, array.array("d", [v for row in rows for v in row]).tobytes(),
                     buf_type=gdal.GDT_Float64)
    band.FlushCache()
    ds = None


GRID_CRITERION = {"name": "grid", "metric": "substation_km", "weight": 1,
                  "value": {"type": "linear", "worst": 100, "best": 0}}


def base_scenario(name, gpkg="fixture.gpkg", criteria=None, attributes=None, **extra):
    """A minimal valid scenario; dataset paths are relative to the scenario."""
    s = {
        "name": name,
        "facility": {"it_load_mw": 100, "design_pue": 1.3},
        "sites": {"dataset": gpkg, "layer": "sites", "id_field": "site_id"},
        "substations": {"dataset": gpkg, "layer": "subs", "id_field": "sub_id",
                        "voltage_field": "kv", "headroom_field": "headroom_mw"},
        "criteria": criteria or [dict(GRID_CRITERION)],
        "outputs": {"xlsx": False, "top_n": 1000},
    }
    if attributes:
        s["sites"]["attributes"] = attributes
    s.update(extra)
    return s


# ---------------------------------------------------------------------------
# running dcsite and reading its reports
# ---------------------------------------------------------------------------

class Run:
    def __init__(self, proc, outdir, name):
        self.proc = proc
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.outdir = outdir
        self.name = name

    def describe(self):
        return "rc=%s\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout, self.stderr)

    def path(self, ext):
        return os.path.join(self.outdir, "%s.%s" % (self.name, ext))

    def rows(self):
        return read_gpkg(self.path("gpkg"))[0]

    def fields(self):
        return read_gpkg(self.path("gpkg"))[1]

    def summary(self):
        with open(self.path("json")) as fp:
            return json.load(fp)


def run_scenario(workdir, scen, tag=None):
    """Write scen as <workdir>/<tag>.json and `dcsite run` it into
    <workdir>/out-<tag>."""
    tag = tag or scen["name"]
    path = os.path.join(workdir, tag + ".json")
    with open(path, "w") as fp:
        json.dump(scen, fp, indent=2)
    outdir = os.path.join(workdir, "out-" + tag)
    proc = subprocess.run([DCSITE, "run", path, "-o", outdir, "--quiet"], capture_output=True,
                          text=True, timeout=120, cwd=workdir)
    return Run(proc, outdir, scen["name"])


def read_gpkg(path):
    """({site_id: {field: value, '_geom': clone, '_types': ...}}, field names)"""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("candidates")
    assert lyr is not None, "layer 'candidates' missing in %s" % path
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    types = {defn.GetFieldDefn(i).GetName(): defn.GetFieldDefn(i).GetType()
             for i in range(defn.GetFieldCount())}
    out = {}
    for f in lyr:
        row = {n: (None if f.IsFieldNull(n) else f.GetField(n)) for n in names}
        g = f.GetGeometryRef()
        row["_geom"] = g.Clone() if g else None
        row["_types"] = types
        assert row["site_id"] not in out, "duplicate site_id %s" % row["site_id"]
        out[row["site_id"]] = row
    ds = None
    return out, names


def rule_names(reasons):
    if not reasons:
        return set()
    return {part.split(":", 1)[0].strip() for part in reasons.split("; ")}


def gap_names(gaps):
    return set(g.strip() for g in gaps.split(",")) if gaps else set()


class Tmp:
    root = None


def workdir(name):
    d = os.path.join(Tmp.root, name)
    os.makedirs(d, exist_ok=True)
    return d


def setUpModule():
    Tmp.root = tempfile.mkdtemp(prefix="dcsite-model-")
    unittest.addModuleCleanup(lambda: shutil.rmtree(Tmp.root, ignore_errors=True))


class FixtureCase(unittest.TestCase):
    """A test class whose fixture is built and whose runs are made once,
    lazily, inside the first test that needs them (so a failure shows up
    as a failing test, never as a skipped class)."""
    _cache = None

    @classmethod
    def build(cls, wd):
        raise NotImplementedError

    def fixture(self):
        cls = type(self)
        if cls._cache is None:
            cls._cache = {"failure": None}
            try:
                cls._cache["runs"] = cls.build(workdir(cls.__name__))
            except Exception as e:  # recorded and re-raised in every test
                cls._cache["failure"] = e
                raise
        if cls._cache["failure"] is not None:
            raise AssertionError("fixture failed: %r" % (cls._cache["failure"],))
        return cls._cache["runs"]

    def ok_run(self, run):
        self.assertEqual(run.rc, 0, "dcsite run failed:\n" + run.describe())
        return run


# ===========================================================================
# 1. distances to points, lines and polygons in mixed CRSs
# ===========================================================================

# Two 500 m square sites (UTM 14N).  D2 lies 260 km east of the central
# meridian (UTM scale ~1.00043), so a planar UTM distance would be ~2 m off
# the geodesic one there and the 1 m tolerance tells them apart.
DIST_SITES = {
    "D1": (700000, 3630000, 700500, 3630500),
    "D2": (760000, 3640000, 760500, 3640500),
}
# per site: point east at dp, 345/230 kV line starting dl east (a 138 kV
# line half as far), polygon vertex dq west -- metres from the facing edge.
DIST_DESIGN = {
    "D1": {"dp": 1200.0, "dl": 2000.0, "kv": 345.0, "dq": 1500.0},
    "D2": {"dp": 5000.0, "dl": 6000.0, "kv": 230.0, "dq": 4000.0},
}


class T01Distances(FixtureCase):

    @classmethod
    def build(cls, wd):
        pts, lines, polys = [], [], []
        expect = {}
        for sid, (x0, y0, x1, y1) in DIST_SITES.items():
            d = DIST_DESIGN[sid]
            ym = (y0 + y1) / 2
            # points (EPSG:32615): the nearest due east of the east edge, a
            # farther one to the west
            pts.append((("point", (x1 + d["dp"], ym)), {"name": sid + "-east"}))
            pts.append((("point", (x0 - d["dp"] - 700, ym)), {"name": sid + "-west"}))
            # lines (EPSG:3857): segments heading east-north-east from their
            # west end, so the nearest points are that end and (x1, ym).
            for kv, dist in ((d["kv"], d["dl"]), (138.0, d["dl"] / 2)):
                lines.append((("line", [(x1 + dist, ym), (x1 + dist + 1000, ym + 750)]),
                              {"voltage": kv}))
            # polygons (EPSG:4326): a diamond whose east vertex faces the
            # west-edge midpoint
            q = x0 - d["dq"]
            polys.append((("polygon", [[(q, ym), (q - 500, ym + 500), (q - 1000, ym),
                                        (q - 500, ym - 500), (q, ym)]]), {"kind": "park"}))
            expect[sid] = {
                "pts_km": ((x1, ym), (x1 + d["dp"], ym)),
                "hv_km": ((x1, ym), (x1 + d["dl"], ym)),
                "parks_km": ((x0, ym), (q, ym)),
                "lv": ((x1, ym), (x1 + d["dl"] / 2, ym)),
            }
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            site_layer([(sid, box(*b), {}) for sid, b in DIST_SITES.items()]),
            subs_layer([("SUB", (730000, 3635000), 345.0, 500.0)]),
            ("pts", 32615, "point", [("name", "str")], pts),
            ("lines", 3857, "line", [("voltage", "real")], lines),
            ("polys", 4326, "polygon", [("kind", "str")], polys),
        ])
        scen = base_scenario("dist", distances=[
            {"name": "pts", "dataset": "fixture.gpkg", "layer": "pts"},
            {"name": "hv", "dataset": "fixture.gpkg", "layer": "lines",
             "where": "voltage >= 230"},
            {"name": "anyline", "dataset": "fixture.gpkg", "layer": "lines"},
            {"name": "parks", "dataset": "fixture.gpkg", "layer": "polys"},
        ])
        return {"run": run_scenario(wd, scen), "expect": expect}

    def test_distance_km_is_geodesic_between_designed_nearest_points(self):
        # Reference: pyproj Geod.inv between the designed nearest points
        # (UTM -> lon/lat with pyproj).  Tolerance 1 m: the layers' vertices
        # survive the UTM -> 32615/3857/4326 -> UTM round trip to < 1 mm and
        # GEOS's nearest points are exact, so 1 m only absorbs noise -- yet
        # it is tight enough to reject a planar UTM distance at D2.
        fx = self.fixture()
        rows = self.ok_run(fx["run"]).rows()
        self.assertEqual(sorted(rows), sorted(DIST_SITES))
        for sid, exp in fx["expect"].items():
            for metric in ("pts_km", "hv_km", "parks_km"):
                with self.subTest(site=sid, metric=metric):
                    want = geodesic_km(*exp[metric])
                    got = rows[sid][metric]
                    self.assertIsNotNone(got, "%s %s is null" % (sid, metric))
                    self.assertAlmostEqual(got, want, delta=1e-3,
                                           msg="%s %s = %r km, Geod.inv %r km"
                                           % (sid, metric, got, want))
        # the design can tell a planar distance from a geodesic one
        p, q = fx["expect"]["D2"]["pts_km"]
        planar = math.hypot(q[0] - p[0], q[1] - p[1]) / 1000
        self.assertGreater(abs(planar - geodesic_km(p, q)) * 1000, 1.5,
                           "design check: planar and geodesic must differ by > 1 m at D2")

    def test_where_filter_excludes_nearer_features(self):
        # The 138 kV line is nearer than the >= 230 kV one (boundary value
        # 230 included at D2): `hv` (where voltage >= 230) must ignore it,
        # while `anyline` (no filter) must find it.  Same 1 m tolerance.
        fx = self.fixture()
        rows = self.ok_run(fx["run"]).rows()
        for sid, exp in fx["expect"].items():
            with self.subTest(site=sid):
                self.assertAlmostEqual(rows[sid]["hv_km"], geodesic_km(*exp["hv_km"]),
                                       delta=1e-3)
                self.assertAlmostEqual(rows[sid]["anyline_km"], geodesic_km(*exp["lv"]),
                                       delta=1e-3)
                self.assertGreater(rows[sid]["hv_km"] - rows[sid]["anyline_km"], 0.5)
        self.assertEqual(rows["D1"]["_types"]["hv_km"], ogr.OFTReal)


# ===========================================================================
# 2. zones and a joined CSV table
# ===========================================================================

# zone boxes (UTM) and their attributes: fips (text), name, co2 (Real)
ZONES = [
    ("48113", "Dallas", 733.862, (690000, 3620000, 710000, 3640000)),
    ("48085", "Collin", 701.5, (710000, 3620000, 730000, 3640000)),
    ("48439", "Tarrant", 690.25, (670000, 3620000, 690000, 3640000)),  # not in the CSV
    ("01001", "Autauga", 1100.0, (690000, 3640000, 710000, 3660000)),  # leading zero
]
PRICES = {"48113": (0.0688, 0.0912), "48085": (0.0701, 0.0955), "01001": (0.0822, 0.1011),
          "99999": (0.05, 0.06)}
# An L-shaped site: a long bar reaching from zone 48113 far into 48085 and a
# short leg in 48113.  GEOS PointOnSurface lies in the leg (48113) while the
# centroid and the bounding-box centre lie in 48085.
L_SITE = [(709000, 3625000), (714000, 3625000), (714000, 3625200), (709400, 3625200),
          (709400, 3626500), (709000, 3626500), (709000, 3625000)]
ZONE_SITES = [
    ("Z-DAL", box(700000, 3630000, 700500, 3630500)),
    ("Z-COL", box(720000, 3630000, 720500, 3630500)),
    ("Z-TAR", box(680000, 3630000, 680500, 3630500)),
    ("Z-AUT", box(700000, 3650000, 700500, 3650500)),
    ("Z-L", ("polygon", [L_SITE])),
]


class T02ZonesAndJoin(FixtureCase):

    @classmethod
    def build(cls, wd):
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            site_layer([(sid, spec, {}) for sid, spec in ZONE_SITES]),
            subs_layer([("SUB", (700000, 3640000), 345.0, 500.0)]),
            ("counties", 4326, "polygon", [("fips", "str"), ("cname", "str"), ("co2", "real")],
             [(box(*b), {"fips": fips, "cname": name, "co2": co2})
              for fips, name, co2, b in ZONES]),
        ])
        with open(os.path.join(wd, "prices.csv"), "w", newline="") as fp:
            w = csv.writer(fp, quoting=csv.QUOTE_NONNUMERIC)
            w.writerow(["county_fips", "industrial_price", "commercial_price"])
            for k, (ind, com) in PRICES.items():
                w.writerow([k, ind, com])
        with open(os.path.join(wd, "prices.csvt"), "w") as fp:
            fp.write('"String","Real","Real"\n')
        scen = base_scenario(
            "zones",
            zones=[{"name": "county", "dataset": "fixture.gpkg", "layer": "counties",
                    "attributes": {"county_fips": "fips", "county": "cname",
                                   "grid_co2_lb_mwh": "co2"}}],
            joins=[{"name": "price", "dataset": "prices.csv", "key_field": "county_fips",
                    "on": "county_fips",
                    "attributes": {"industrial_price_usd_kwh": "industrial_price",
                                   "commercial_price": "commercial_price"}}],
            criteria=[{"name": "power_price", "metric": "industrial_price_usd_kwh", "weight": 1,
                       "value": {"type": "linear", "worst": 0.12, "best": 0.04}},
                      dict(GRID_CRITERION)])
        runs = {"run": run_scenario(wd, scen)}
        for on in ("no_such_metric", "grid_co2_lb_mwh"):
            bad = json.loads(json.dumps(scen))
            bad["name"] = "zones_bad_on"
            bad["joins"][0]["on"] = on
            runs["bad_on_" + on] = run_scenario(wd, bad, tag="bad_on_" + on)
        return runs

    def zone_of(self, x, y):
        hits = [z for z in ZONES if z[3][0] < x < z[3][2] and z[3][1] < y < z[3][3]]
        self.assertEqual(len(hits), 1, "point (%.1f, %.1f) must be inside exactly one zone"
                         % (x, y))
        return hits[0]

    def test_zone_attributes_come_from_the_representative_point(self):
        # Reference: the zone box (exact, by design) holding the site's
        # representative point.  The point is GEOS PointOnSurface, taken here
        # independently with osgeo.ogr on the designed UTM geometry; dcsite's
        # reported lon/lat (documented as that point) must map back to it
        # within 1 mm (pyproj), and the attributes must be that zone's,
        # exactly (text kept as text, leading zero included).
        fx = self.fixture()
        rows = self.ok_run(fx["run"]).rows()
        types = rows["Z-DAL"]["_types"]
        self.assertEqual(types["county_fips"], ogr.OFTString)
        self.assertEqual(types["grid_co2_lb_mwh"], ogr.OFTReal)
        for sid, spec in ZONE_SITES:
            with self.subTest(site=sid):
                rp = ogr_geom(spec).PointOnSurface()
                x, y = to_utm(rows[sid]["lon"], rows[sid]["lat"])
                self.assertLess(math.hypot(x - rp.GetX(), y - rp.GetY()), 1e-3,
                                "%s: lon/lat is not the representative point" % sid)
                fips, name, co2, _ = self.zone_of(rp.GetX(), rp.GetY())
                self.assertEqual(rows[sid]["county_fips"], fips)
                self.assertEqual(rows[sid]["county"], name)
                self.assertEqual(rows[sid]["grid_co2_lb_mwh"], co2)
        # design check: for the L site the centroid is in another zone
        c = ogr_geom(ZONE_SITES[-1][1]).Centroid()
        self.assertEqual(self.zone_of(c.GetX(), c.GetY())[0], "48085")
        self.assertEqual(rows["Z-L"]["county_fips"], "48113")

    def test_centroid_beside_the_interior_point(self):
        # Reference by hand: the L is the bar 709000..714000 x
        # 3625000..3625200 (area 1.0e6 m^2, centre 711500, 3625100) plus the
        # leg 709000..709400 x 3625200..3626500 (5.2e5 m^2, centre 709200,
        # 3625850); its centroid is the area-weighted mean of the two
        # centres, (710713.16, 3625356.58): east of the leg and north of the
        # bar, so outside the L.  A square's centroid is its centre.
        # dcsite's centroid_lon/lat must map back (pyproj, UTM 14N, the
        # working CRS here) to that point within 1 mm; lon/lat (the
        # interior point) must lie inside the site, the centroid of the L
        # outside.  The JSON carries the same numbers as the GeoPackage.
        fx = self.fixture()
        run = self.ok_run(fx["run"])
        rows = run.rows()
        parts = [(5000 * 200, 711500, 3625100), (400 * 1300, 709200, 3625850)]
        area = sum(a for a, _, _ in parts)
        want = {"Z-L": (sum(a * x for a, x, _ in parts) / area,
                        sum(a * y for a, _, y in parts) / area)}
        for sid, spec in ZONE_SITES[:4]:
            (x0, y0), _, (x1, y1) = spec[1][0][:3]
            want[sid] = ((x0 + x1) / 2, (y0 + y1) / 2)
        c = ogr_geom(ZONE_SITES[-1][1]).Centroid()  # design check of the hand sum
        self.assertLess(math.hypot(c.GetX() - want["Z-L"][0], c.GetY() - want["Z-L"][1]), 1e-6)
        for sid, spec in ZONE_SITES:
            with self.subTest(site=sid):
                g = ogr_geom(spec)
                cx, cy = to_utm(rows[sid]["centroid_lon"], rows[sid]["centroid_lat"])
                self.assertLess(math.hypot(cx - want[sid][0], cy - want[sid][1]), 1e-3,
                                "%s: centroid %r, %r; by hand %r" % (sid, cx, cy, want[sid]))
                px, py = to_utm(rows[sid]["lon"], rows[sid]["lat"])
                self.assertTrue(g.Contains(ogr_point(px, py)), "interior point outside " + sid)
        cx, cy = to_utm(rows["Z-L"]["centroid_lon"], rows["Z-L"]["centroid_lat"])
        self.assertFalse(ogr_geom(ZONE_SITES[-1][1]).Contains(ogr_point(cx, cy)),
                         "design: the L's centroid should lie outside it")
        js = {t["site_id"]: t for t in run.summary()["top_sites"]}
        self.assertIn("Z-L", js)
        for sid, t in js.items():
            for k in ("lon", "lat", "centroid_lon", "centroid_lat"):
                self.assertAlmostEqual(t[k], rows[sid][k], delta=1e-9, msg="%s %s" % (sid, k))

    def test_csv_join_gives_real_prices_and_null_when_key_missing(self):
        # Reference: the CSV rows written above (exact; .csvt types them
        # Real).  48439 is not in the CSV: its prices must be null, never 0,
        # and so must its power_price value (the contribution is 0).
        fx = self.fixture()
        run = self.ok_run(fx["run"])
        rows = run.rows()
        self.assertEqual(rows["Z-DAL"]["_types"]["industrial_price_usd_kwh"], ogr.OFTReal)
        for sid, fips in (("Z-DAL", "48113"), ("Z-COL", "48085"), ("Z-AUT", "01001"),
                          ("Z-L", "48113")):
            with self.subTest(site=sid):
                self.assertEqual(rows[sid]["industrial_price_usd_kwh"], PRICES[fips][0])
                self.assertEqual(rows[sid]["commercial_price"], PRICES[fips][1])
                want = (0.12 - PRICES[fips][0]) / (0.12 - 0.04)
                self.assertAlmostEqual(rows[sid]["power_price_value"], want, delta=1e-12)
        tar = rows["Z-TAR"]
        self.assertEqual(tar["county_fips"], "48439")
        self.assertIsNone(tar["industrial_price_usd_kwh"], "missing key must give null price")
        self.assertIsNone(tar["commercial_price"])
        self.assertIsNone(tar["power_price_value"])
        self.assertEqual(tar["power_price_contrib"], 0.0)
        js = {s["site_id"]: s for s in run.summary()["top_sites"]}
        self.assertIsNone(js["Z-TAR"]["metrics"]["industrial_price_usd_kwh"])
        self.assertEqual(js["Z-AUT"]["metrics"]["county_fips"], "01001")

    def test_join_on_must_name_a_text_metric(self):
        # README: a table is joined on `key_field` = the site's *text* metric
        # `on`, and unknown metrics are scenario errors (exit 3).  A join on
        # an unknown metric or on a numeric one must be refused, naming it,
        # not run with every joined value silently null.
        fx = self.fixture()
        for on in ("no_such_metric", "grid_co2_lb_mwh"):
            with self.subTest(on=on):
                r = fx["bad_on_" + on]
                self.assertEqual(r.rc, 3, "joins[0].on = %r:\n%s" % (on, r.describe()))
                self.assertIn(on, r.stderr)


# ===========================================================================
# 3. area-weighted population within a radius
# ===========================================================================

def block_groups():
    """1 km squares over x 697..704 km, y 3627..3634 km, each cut along a
    diagonal into two triangles with their own population."""
    out, k = [], 0
    for i in range(7):
        for j in range(7):
            x0, y0 = 697000 + 1000 * i, 3627000 + 1000 * j
            x1, y1 = x0 + 1000, y0 + 1000
            tris = ([(x0, y0), (x1, y0), (x1, y1), (x0, y0)],
                    [(x0, y0), (x1, y1), (x0, y1), (x0, y0)]) if (i + j) % 2 == 0 else \
                   ([(x0, y0), (x1, y0), (x0, y1), (x0, y0)],
                    [(x1, y0), (x1, y1), (x0, y1), (x1, y0)])
            for t in tris:
                k += 1
                out.append((t, 100 + (k * 137) % 900))
    return out


AW_SITES = [
    ("P-A", (700000, 3630000, 700500, 3630500)),
    ("P-B", (701200, 3629100, 701500, 3629900)),
    ("P-EDGE", (703500, 3633500, 703800, 3633800)),  # buffer runs off the data
]
AW_RADIUS_KM = 2.0


class T03AreaWeighted(FixtureCase):

    @classmethod
    def build(cls, wd):
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            site_layer([(sid, box(*b), {}) for sid, b in AW_SITES]),
            subs_layer([("SUB", (700000, 3640000), 345.0, 500.0)]),
            ("bg", 4326, "polygon", [("pop_2020", "int")],
             [(("polygon", [t]), {"pop_2020": pop}) for t, pop in block_groups()]),
        ])
        runs = {}
        for method in ("grid", "exact"):
            aw = {"name": "population_2km", "dataset": "fixture.gpkg", "layer": "bg",
                  "field": "pop_2020", "radius_km": AW_RADIUS_KM}
            if method == "exact":
                aw["method"] = "exact"  # the default is the grid
            runs[method] = run_scenario(wd, base_scenario("aw_" + method, area_weighted=[aw]))
        return runs

    def test_population_within_radius_is_area_weighted(self):
        # Reference (independent osgeo.ogr pipeline in UTM 14N): disk =
        # site.Buffer(R, 256 segments a quadrant); sum of pop x
        # area(disk & polygon) / area(polygon).  Tolerance 0.5 %: the
        # exact method buffers with fewer segments (an inscribed polygon
        # loses up to ~0.2 % of a quarter circle's area); the grid method
        # (cells of R/40) is within 0.1 % in tests/unit/test_density.c.
        fx = self.fixture()
        polys = [(ogr_polygon([t]), pop) for t, pop in block_groups()]
        for (method, run), (sid, b) in itertools.product(fx.items(), AW_SITES):
            rows = self.ok_run(run).rows()
            with self.subTest(method=method, site=sid):
                disk = ogr_geom(box(*b)).Buffer(AW_RADIUS_KM * 1000, 256)
                want = 0.0
                for g, pop in polys:
                    if disk.Intersects(g):
                        want += pop * surface_area(disk.Intersection(g)) / g.GetArea()
                got = rows[sid]["population_2km"]
                self.assertIsNotNone(got)
                self.assertAlmostEqual(got / want, 1.0, delta=0.005,
                                       msg="%s: %r, reference %r" % (sid, got, want))
        # design check: the naive sum of every touched polygon is far off
        disk = ogr_geom(box(*AW_SITES[0][1])).Buffer(AW_RADIUS_KM * 1000, 256)
        naive = sum(pop for g, pop in polys if disk.Intersects(g))
        for run in fx.values():
            self.assertGreater(naive / self.ok_run(run).rows()["P-A"]["population_2km"], 1.05)


# ===========================================================================
# 4. rasters: slope of a DEM and a radius sum
# ===========================================================================

DEM_A = 0.05        # dz / dnorthing (m/m): slope atan(0.05) = 2.8624 degrees
DEM_GT = (-96.90, 0.0005, 0.0, 32.83, 0.0, -0.0005)   # 200 x 120 pixels, EPSG:4326
DEM_W, DEM_H = 200, 120
POP_V = 7.5
POP_GT = (-96.95, 0.002, 0.0, 32.88, 0.0, -0.002)     # 100 x 80 pixels, EPSG:4326
POP_W, POP_H = 100, 80
POP_RADIUS_KM = 1.5
# Land cover classes on 100 m UTM pixels: 1 west of x = 700300, 2 east of it
LC_GT = (699000.0, 100.0, 0.0, 3632000.0, 0.0, -100.0)   # 40 x 30 pixels, EPSG:32614
LC_W, LC_H, LC_EDGE = 40, 30, 700300.0
# Coverage counts on the land cover grid: 5 everywhere but the nodata
# column x 700000..700100 (column 10)
COV_NODATA_COL = 10
RASTER_SITES = [
    ("R-1", (700000, 3630000, 700400, 3630400)),
    ("R-2", (701500, 3631000, 701900, 3631300)),
    ("R-OUT", (730000, 3630000, 730400, 3630400)),  # east of both rasters
    ("R-EDGE", (702850, 3630000, 703250, 3630400)),  # across lc's east edge (x 703000)
    ("R-ND", (700020, 3631500, 700080, 3631560)),    # inside the nodata column
]


class T04Rasters(FixtureCase):

    @classmethod
    def build(cls, wd):
        lat_s = DEM_GT[3] + DEM_H * DEM_GT[5]
        lon_c = DEM_GT[0] + DEM_W * DEM_GT[1] / 2
        dem = []
        for j in range(DEM_H):
            lat = DEM_GT[3] + (j + 0.5) * DEM_GT[5]
            north_m = GEOD.inv(lon_c, lat_s, lon_c, lat)[2]   # meridian arc (geodesic)
            dem.append([100.0 + DEM_A * north_m] * DEM_W)
        write_geotiff(os.path.join(wd, "dem.tif"), 4326, DEM_GT, dem)
        write_geotiff(os.path.join(wd, "pop.tif"), 4326, POP_GT,
                      [[POP_V] * POP_W for _ in range(POP_H)])
        write_geotiff(os.path.join(wd, "lc.tif"), UTM, LC_GT,
                      [[1.0 if LC_GT[0] + i * LC_GT[1] < LC_EDGE else 2.0 for i in range(LC_W)]
                       for _ in range(LC_H)])
        write_geotiff(os.path.join(wd, "cov.tif"), UTM, LC_GT,
                      [[-1.0 if i == COV_NODATA_COL else 5.0 for i in range(LC_W)]
                       for _ in range(LC_H)], nodata=-1.0)
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            site_layer([(sid, box(*b), {}) for sid, b in RASTER_SITES]),
            subs_layer([("SUB", (700000, 3640000), 345.0, 500.0)]),
        ])
        scen = base_scenario("rasters", rasters=[
            {"name": "slope", "dataset": "dem.tif", "slope": True, "stats": ["mean", "max"],
             "outside": "neutral"},
            {"name": "pop", "dataset": "pop.tif", "radius_km": POP_RADIUS_KM,
             "outside": "neutral"},
            {"name": "lc", "dataset": "lc.tif", "stats": ["majority", "mean"],
             "outside": "neutral"},
            {"name": "cov", "dataset": "cov.tif",
             "stats": ["mean", "count", "nodata_count", "covered_fraction"],
             "outside": "neutral"}])
        return {"run": run_scenario(wd, scen)}

    def test_slope_of_a_plane_is_atan_of_its_gradient(self):
        # Reference: the DEM is the plane z = 100 + a * (geodesic distance
        # north of the south edge), so its slope is atan(a) everywhere.
        # Tolerance 0.05 degrees: Horn's finite difference on a geographic
        # grid uses the pixel height at the row centre, which differs from
        # the real meridian arc between the neighbouring rows by ~1e-6
        # relative, and the pixels are Float64 -- the margin is for the
        # geographic pixel-size model, not for the plane.
        fx = self.fixture()
        rows = self.ok_run(fx["run"]).rows()
        want = math.degrees(math.atan(DEM_A))
        for sid in ("R-1", "R-2"):
            for stat in ("slope_mean", "slope_max"):
                with self.subTest(site=sid, stat=stat):
                    got = rows[sid][stat]
                    self.assertIsNotNone(got, "%s %s is null" % (sid, stat))
                    self.assertAlmostEqual(got, want, delta=0.05)
            self.assertNotIn("slope", gap_names(rows[sid]["coverage_gaps"]))
            # the plane has no nodata inside the edge pixels: 0 % exactly
            self.assertEqual(rows[sid]["slope_nodata_pct"], 0.0)
        # a site beyond the DEM: null (not 0) and listed as a coverage gap
        self.assertIsNone(rows["R-OUT"]["slope_mean"])
        self.assertIsNone(rows["R-OUT"]["slope_max"])
        self.assertIn("slope", gap_names(rows["R-OUT"]["coverage_gaps"]))

    def test_majority_of_two_classes(self):
        # Reference: R-1 spans x 700000..700400, 300 m of it on class 1 and
        # 100 m on class 2 over its whole height, so the majority is 1 and
        # the area-weighted mean (3 * 1 + 1 * 2) / 4 = 1.25; R-2 lies on
        # class 2 only.  The pixel edges fall on the site's edges, so the
        # shares are exact: tolerance 1e-9.
        fx = self.fixture()
        rows = self.ok_run(fx["run"]).rows()
        self.assertEqual(rows["R-1"]["lc_majority"], 1.0)
        self.assertAlmostEqual(rows["R-1"]["lc_mean"], 1.25, delta=1e-9)
        self.assertEqual(rows["R-2"]["lc_majority"], 2.0)
        self.assertAlmostEqual(rows["R-2"]["lc_mean"], 2.0, delta=1e-9)
        self.assertIsNone(rows["R-OUT"]["lc_majority"])

    def test_coverage_counts_and_covered_fraction(self):
        # Reference, by hand on the 100 m grid (pixel edges on the sites'
        # edges, so every share is exact: tolerance 1e-9):
        #   R-1 4 x 4 pixels, column 10 (4 of them) nodata: count 12,
        #       nodata_count 4, covered 1, nodata 25 %
        #   R-2 4 x 3 valid pixels: 12, 0, 1
        #   R-EDGE 400 m wide, 150 m of it west of the raster's east edge
        #       x 703000: 1.5 x 4 = 6 valid pixels, covered 150 / 400
        #   R-ND 60 m x 60 m inside the nodata column: 0.36 nodata pixels,
        #       count 0, covered 1 -- outside (no valid pixel), so cov_mean
        #       is null and cov a coverage gap, but the counts are kept
        #   R-OUT beyond the raster: 0, 0, 0 (kept: measured, not null)
        fx = self.fixture()
        run = self.ok_run(fx["run"])
        rows = run.rows()
        want = {"R-1": (12, 4, 1), "R-2": (12, 0, 1), "R-EDGE": (6, 0, 0.375),
                "R-ND": (0, 0.36, 1), "R-OUT": (0, 0, 0)}
        for sid, (count, nodata, covered) in want.items():
            with self.subTest(site=sid):
                row = rows[sid]
                self.assertAlmostEqual(row["cov_count"], count, delta=1e-9)
                self.assertAlmostEqual(row["cov_nodata_count"], nodata, delta=1e-9)
                self.assertAlmostEqual(row["cov_covered_fraction"], covered, delta=1e-9)
        self.assertAlmostEqual(rows["R-1"]["cov_nodata_pct"], 25.0, delta=1e-9)
        self.assertAlmostEqual(rows["R-EDGE"]["cov_mean"], 5.0, delta=1e-9)
        for sid in ("R-ND", "R-OUT"):
            self.assertIsNone(rows[sid]["cov_mean"], sid)
            self.assertIn("cov", gap_names(rows[sid]["coverage_gaps"]), sid)
        # the JSON carries them too, with the same values
        js = {s["site_id"]: s for s in run.summary()["top_sites"]}
        self.assertAlmostEqual(js["R-EDGE"]["metrics"]["cov_covered_fraction"], 0.375,
                               delta=1e-9)

    def test_radius_sum_of_a_constant_raster(self):
        # Reference: v * pi r^2 / pixel area, the pixel area being pyproj's
        # geodesic area of a pixel centred on the site's representative
        # point (its reported lon/lat).  Tolerance 1 %: pixels cut by the
        # circle are counted in proportion, and the pixel area varies by
        # ~0.03 % across the circle.
        fx = self.fixture()
        rows = self.ok_run(fx["run"]).rows()
        dx, dy = POP_GT[1] / 2, -POP_GT[5] / 2
        # R-OUT lies beyond this raster too: no valid pixel, null, a gap
        self.assertIsNone(rows["R-OUT"]["pop_radius_sum"])
        self.assertIn("pop", gap_names(rows["R-OUT"]["coverage_gaps"]))
        for sid in ("R-1", "R-2"):
            with self.subTest(site=sid):
                lon, lat = rows[sid]["lon"], rows[sid]["lat"]
                area = abs(GEOD.polygon_area_perimeter(
                    [lon - dx, lon + dx, lon + dx, lon - dx],
                    [lat - dy, lat - dy, lat + dy, lat + dy])[0])
                want = POP_V * math.pi * (POP_RADIUS_KM * 1000) ** 2 / area
                got = rows[sid]["pop_radius_sum"]
                self.assertIsNotNone(got)
                self.assertAlmostEqual(got / want, 1.0, delta=0.01,
                                       msg="%s: %r, reference %r" % (sid, got, want))


# ===========================================================================
# 5. coverage treatments
# ===========================================================================

COV_SITES = [
    ("SITE-A", (700000, 3630000, 700500, 3630500)),  # covered, dry
    ("SITE-B", (705000, 3630000, 705500, 3630500)),  # covered, 40 % flooded
    ("SITE-C", (710000, 3630000, 710500, 3630500)),  # NOT covered by flood data, all flooded
    ("SITE-D", (715000, 3630000, 715500, 3630500)),  # covered by flood data, in no county
    ("SITE-E", (715800, 3630000, 716300, 3630500)),  # only 40 % inside the flood data area
]
COV_FLOOD = [(705000 - 100, 3629900, 705200, 3630600), (709900, 3629900, 710600, 3630600)]
COV_AREA = (699000, 3629000, 706000, 3632000)          # flood data exists here ...
COV_AREA2 = (714000, 3629000, 716000, 3632000)         # ... and here
COV_COUNTIES = [("Dallas", (695000, 3625000, 712000, 3635000)),    # both miss SITE-D
                ("Collin", (715700, 3625000, 725000, 3635000))]


class T05Coverage(FixtureCase):

    @classmethod
    def build(cls, wd):
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            site_layer([(sid, box(*b), {}) for sid, b in COV_SITES]),
            subs_layer([("SUB", (707000, 3640000), 345.0, 500.0)]),
            ("flood", 4326, "polygon", [("zone", "str")],
             [(box(*b), {"zone": "AE"}) for b in COV_FLOOD]),
            ("flood_cov", 4326, "polygon", [("src", "str")],
             [(box(*COV_AREA), {"src": "fema"}), (box(*COV_AREA2), {"src": "fema"})]),
            ("counties", 4326, "polygon", [("cname", "str")],
             [(box(*b), {"cname": n}) for n, b in COV_COUNTIES]),
        ])

        def scen(name, outside):
            return base_scenario(
                name,
                overlays=[{"name": "flood", "dataset": "fixture.gpkg", "layer": "flood",
                           "coverage": {"dataset": "fixture.gpkg", "layer": "flood_cov"},
                           "outside": outside}],
                zones=[dict({"name": "county", "dataset": "fixture.gpkg", "layer": "counties",
                             "attributes": {"county_name": "cname"}},
                            **({} if outside == "exclude" else {"outside": "neutral"}))],
                constraints=[{"name": "dry_enough", "metric": "flood_pct", "max": 10},
                             {"name": "known_county", "metric": "county_name",
                              "in": ["Dallas", "Collin"]}],
                criteria=[{"name": "dry", "metric": "flood_pct", "weight": 2,
                           "value": {"type": "linear", "worst": 100, "best": 0}},
                          {"name": "in_county", "metric": "county_name", "weight": 1,
                           "value": {"type": "categorical", "categories": {"Dallas": 1},
                                     "other": 0}},
                          dict(GRID_CRITERION)])
        runs = {mode: run_scenario(wd, scen("cov_" + mode, mode), tag="cov_" + mode)
                for mode in ("exclude", "neutral", "error")}
        # Two overlays on the same coverage layer (tested once a site) and a
        # third on another: each must keep its own answer.
        flood = {"dataset": "fixture.gpkg", "layer": "flood", "outside": "neutral"}
        shared = base_scenario("cov_shared", overlays=[
            dict(flood, name="flood", coverage={"dataset": "fixture.gpkg", "layer": "flood_cov"}),
            dict(flood, name="flood_again",
                 coverage={"dataset": "fixture.gpkg", "layer": "flood_cov"}),
            dict(flood, name="flood_by_county",
                 coverage={"dataset": "fixture.gpkg", "layer": "counties"})])
        runs["shared"] = run_scenario(wd, shared, tag="cov_shared")
        return runs

    def test_overlays_sharing_a_coverage_layer_keep_their_own_answers(self):
        # By design: SITE-C lies outside flood_cov but in Dallas county,
        # SITE-D inside flood_cov but in no county, SITE-E only partly in
        # flood_cov and wholly in Collin county.
        rows = self.ok_run(self.fixture()["shared"]).rows()
        want = {"SITE-A": set(), "SITE-B": set(),
                "SITE-C": {"flood", "flood_again"}, "SITE-D": {"flood_by_county"},
                "SITE-E": {"flood", "flood_again"}}
        for sid, gaps in want.items():
            self.assertEqual(gap_names(rows[sid]["coverage_gaps"]), gaps, sid)

    def test_exclude_outside_sites_with_coverage_rule(self):
        # By design: SITE-C is outside the flood coverage layer, SITE-D is in
        # no county polygon (a zone layer that misses a site is outside too);
        # both are excluded by coverage_<name>, their metrics are null (never
        # 0) and coverage_gaps names the layer.  SITE-E is only partly inside
        # the coverage polygons, so the layer does not cover it either.
        # SITE-B is covered and fails the ordinary rule (40 % > 10 %), SITE-A
        # passes.
        run = self.ok_run(self.fixture()["exclude"])
        rows = run.rows()
        self.assertEqual(rows["SITE-A"]["status"], "eligible", rows["SITE-A"]["reasons"])
        self.assertEqual(rows["SITE-A"]["flood_pct"], 0.0)
        self.assertIsNone(rows["SITE-A"]["coverage_gaps"])
        self.assertAlmostEqual(rows["SITE-B"]["flood_pct"], 40.0, delta=0.01)
        self.assertEqual(rule_names(rows["SITE-B"]["reasons"]), {"dry_enough"})
        c, d = rows["SITE-C"], rows["SITE-D"]
        self.assertEqual(c["status"], "excluded")
        self.assertTrue(c["reasons"].startswith("coverage_flood: "), c["reasons"])
        self.assertIn("coverage_flood", rule_names(c["reasons"]))
        self.assertNotIn("coverage_county", rule_names(c["reasons"]))
        self.assertIsNone(c["flood_pct"], "outside site's metric must be null")
        self.assertEqual(gap_names(c["coverage_gaps"]), {"flood"})
        self.assertEqual(c["county_name"], "Dallas")
        self.assertEqual(d["status"], "excluded")
        self.assertIn("coverage_county", rule_names(d["reasons"]))
        self.assertIsNone(d["county_name"])
        self.assertEqual(gap_names(d["coverage_gaps"]), {"county"})
        self.assertEqual(d["flood_pct"], 0.0)
        e = rows["SITE-E"]
        self.assertEqual(e["status"], "excluded", "partly covered site must be outside")
        self.assertEqual(rule_names(e["reasons"]), {"coverage_flood"}, e["reasons"])
        self.assertIsNone(e["flood_pct"])
        self.assertEqual(gap_names(e["coverage_gaps"]), {"flood"})
        counts = run.summary()["counts"]
        self.assertEqual(counts["excluded_by_rule"].get("coverage_flood"), 2, counts)
        self.assertEqual(counts["excluded_by_rule"].get("coverage_county"), 1, counts)
        self.assertEqual(counts["outside_some_coverage"], 3)

    def test_neutral_outside_sites_score_half_and_skip_rules(self):
        # Neutral: SITE-C stays eligible although the flood polygon covers it
        # entirely (dry_enough would fail at 100 %): its flood_pct is null,
        # dry_value is exactly 0.5 (DCS_NEUTRAL_VALUE) and contributes
        # weight x 0.5.  Same for SITE-D and the county zone (the rule
        # known_county is not applied, in_county scores 0.5).
        run = self.ok_run(self.fixture()["neutral"])
        rows = run.rows()
        w = {"dry": 2 / 4, "in_county": 1 / 4, "grid": 1 / 4}
        c, d = rows["SITE-C"], rows["SITE-D"]
        self.assertEqual(c["status"], "eligible", c["reasons"])
        self.assertIsNone(c["reasons"])
        self.assertIsNone(c["flood_pct"])
        self.assertEqual(c["dry_value"], 0.5)
        self.assertAlmostEqual(c["dry_contrib"], w["dry"] * 0.5, delta=1e-12)
        self.assertEqual(gap_names(c["coverage_gaps"]), {"flood"})
        self.assertEqual(d["status"], "eligible", d["reasons"])
        self.assertIsNone(d["county_name"])
        self.assertEqual(d["in_county_value"], 0.5)
        self.assertEqual(gap_names(d["coverage_gaps"]), {"county"})
        e = rows["SITE-E"]
        self.assertEqual(e["status"], "eligible", e["reasons"])
        self.assertIsNone(e["flood_pct"])
        self.assertEqual(e["dry_value"], 0.5)
        self.assertEqual(e["in_county_value"], 0.0)   # Collin: 'other'
        for sid in ("SITE-C", "SITE-D", "SITE-E"):
            r = rows[sid]
            total = sum(r[n + "_contrib"] for n in w)
            self.assertAlmostEqual(r["score"], total, delta=1e-12, msg=sid)
        # a covered site is still judged on its data
        self.assertEqual(rule_names(rows["SITE-B"]["reasons"]), {"dry_enough"})
        self.assertEqual(rows["SITE-A"]["in_county_value"], 1.0)
        rules = run.summary()["counts"]["excluded_by_rule"]
        self.assertFalse([k for k in rules if k.startswith("coverage_")], rules)

    def test_error_outside_stops_the_run(self):
        # outside "error": exit 4 (bad input data) naming the site and the
        # layer, and no report is written.
        run = self.fixture()["error"]
        self.assertEqual(run.rc, 4, run.describe())
        self.assertIn("SITE-C", run.stderr)
        self.assertIn("'flood'", run.stderr)
        files = os.listdir(run.outdir) if os.path.isdir(run.outdir) else []
        self.assertEqual([f for f in files if f.startswith("cov_error")], [], files)


# ===========================================================================
# 6. grid candidates
# ===========================================================================

# Areas of interest designed in UTM, stored in EPSG:4326.  AOI 1 is an L;
# AOI 2 is larger and overlaps part of it.
AOI1 = [(700100, 3630050), (703900, 3630050), (703900, 3631500), (701800, 3631500),
        (701800, 3633200), (700100, 3633200), (700100, 3630050)]
AOI2 = box_ring(701000, 3629000, 706500, 3634500)
SQ_HA, HEX_HA = 25.0, 20.0


def lattice_cells(shape, area_m2, poly):
    """Independent lattice (grid.h): squares of side sqrt(A) with centres
    ((i + .5) s, (j + .5) s); pointy-top hexagons of circumradius R =
    sqrt(2A / (3 sqrt 3)) with centres (sqrt3 R (q + r/2), 3/2 R r).  Returns
    {id: (cx, cy, vertices)} for the centres inside poly (UTM)."""
    x0, x1, y0, y1 = poly.GetEnvelope()
    out, ambiguous = {}, 0
    if shape == "square":
        s = math.sqrt(area_m2)
        rng_i = range(int(x0 // s) - 2, int(x1 // s) + 3)
        rng_j = range(int(y0 // s) - 2, int(y1 // s) + 3)
        cells = [(i, j, (i + .5) * s, (j + .5) * s) for i in rng_i for j in rng_j]
        verts = lambda cx, cy: [(cx + dx * s / 2, cy + dy * s / 2)
                                for dx, dy in ((1, 1), (-1, 1), (-1, -1), (1, -1))]
        prefix = "sq"
    else:
        R = math.sqrt(2 * area_m2 / (3 * math.sqrt(3)))
        dx, dy = math.sqrt(3) * R, 1.5 * R
        cells = []
        for r in range(int(y0 // dy) - 2, int(y1 // dy) + 3):
            for q in range(int(x0 // dx - r / 2) - 3, int(x1 // dx - r / 2) + 4):
                cells.append((q, r, dx * (q + r / 2), dy * r))
        verts = lambda cx, cy: [(cx + R * math.cos(math.radians(30 + 60 * k)),
                                 cy + R * math.sin(math.radians(30 + 60 * k)))
                                for k in range(6)]
        prefix = "hex"
    boundary = poly.GetBoundary()
    for i, j, cx, cy in cells:
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(cx, cy)
        if p.Distance(boundary) < 0.01:
            ambiguous += 1
            continue
        if poly.Contains(p):
            out["%s_%d_%d" % (prefix, i, j)] = (cx, cy, verts(cx, cy))
    assert ambiguous == 0, "design: a lattice centre lies within 1 cm of the AOI boundary"
    return out


def ring_of(geom):
    g = geom
    while g.GetGeometryType() not in (ogr.wkbPolygon, ogr.wkbPolygon25D):
        g = g.GetGeometryRef(0)
    r = g.GetGeometryRef(0)
    return [(r.GetX(k), r.GetY(k)) for k in range(r.GetPointCount())]


class T06Grid(FixtureCase):

    @classmethod
    def build(cls, wd):
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            ("aoi1", 4326, "polygon", [("name", "str")], [(("polygon", [AOI1]), {"name": "a"})]),
            ("aoi2", 4326, "polygon", [("name", "str")], [(("polygon", [AOI2]), {"name": "b"})]),
            subs_layer([("SUB", (703000, 3640000), 345.0, 500.0)]),
        ])
        runs = {}
        for shape, ha in (("square", SQ_HA), ("hexagon", HEX_HA)):
            for aoi in ("aoi1", "aoi2"):
                scen = base_scenario("grid_%s_%s" % (shape, aoi))
                scen["sites"] = {"grid": {"shape": shape, "cell_area_ha": ha,
                                          "aoi": {"dataset": "fixture.gpkg", "layer": aoi}}}
                runs[(shape, aoi)] = run_scenario(wd, scen)
        return {"runs": runs}

    @staticmethod
    def aoi_utm(ring):
        # the AOI as dcsite sees it: the stored lon/lat vertices back to UTM
        return ogr_polygon([[to_utm(*p) for p in utm_to(4326, ring)]])

    def check_cells(self, shape, ha, aoi_name, aoi_ring):
        run = self.ok_run(self.fixture()["runs"][(shape, aoi_name)])
        rows = run.rows()
        aoi = self.aoi_utm(aoi_ring)
        want = lattice_cells(shape, ha * 1e4, aoi)
        # exactly the lattice cells whose centre is inside the AOI
        self.assertEqual(sorted(rows), sorted(want), "%s %s: cell ids" % (shape, aoi_name))
        pj = pyproj.Proj(UTM)
        for cid, r in rows.items():
            cx, cy, verts = want[cid]
            ring = ring_of(r["_geom"])
            # the geometry is the lattice cell (vertices to 1 mm, any order)
            self.assertEqual(len(ring), len(verts) + 1, cid)
            for vx, vy in verts:
                self.assertLess(min(math.hypot(vx - x, vy - y) for x, y in ring), 1e-3, cid)
            # area_ha: pyproj geodesic area of the polygon (1e-4 relative)
            geo_ha = geodesic_area_m2(ring) / 1e4
            self.assertAlmostEqual(r["area_ha"] / geo_ha, 1.0, delta=1e-4, msg=cid)
            # ... and cell_area_ha shrunk by UTM's areal scale factor at the
            # centre (pyproj get_factors, ~1.0002 here): 1e-4 relative; the
            # raw ratio to cell_area_ha stays within 0.1 %.
            lon, lat = lonlat(cx, cy)
            k2 = pj.get_factors(lon, lat).areal_scale
            self.assertAlmostEqual(r["area_ha"] * k2 / ha, 1.0, delta=1e-4, msg=cid)
            self.assertAlmostEqual(r["area_ha"] / ha, 1.0, delta=1e-3, msg=cid)
            # the centre (reported lon/lat) is inside the AOI
            x, y = to_utm(r["lon"], r["lat"])
            self.assertLess(math.hypot(x - cx, y - cy), 1e-3, cid)
            p = ogr.Geometry(ogr.wkbPoint)
            p.AddPoint_2D(x, y)
            self.assertTrue(aoi.Contains(p), "%s: centre outside the AOI" % cid)
        return rows

    def test_square_cells(self):
        rows = self.check_cells("square", SQ_HA, "aoi1", AOI1)
        self.assertGreater(len(rows), 20)

    def test_hexagon_cells_tile_without_overlap(self):
        rows = self.check_cells("hexagon", HEX_HA, "aoi1", AOI1)
        self.assertGreater(len(rows), 20)
        geoms = [r["_geom"] for r in rows.values()]
        overlap, touching = 0.0, 0
        for a in range(len(geoms)):
            for b in range(a + 1, len(geoms)):
                if geoms[a].Intersects(geoms[b]):
                    touching += 1
                    # shared edges are lines: no area
                    overlap += surface_area(geoms[a].Intersection(geoms[b]))
        # neighbours share edges (so they do touch), but the summed
        # pairwise intersection area is ~0 (1e-6 of one cell)
        self.assertGreater(touching, len(geoms))
        self.assertLess(overlap, HEX_HA * 1e4 * 1e-6, "hexagons overlap by %g m2" % overlap)

    def test_cell_ids_and_geometries_stable_across_aois(self):
        # Same lattice whatever the AOI: cells with centres in both AOIs have
        # the same id and the same geometry (to 1 micrometre) in both runs.
        for shape, ha in (("square", SQ_HA), ("hexagon", HEX_HA)):
            with self.subTest(shape=shape):
                r1 = self.check_cells(shape, ha, "aoi1", AOI1)
                r2 = self.check_cells(shape, ha, "aoi2", AOI2)
                both = self.aoi_utm(AOI1).Intersection(self.aoi_utm(AOI2))
                shared = set(lattice_cells(shape, ha * 1e4, both))
                self.assertGreater(len(shared), 3, "design: the AOIs must share cells")
                self.assertEqual(set(r1) & set(r2), shared)
                for cid in shared:
                    g1, g2 = ring_of(r1[cid]["_geom"]), ring_of(r2[cid]["_geom"])
                    self.assertEqual(len(g1), len(g2), cid)
                    for (x1, y1), (x2, y2) in zip(g1, g2):
                        self.assertLess(math.hypot(x1 - x2, y1 - y2), 1e-6, cid)
                    self.assertEqual(r1[cid]["area_ha"], r2[cid]["area_ha"], cid)


# ===========================================================================
# 7. interconnection cost
# ===========================================================================

# peak demand = 100 MW x 1.25 = 125 MW (exact in binary)
IC_CLASSES = [{"max_kv": 150, "musd_per_km": 1.5}, {"max_kv": 300, "musd_per_km": 2.25},
              {"max_kv": 800, "musd_per_km": 3.5}]
IC_UPGRADE = 20.0
# site -> (box, substation id, substation point east of it, kV, headroom,
#          expected class cost, upgrade expected?)
IC_SITES = {
    "I-A": ((700000, 3630000, 700500, 3630500), "SA", 1300, 345.0, 100.0, 3.5, True),
    "I-B": ((710000, 3630000, 710500, 3630500), "SB", 2100, 138.0, 500.0, 1.5, False),
    "I-C": ((720000, 3630000, 720500, 3630500), "SC", 900, 150.0, 125.0, 1.5, False),
    "I-D": ((730000, 3630000, 730500, 3630500), "SD", 3100, 230.0, 124.9, 2.25, True),
}


class T07Interconnection(FixtureCase):

    @classmethod
    def build(cls, wd):
        subs = []
        for sid, (b, sub, d, kv, head, _, _) in IC_SITES.items():
            subs.append((sub, (b[2] + d, (b[1] + b[3]) / 2), kv, head))
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            site_layer([(sid, box(*v[0]), {}) for sid, v in IC_SITES.items()]),
            subs_layer(subs, epsg=4326),
        ])
        scen = base_scenario(
            "ic", facility={"it_load_mw": 100, "design_pue": 1.25},
            interconnection={"classes": IC_CLASSES, "upgrade_musd": IC_UPGRADE,
                             "choose": "nearest"},
            criteria=[{"name": "ic", "metric": "interconnect_cost_musd", "weight": 1,
                       "value": {"type": "linear", "worst": 40, "best": 0}}])
        scen["substations"]["require_headroom"] = False
        return {"run": run_scenario(wd, scen)}

    def test_cost_is_km_times_class_cost_plus_upgrade_when_short(self):
        # Reference: exact arithmetic on the reported substation_km: cost =
        # km x musd_per_km of the first class with kv <= max_kv (150 kV is in
        # the 150 class), + upgrade_musd when headroom < 125 MW (125 exactly
        # needs none).  1e-9 relative.  With require_headroom false all four
        # qualify, and with "choose": "nearest" the nearest is used even when
        # its headroom is short (the cheapest choice is tested in test_grid).
        run = self.ok_run(self.fixture()["run"])
        rows = run.rows()
        for sid, (b, sub, d, kv, head, per_km, upgrade) in IC_SITES.items():
            with self.subTest(site=sid):
                r = rows[sid]
                self.assertEqual(
                    r["substation_id"], sub,
                    "%s: choose nearest must pick the nearest substation %s "
                    "(%g kV, %g MW headroom vs 125 MW peak, %g m east); dcsite chose %s"
                    % (sid, sub, kv, head, d, r["substation_id"]))
                self.assertEqual(r["substation_kv"], kv)
                self.assertEqual(r["substation_headroom_mw"], head)
                ym = (b[1] + b[3]) / 2
                self.assertAlmostEqual(r["substation_km"],
                                       geodesic_km((b[2], ym), (b[2] + d, ym)), delta=1e-3)
                want = r["substation_km"] * per_km + (IC_UPGRADE if upgrade else 0.0)
                self.assertAlmostEqual(r["interconnect_cost_musd"] / want, 1.0, delta=1e-9,
                                       msg="%s: %r, expected %r" %
                                       (sid, r["interconnect_cost_musd"], want))
                self.assertEqual(r["status"], "eligible", r["reasons"])
        subs = run.summary()["substations"]
        self.assertEqual(subs["qualifying"], len(IC_SITES), subs)


# ===========================================================================
# 8. value functions and aggregation; 9. AHP
# ===========================================================================

# site -> (noise, dist, zoning, cost); X-EXTREME fails cost <= 100
VF_SITES = {
    "V1": (5.0, 0.5, "industrial", 20.0),
    "V2": (10.0, 1.0, "commercial", 40.0),
    "V3": (25.0, 1.999, "agricultural", 60.0),
    "V4": (40.0, 2.0, "industrial", 80.0),
    "V5": (55.0, 3.7, None, 30.0),
    "V6": (80.0, 4.0, "commercial", 90.0),
    "V7": (65.0, 9.0, "residential", 10.0),
    "X-EXTREME": (0.0, 10.0, "industrial", 150.0),
}
VF_CRITERIA = [
    {"name": "quiet", "metric": "noise", "weight": 4,
     "value": {"type": "piecewise", "points": [[10, 1], [40, 0.6], [70, 0.1]]}},
    {"name": "reach", "metric": "dist", "weight": 3,
     "value": {"type": "step", "points": [[1, 0.2], [2, 0.5], [4, 1]]}},
    {"name": "zone", "metric": "zoning", "weight": 2,
     "value": {"type": "categorical", "categories": {"industrial": 1, "commercial": 0.6},
               "other": 0.25}},
    {"name": "cheap", "metric": "cost", "weight": 1,
     "value": {"type": "linear", "worst": 100, "best": 0}},
]
AHP_OK = [[1, 3, 5, 7], [1 / 3, 1, 3, 5], [1 / 5, 1 / 3, 1, 3], [1 / 7, 1 / 5, 1 / 3, 1]]
AHP_BAD = [[1, 9, 1 / 9, 1], [1 / 9, 1, 9, 1], [9, 1 / 9, 1, 1], [1, 1, 1, 1]]
AHP_NONRECIP = [[1, 3, 5, 7], [0.5, 1, 3, 5], [1 / 5, 1 / 3, 1, 3], [1 / 7, 1 / 5, 1 / 3, 1]]
SAATY_RI = {3: 0.58, 4: 0.90, 5: 1.12}


def vf_eval(fn, x):
    """The documented value functions (scenario.h), in plain Python."""
    if x is None:
        return None
    t = fn["type"]
    if t == "linear":
        v = (x - fn["worst"]) / (fn["best"] - fn["worst"])
        return min(1.0, max(0.0, v))
    if t == "categorical":
        return float(fn["categories"].get(x, fn.get("other", 0)))
    pts = fn["points"]
    if t == "step":      # last breakpoint with x_k <= x; the first below them all
        v = pts[0][1]
        for px, pv in pts:
            if px <= x:
                v = pv
        return float(v)
    if x <= pts[0][0]:   # piecewise linear, flat beyond the ends
        return float(pts[0][1])
    if x >= pts[-1][0]:
        return float(pts[-1][1])
    for (xa, va), (xb, vb) in zip(pts, pts[1:]):
        if xa <= x <= xb:
            return va + (x - xa) / (xb - xa) * (vb - va)
    raise AssertionError("unreachable")


def power_iteration(a, tol=1e-15, max_iter=100000):
    """Principal eigenvector (sum 1) and eigenvalue of a positive matrix."""
    n = len(a)
    w = [1.0 / n] * n
    for _ in range(max_iter):
        y = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        s = sum(y)
        y = [v / s for v in y]
        done = max(abs(y[i] - w[i]) for i in range(n)) <= tol
        w = y
        if done:
            break
    aw = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
    lam = sum(aw[i] / w[i] for i in range(n)) / n
    return w, lam


def saaty_cr(a):
    n = len(a)
    w, lam = power_iteration(a)
    ci = (lam - n) / (n - 1)
    return w, lam, ci / SAATY_RI[n]


def vf_scenario(name, **extra):
    crit = json.loads(json.dumps(VF_CRITERIA))
    s = base_scenario(name, criteria=crit,
                      attributes={"noise": "noise", "dist": "dist", "zoning": "zoning",
                                  "cost": "cost"},
                      constraints=[{"name": "affordable", "metric": "cost", "max": 100}])
    if "ahp" in extra:
        for c in s["criteria"]:
            del c["weight"]
    s.update(extra)
    return s


class T08ValueFunctionsAggregation(FixtureCase):

    @classmethod
    def build(cls, wd):
        sites = []
        for k, (sid, (noise, dist, zoning, cost)) in enumerate(VF_SITES.items()):
            x0 = 700000 + 2000 * k
            sites.append((sid, box(x0, 3630000, x0 + 500, 3630500),
                          {"noise": noise, "dist": dist, "zoning": zoning, "cost": cost}))
        write_gpkg(os.path.join(wd, "fixture.gpkg"), [
            site_layer(sites, fields=[("noise", "real"), ("dist", "real"), ("zoning", "str"),
                                      ("cost", "real")]),
            subs_layer([("SUB", (707000, 3640000), 345.0, 500.0)]),
        ])
        return {agg: run_scenario(wd, vf_scenario("vf_" + agg, aggregation=agg))
                for agg in ("weighted_sum", "weighted_product", "topsis")}

    @staticmethod
    def weights():
        total = sum(c["weight"] for c in VF_CRITERIA)
        return {c["name"]: c["weight"] / total for c in VF_CRITERIA}

    def test_piecewise_step_categorical_values(self):
        # Reference: vf_eval() above applied to the metrics dcsite reports
        # (which must equal the attributes written); 1e-12 absolute.
        rows = self.ok_run(self.fixture()["weighted_sum"]).rows()
        for sid, attrs in VF_SITES.items():
            r = rows[sid]
            self.assertEqual((r["noise"], r["dist"], r["zoning"], r["cost"]), attrs, sid)
            for c in VF_CRITERIA:
                with self.subTest(site=sid, criterion=c["name"]):
                    want = vf_eval(c["value"], r[c["metric"]])
                    got = r[c["name"] + "_value"]
                    if want is None:
                        self.assertIsNone(got, "missing metric must give a null value")
                    else:
                        self.assertIsNotNone(got)
                        self.assertAlmostEqual(got, want, delta=1e-12)
        # spot values fixed by hand (breakpoints, both ends, 'other')
        self.assertEqual(rows["V1"]["quiet_value"], 1.0)
        self.assertAlmostEqual(rows["V3"]["quiet_value"], 0.8, delta=1e-12)
        self.assertAlmostEqual(rows["V5"]["quiet_value"], 0.35, delta=1e-12)
        self.assertEqual(rows["V6"]["quiet_value"], 0.1)
        self.assertEqual([rows[s]["reach_value"] for s in ("V1", "V2", "V3", "V4", "V5", "V6")],
                         [0.2, 0.2, 0.2, 0.5, 0.5, 1.0])
        self.assertEqual(rows["V3"]["zone_value"], 0.25)
        self.assertEqual(rows["X-EXTREME"]["status"], "excluded")

    def test_weighted_sum_and_contributions(self):
        rows = self.ok_run(self.fixture()["weighted_sum"]).rows()
        w = self.weights()
        for sid, r in rows.items():
            if r["status"] != "eligible":
                continue
            want = sum(w[n] * (r[n + "_value"] or 0.0) for n in w)
            self.assertAlmostEqual(r["score"], want, delta=1e-9, msg=sid)
            for n in w:
                self.assertAlmostEqual(r[n + "_contrib"], w[n] * (r[n + "_value"] or 0.0),
                                       delta=1e-12, msg=sid)

    def test_weighted_product(self):
        # Reference: prod value^w over criteria with the normalised weights,
        # a missing (null) value counting as 0 (mcda.h); 1e-9 absolute.
        run = self.ok_run(self.fixture()["weighted_product"])
        rows = run.rows()
        self.assertEqual(run.summary()["aggregation"], "weighted_product")
        w = self.weights()
        for sid, r in rows.items():
            with self.subTest(site=sid):
                if r["status"] != "eligible":
                    self.assertIsNone(r["score"])
                    continue
                want = 1.0
                for n in w:
                    v = r[n + "_value"]
                    want = 0.0 if (v is None or v <= 0) else want * v ** w[n]
                    if want == 0.0:
                        break
                self.assertAlmostEqual(r["score"], want, delta=1e-9)
        self.assertEqual(rows["V5"]["score"], 0.0)   # null zoning
        self.check_ranks(rows)

    def test_topsis_over_eligible_sites_only(self):
        # Reference: TOPSIS over the eligible sites only (X-EXTREME excluded;
        # including it would move the ideal): per criterion divide by the
        # Euclidean norm over eligible sites, multiply by the weight, ideal =
        # max, anti-ideal = min, closeness = d- / (d+ + d-); null = 0.  1e-9.
        run = self.ok_run(self.fixture()["topsis"])
        rows = run.rows()
        self.assertEqual(run.summary()["aggregation"], "topsis")
        w = self.weights()
        names = list(w)

        def closeness(sites):
            vals = {s: [rows[s][n + "_value"] or 0.0 for n in names] for s in sites}
            norm = [math.sqrt(sum(vals[s][k] ** 2 for s in sites)) for k in range(len(names))]
            wv = {s: [w[names[k]] * vals[s][k] / norm[k] if norm[k] > 0 else 0.0
                      for k in range(len(names))] for s in sites}
            ideal = [max(wv[s][k] for s in sites) for k in range(len(names))]
            anti = [min(wv[s][k] for s in sites) for k in range(len(names))]
            out = {}
            for s in sites:
                dp = math.sqrt(sum((wv[s][k] - ideal[k]) ** 2 for k in range(len(names))))
                dm = math.sqrt(sum((wv[s][k] - anti[k]) ** 2 for k in range(len(names))))
                out[s] = dm / (dp + dm) if dp + dm > 0 else 0.0
            return out

        eligible = sorted(s for s, r in rows.items() if r["status"] == "eligible")
        self.assertEqual(eligible, sorted(s for s in VF_SITES if s != "X-EXTREME"))
        want = closeness(eligible)
        for s in eligible:
            self.assertAlmostEqual(rows[s]["score"], want[s], delta=1e-9, msg=s)
        # design check: with the excluded site the closeness would differ
        wrong = closeness(eligible + ["X-EXTREME"])
        self.assertGreater(max(abs(wrong[s] - want[s]) for s in eligible), 1e-3)
        self.check_ranks(rows)

    def check_ranks(self, rows):
        order = sorted((r for r in rows.values() if r["status"] == "eligible"),
                       key=lambda r: (-r["score"], r["site_id"]))
        self.assertEqual([r["rank"] for r in order], list(range(1, len(order) + 1)))


class T09AHP(FixtureCase):

    @classmethod
    def build(cls, wd):
        shutil.copy(os.path.join(workdir("T08ValueFunctionsAggregation"), "fixture.gpkg"),
                    os.path.join(wd, "fixture.gpkg"))
        return {
            "ok": run_scenario(wd, vf_scenario("ahp_ok", ahp={"matrix": AHP_OK})),
            "bad": run_scenario(wd, vf_scenario("ahp_bad", ahp={"matrix": AHP_BAD})),
            "accepted": run_scenario(wd, vf_scenario(
                "ahp_acc", ahp={"matrix": AHP_BAD, "accept_inconsistent": True})),
            "nonrecip": run_scenario(wd, vf_scenario("ahp_nr", ahp={"matrix": AHP_NONRECIP})),
        }

    def setUp(self):
        # the GeoPackage is T08's; make sure it exists whatever the order
        T08ValueFunctionsAggregation("test_weighted_sum_and_contributions").fixture()

    def test_weights_and_consistency_ratio_match_power_iteration(self):
        # Reference: pure-Python power iteration (to 1e-15) for the
        # principal eigenvector (weights, sum 1) and lambda_max; CR =
        # (lambda - n) / (n - 1) / RI(n) with Saaty's RI(4) = 0.90.  1e-6.
        run = self.ok_run(self.fixture()["ok"])
        js = run.summary()
        w, lam, cr = saaty_cr(AHP_OK)
        self.assertLess(cr, 0.1, "design: AHP_OK is consistent")
        got = {c["name"]: c["weight"] for c in js["criteria"]}
        for k, c in enumerate(VF_CRITERIA):
            self.assertAlmostEqual(got[c["name"]], w[k], delta=1e-6, msg=c["name"])
        self.assertAlmostEqual(js["ahp"]["consistency_ratio"], cr, delta=1e-6)
        self.assertAlmostEqual(js["ahp"]["lambda_max"], lam, delta=1e-6)
        # and the scores use those weights
        rows = run.rows()
        for sid, r in rows.items():
            if r["status"] == "eligible":
                want = sum(w[k] * (r[c["name"] + "_value"] or 0.0)
                           for k, c in enumerate(VF_CRITERIA))
                self.assertAlmostEqual(r["score"], want, delta=1e-6, msg=sid)

    def test_inconsistent_matrix_is_refused_unless_accepted(self):
        fx = self.fixture()
        _, _, cr = saaty_cr(AHP_BAD)
        self.assertGreater(cr, 0.1, "design: AHP_BAD is inconsistent")
        bad = fx["bad"]
        self.assertEqual(bad.rc, 3, bad.describe())
        self.assertIn("consistency ratio", bad.stderr)
        self.assertIn("%.3f" % cr, bad.stderr)
        acc = self.ok_run(fx["accepted"])
        self.assertAlmostEqual(acc.summary()["ahp"]["consistency_ratio"], cr, delta=1e-6)

    def test_non_reciprocal_matrix_names_the_entry(self):
        run = self.fixture()["nonrecip"]
        self.assertEqual(run.rc, 3, run.describe())
        self.assertIn("matrix[1][0]", run.stderr)


# ===========================================================================
# 10. the sample region
# ===========================================================================

DALLAS = os.path.join(REPO, "data", "scenarios", "dallas.json")


class T10SampleRegion(FixtureCase):

    @classmethod
    def build(cls, wd):
        with open(DALLAS) as fp:
            scen = json.load(fp)
        out = os.path.join(wd, "out")
        proc = subprocess.run([DCSITE, "run", DALLAS, "-o", out, "--quiet"],
                              capture_output=True, text=True, timeout=300, cwd=wd)
        return {"run": Run(proc, out, scen["name"]), "scen": scen}

    def test_dallas_reports(self):
        fx = self.fixture()
        run, scen = self.ok_run(fx["run"]), fx["scen"]
        rows, fields = read_gpkg(run.path("gpkg"))
        js = run.summary()
        crit = scen["criteria"]
        total_w = sum(c["weight"] for c in crit)
        w = {c["name"]: c["weight"] / total_w for c in crit}
        for c in crit:
            self.assertIn(c["name"] + "_value", fields)
            self.assertIn(c["name"] + "_contrib", fields)
        for m in ("area_ha", "substation_km", "interconnect_cost_musd", "population_2km",
                  "school_km", "industrial_price_usd_kwh", "grid_co2_lb_mwh", "water_stress",
                  "slope_deg_mean", "coverage_gaps"):
            self.assertIn(m, fields)
        # the top site: score = sum of contributions; contribution = w x value
        top = [r for r in rows.values() if r["rank"] == 1]
        self.assertEqual(len(top), 1, "expected exactly one rank-1 site (eligible: %d)"
                         % sum(1 for r in rows.values() if r["status"] == "eligible"))
        top = top[0]
        self.assertEqual(top["site_id"], js["top_sites"][0]["site_id"])
        self.assertAlmostEqual(top["score"], sum(top[n + "_contrib"] for n in w), delta=1e-9)
        for n in w:
            self.assertAlmostEqual(top[n + "_contrib"], w[n] * (top[n + "_value"] or 0.0),
                                   delta=1e-12, msg=n)
        for m in ("area_ha", "substation_km", "interconnect_cost_musd", "population_2km",
                  "school_km", "industrial_price_usd_kwh", "grid_co2_lb_mwh", "water_stress"):
            self.assertIsNotNone(top[m], m)
        # the (synthetic) Dallas DEM covers every site: a slope and no gap everywhere
        for sid, r in rows.items():
            self.assertIsNotNone(r["slope_deg_mean"], sid)
            self.assertNotIn("slope_deg", gap_names(r["coverage_gaps"]), sid)
        # JSON counts agree with the GeoPackage
        counts = js["counts"]
        eligible = sum(1 for r in rows.values() if r["status"] == "eligible")
        self.assertEqual(counts["candidates"], len(rows))
        self.assertEqual(counts["eligible"], eligible)
        self.assertEqual(counts["excluded"], len(rows) - eligible)
        # excluded sites name only rules of the scenario
        contexts = [c["name"] for k in ("overlays", "distances", "zones", "area_weighted",
                                        "rasters") for c in scen.get(k, [])]
        allowed = {c["name"] for c in scen["constraints"]} | {"facility_land"} | \
            {"coverage_" + n for n in contexts}
        by_rule = {}
        for sid, r in rows.items():
            names = rule_names(r["reasons"])
            if r["status"] == "excluded":
                self.assertTrue(names, sid)
                self.assertLessEqual(names, allowed, "%s: %s" % (sid, r["reasons"]))
                self.assertIsNone(r["rank"], sid)
            else:
                self.assertEqual(names, set(), sid)
            for n in names:
                by_rule[n] = by_rule.get(n, 0) + 1
        for rule, n in counts["excluded_by_rule"].items():
            self.assertEqual(by_rule.get(rule, 0), n, rule)
        self.assertLessEqual(set(by_rule), set(counts["excluded_by_rule"]))


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
