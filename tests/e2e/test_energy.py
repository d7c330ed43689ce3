#!/usr/bin/python3
"""End-to-end tests of dcsite's energy and cooling model.

Run with Debian's interpreter (it has python3-gdal and python3-pyproj;
numpy and shapely are not used):

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_energy.py

It covers `dcsite energy WEATHERFILE` (text and --json) and the "energy"
section of a scenario (nearest weather station per site, PUE, peak demand,
water, CO2, cost, headroom margin, WUE x water stress).  Each test class
builds what it needs in a fresh temporary directory that is removed at the
end.  Files read from the repository: the weather fixtures under
tests/fixtures/weather (gzip; dcsite reads .gz directly) and, for test 6
only, the sample region data/scenarios/dallas.json and the data it names.

Output is TAP: "ok N - name" or "not ok N - name" followed by "# " lines,
then the plan "1..N"; the exit status is 0 only when every test passed.
No test is skipped.

Where the reference values come from
------------------------------------
No test re-implements the hourly cooling physics.  The references are:
* identities that hold for any correct implementation of the documented
  model (energy.h, cooling.h): sums of the monthly profile, the 8760 hours
  of a year, linearity in the IT load (every power and water term of
  cooling.c is proportional to the IT load), zero water for the dry
  archetypes, the electrical losses as a floor under every PUE, a peak
  hourly PUE at least the annual (load-weighted mean) PUE;
* two files of the same weather (chicago.epw / the Chicago TMY3, documented
  in tests/fixtures/weather/README.md as identical hours up to rounding of
  the pressure), and the leap-year EPW that is the Chicago year plus a
  copy of 28 February;
* for scenarios, the per-station results dcsite itself prints in the JSON
  summary (energy.stations) combined with the site's inputs by the
  formulas of energy.h / model.c (CO2 = MWh x lb/MWh x 0.00045359237 t/lb,
  cost = MWh x 1000 x $/kWh, ...), recomputed here in plain Python;
* geodesic distances from pyproj.Geod (WGS 84), with UTM <-> lon/lat by
  pyproj.Transformer, independently of dcsite's OGR + PROJ C code path.
Every numeric check states its tolerance and why in a comment.
"""

import concurrent.futures
import csv
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import tapkit

from osgeo import ogr, osr
import pyproj

ogr.UseExceptions()
osr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WEATHER = os.path.join(REPO, "tests", "fixtures", "weather")
TMY3_DIR = os.path.join(WEATHER, "tmy3")
CHICAGO_EPW = os.path.join(WEATHER, "chicago.epw.gz")
CHICAGO_TMY3 = os.path.join(WEATHER, "IL-Chicago_Ohare_Intl_Ap.tmy3.gz")
LEAP_EPW = os.path.join(WEATHER, "odd_header_leap.epw.gz")
DALLAS_LF = os.path.join(TMY3_DIR, "TX-Dallas_Love_Field.tmy3.gz")
FTW_MEACHAM = os.path.join(TMY3_DIR, "TX-Fort_Worth_Meacham.tmy3.gz")
PHOENIX = os.path.join(TMY3_DIR, "AZ-Phoenix_Sky_Harbor_Intl_Ap.tmy3.gz")
CHARLESTON = os.path.join(TMY3_DIR, "SC-Charleston_Intl_Arpt.tmy3.gz")
DALLAS = os.path.join(REPO, "data", "scenarios", "dallas.json")

ARCHETYPES = ("air_economizer", "water_economizer", "air_chiller", "liquid")
DRY_ARCHETYPES = ("air_chiller", "liquid")

# cooling.h defaults: UPS efficiency 0.96, distribution loss 1.5 % and
# lighting/misc 1 % of the IT load.  These losses are drawn whatever the
# weather, so no hour's PUE can be below this.
PUE_FLOOR = 1.0 + (1.0 / 0.96 - 1.0 + 0.015 + 0.010)

LB_TO_T = 0.00045359237  # tonnes per pound (exact, by definition of the pound)
HOURS = 8760
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

STATION_FIELDS = ("name", "file", "lat", "lon", "elevation_m", "pue_annual", "pue_peak",
                  "peak_demand_mw", "energy_mwh_yr", "it_energy_mwh_yr", "water_m3_yr",
                  "wue_l_kwh", "peak_day_water_m3", "free_hours", "partial_hours",
                  "mechanical_hours", "monthly")

ENERGY_METRICS = ("weather_station", "weather_station_id", "weather_station_km", "pue_annual", "pue_peak",
                  "peak_demand_mw", "energy_mwh_yr", "water_m3_yr", "wue_l_kwh",
                  "peak_day_water_m3", "economizer_hours", "mechanical_hours", "co2_t_yr",
                  "energy_cost_usd_yr", "cost_usd_per_mwh_it", "cost_usd_per_accel_hour",
                  "headroom_margin_mw", "wue_x_water_stress")


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


def geodesic_km_lonlat(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def rel_close(a, b, rel, what=""):
    """|a - b| <= rel * max(|a|, |b|) (so 0 == 0 passes)."""
    ok = abs(a - b) <= rel * max(abs(a), abs(b))
    return ok, "%s: %r vs %r (relative tolerance %g, off by %.3g)" % (
        what, a, b, rel, abs(a - b) / max(abs(a), abs(b), 1e-300))


# ---------------------------------------------------------------------------
# fixture writers (as in test_model.py)
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


def ogr_geom(spec, epsg=UTM):
    """("point", (x, y)) or ("polygon", [rings]) designed in UTM -> an OGR
    geometry in epsg (vertices transformed with pyproj)."""
    kind, data = spec
    if kind == "point":
        (x, y), = utm_to(epsg, [data])
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(x, y)
        return g
    if kind == "polygon":
        return ogr_polygon([utm_to(epsg, r) for r in data])
    raise ValueError(kind)


FIELD_TYPES = {"str": ogr.OFTString, "real": ogr.OFTReal, "int": ogr.OFTInteger}
GEOM_TYPES = {"point": ogr.wkbPoint, "polygon": ogr.wkbPolygon}


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


# ---------------------------------------------------------------------------
# running dcsite and reading its reports
# ---------------------------------------------------------------------------

class Proc:
    """A finished dcsite process."""

    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def describe(self):
        return "dcsite %s\nrc=%s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.args), self.rc, self.stdout[:3000], self.stderr[:3000])

    def json(self):
        return json.loads(self.stdout)


def dcsite(*args, cwd=None, timeout=120):
    proc = subprocess.run([DCSITE] + list(args), capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)
    return Proc(list(args), proc)


def dcsite_many(arglists, cwd=None):
    """Run several `dcsite` commands in parallel; results in order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as ex:
        futs = [ex.submit(dcsite, *a, cwd=cwd) for a in arglists]
        return [f.result() for f in futs]


class Run:
    """A `dcsite run` and its reports."""

    def __init__(self, proc, outdir, name):
        self.proc = proc
        self.rc = proc.rc
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.outdir = outdir
        self.name = name

    def describe(self):
        return self.proc.describe()

    def path(self, ext):
        return os.path.join(self.outdir, "%s.%s" % (self.name, ext))

    def rows(self):
        return read_gpkg(self.path("gpkg"))[0]

    def summary(self):
        with open(self.path("json")) as fp:
            return json.load(fp)


def write_scenario(workdir, scen, tag):
    path = os.path.join(workdir, tag + ".json")
    with open(path, "w") as fp:
        json.dump(scen, fp, indent=2)
    return path


def run_scenarios(workdir, scens):
    """scens: {tag: scenario}; each is written as <workdir>/<tag>.json and
    `dcsite run` into <workdir>/out-<tag>, in parallel."""
    tags = list(scens)
    args = []
    for tag in tags:
        path = write_scenario(workdir, scens[tag], tag)
        args.append(["run", path, "-o", os.path.join(workdir, "out-" + tag), "--quiet"])
    procs = dcsite_many(args, cwd=workdir)
    return {tag: Run(p, os.path.join(workdir, "out-" + tag), scens[tag]["name"])
            for tag, p in zip(tags, procs)}


def read_gpkg(path):
    """({site_id: {field: value}}, field names) of the 'candidates' layer."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("candidates")
    assert lyr is not None, "layer 'candidates' missing in %s" % path
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    out = {}
    for f in lyr:
        row = {n: (None if f.IsFieldNull(n) else f.GetField(n)) for n in names}
        assert row["site_id"] not in out, "duplicate site_id %s" % row["site_id"]
        out[row["site_id"]] = row
    ds = None
    return out, names


def rule_names(reasons):
    if not reasons:
        return set()
    return {part.split(":", 1)[0].strip() for part in reasons.split("; ")}


class Tmp:
    root = None


def workdir(name):
    d = os.path.join(Tmp.root, name)
    os.makedirs(d, exist_ok=True)
    return d


def setUpModule():
    Tmp.root = tempfile.mkdtemp(prefix="dcsite-energy-")
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

    def ok(self, proc):
        self.assertEqual(proc.rc, 0, "dcsite failed:\n" + proc.describe())
        return proc

    def assertRel(self, a, b, rel, what=""):
        self.assertIsNotNone(a, what + ": got null")
        self.assertIsNotNone(b, what + ": reference is null")
        good, msg = rel_close(a, b, rel, what)
        self.assertTrue(good, msg)


def check_station_json(tc, st, it_mw):
    """Field presence and the identities every station result obeys."""
    for k in STATION_FIELDS:
        tc.assertIn(k, st, "station JSON lacks %r" % k)
    tc.assertEqual(len(st["monthly"]), 12)
    tc.assertEqual([m["month"] for m in st["monthly"]], list(range(1, 13)))
    for m in st["monthly"]:
        for k in ("energy_mwh", "water_m3", "pue"):
            tc.assertIn(k, m, "monthly entry lacks %r" % k)
    tc.assertEqual(st["free_hours"] + st["partial_hours"] + st["mechanical_hours"], HOURS)
    # a constant IT load for 8760 h (1e-9 relative: a sum of 8760 equal terms)
    tc.assertRel(st["it_energy_mwh_yr"], it_mw * HOURS, 1e-9, "IT energy")


# ===========================================================================
# 1. `dcsite energy FILE`: every archetype on the Chicago EPW and TMY3
# ===========================================================================

CHICAGO = {"epw": CHICAGO_EPW, "tmy3": CHICAGO_TMY3}


# Operators' published figures (docs/methods.md, "Calibration against
# published figures"), an independent reference: Google's trailing-twelve-
# month PUE by campus (datacenters.google/efficiency) at the nearest TMY3
# station, hyperscale class, water economizer, each within 0.05; direct
# evaporative (air economizer) WUE of Meta Prineville (Redmond OR) and AWS
# us-east-1 (Dulles) within 50 %, since operators draw the WUE boundary
# differently (The Green Grid WP#35).
GOOGLE_PUE = {"WA-The_Dalles_Municipal_Arpt": 1.10, "IA-Council_Bluffs": 1.11,
              "OK-Tulsa_International_Airport": 1.11, "NC-Hickory_Regional_Ap": 1.13,
              "NV-Las_Vegas_Mccarran_Intl_Ap": 1.09, "TX-Dallasfort_Worth_Intl_Ap": 1.10}
PUBLISHED_WUE = {"OR-Redmond_Roberts_Field": 0.22,
                 "VA-Washington_Dc_Dulles_Intl_Ar_Sterling_Isis": 0.12}


class T0Calibration(FixtureCase):
    """`dcsite energy --design-class hyperscale` against published figures."""

    @classmethod
    def build(cls, wd):
        jobs = {}
        for st in GOOGLE_PUE:
            jobs[("pue", st)] = ["energy", os.path.join(TMY3_DIR, st + ".tmy3.gz"),
                                 "--design-class", "hyperscale", "--json"]
        for st in PUBLISHED_WUE:
            jobs[("wue", st)] = ["energy", os.path.join(TMY3_DIR, st + ".tmy3.gz"),
                                 "--design-class", "hyperscale", "--cooling", "air_economizer",
                                 "--json"]
        keys = list(jobs)
        return dict(zip(keys, dcsite_many([jobs[k] for k in keys], cwd=wd)))

    def test_google_pue_within_005(self):
        fx = self.fixture()
        for st, pue in GOOGLE_PUE.items():
            with self.subTest(station=st):
                d = self.ok(fx[("pue", st)]).json()
                self.assertEqual(d["design_class"], "hyperscale")
                self.assertLessEqual(abs(d["pue_annual"] - pue), 0.05,
                                     "%s: %.3f vs published %.2f" % (st, d["pue_annual"], pue))

    def test_direct_evaporative_wue_within_half(self):
        fx = self.fixture()
        for st, wue in PUBLISHED_WUE.items():
            with self.subTest(station=st):
                d = self.ok(fx[("wue", st)]).json()
                self.assertLessEqual(abs(d["wue_l_kwh"] - wue), 0.5 * wue,
                                     "%s: %.3f vs published %.2f" % (st, d["wue_l_kwh"], wue))

    def test_unknown_class_is_a_usage_error(self):
        r = dcsite("energy", os.path.join(TMY3_DIR, "IA-Council_Bluffs.tmy3.gz"),
                   "--design-class", "bogus")
        self.assertEqual(r.rc, 2, r.describe())
        self.assertIn('unknown class "bogus"', r.stderr)


class T1EnergyCommand(FixtureCase):

    @classmethod
    def build(cls, wd):
        jobs = {}
        for a in ARCHETYPES:
            for fmt, path in CHICAGO.items():
                jobs[(a, fmt, "json100")] = ["energy", path, "--cooling", a, "--json"]
                jobs[(a, fmt, "json10")] = ["energy", path, "--cooling", a, "--it-mw", "10",
                                            "--json"]
                jobs[(a, fmt, "text")] = ["energy", path, "--cooling", a]
        jobs[("water_economizer", "leap", "json100")] = ["energy", LEAP_EPW, "--json"]
        jobs[("default", "epw", "json100")] = ["energy", CHICAGO_EPW, "--json", "-m", "100"]
        keys = list(jobs)
        procs = dcsite_many([jobs[k] for k in keys], cwd=wd)
        return dict(zip(keys, procs))

    def results(self, kind="json100"):
        fx = self.fixture()
        out = {}
        for a in ARCHETYPES:
            for fmt in CHICAGO:
                p = self.ok(fx[(a, fmt, kind)])
                out[(a, fmt)] = p if kind == "text" else p.json()
        return out

    def test_json_fields_present_for_every_archetype(self):
        # exit 0, one JSON object with the station fields of
        # dcs_report_station_json plus "cooling" and "it_load_mw"; the
        # default IT load is 100 MW and the default archetype the water
        # economizer (options.c).
        fx = self.fixture()
        for (a, fmt), d in self.results().items():
            with self.subTest(archetype=a, format=fmt):
                check_station_json(self, d, 100)
                self.assertEqual(d["cooling"], a)
                self.assertEqual(d["it_load_mw"], 100)
                self.assertEqual(d["file"], CHICAGO[fmt])
                self.assertAlmostEqual(d["lat"], 41.98, delta=0.01)
                self.assertAlmostEqual(d["lon"], -87.92, delta=0.01)
                self.assertAlmostEqual(d["elevation_m"], 201, delta=0.5)
                for k in ("pue_annual", "pue_peak", "peak_demand_mw", "energy_mwh_yr",
                          "water_m3_yr", "wue_l_kwh", "peak_day_water_m3"):
                    self.assertIsInstance(d[k], (int, float), k)
        default = self.ok(fx[("default", "epw", "json100")]).json()
        self.assertEqual(default["cooling"], "water_economizer")
        self.assertEqual(default, self.results()[("water_economizer", "epw")])

    def test_epw_and_tmy3_agree_within_half_a_percent(self):
        # Reference: the same station-year in two formats (fixture README:
        # identical dry bulb, dew point and RH; pressure 100 Pa steps in
        # both).  0.5 % relative (0 == 0 for the dry archetypes): only
        # header rounding (lat/lon/elevation) may differ, and the hourly
        # model does not use the position.
        r = self.results()
        for a in ARCHETYPES:
            e, t = r[(a, "epw")], r[(a, "tmy3")]
            for k in ("pue_annual", "pue_peak", "water_m3_yr", "energy_mwh_yr"):
                with self.subTest(archetype=a, field=k):
                    self.assertRel(e[k], t[k], 0.005, "%s %s EPW vs TMY3" % (a, k))

    def test_monthly_profile_sums_to_the_year(self):
        # Reference: the annual totals in the same JSON.  1e-6 relative:
        # 12 partial sums of the same 8760 hourly terms, so only rounding
        # (~1e-13) separates them.  Monthly PUE = month energy / month IT
        # energy, with IT energy = IT MW x 24 x days of the month (constant
        # load; 365-day year): 1e-9 relative.
        for (a, fmt), d in self.results().items():
            with self.subTest(archetype=a, format=fmt):
                months = d["monthly"]
                self.assertRel(sum(m["energy_mwh"] for m in months), d["energy_mwh_yr"], 1e-6,
                               "sum of monthly energy")
                self.assertRel(sum(m["water_m3"] for m in months), d["water_m3_yr"], 1e-6,
                               "sum of monthly water")
                for m, days in zip(months, MONTH_DAYS):
                    self.assertRel(m["pue"], m["energy_mwh"] / (100.0 * 24 * days), 1e-9,
                                   "month %d PUE" % m["month"])

    def test_operating_mode_hours_add_up_to_8760(self):
        # exact: every hour is in exactly one mode
        for (a, fmt), d in self.results().items():
            with self.subTest(archetype=a, format=fmt):
                for k in ("free_hours", "partial_hours", "mechanical_hours"):
                    self.assertIsInstance(d[k], int, k)
                    self.assertGreaterEqual(d[k], 0, k)
                self.assertEqual(d["free_hours"] + d["partial_hours"] + d["mechanical_hours"],
                                 HOURS)

    def test_annual_identities(self):
        # energy.h definitions, recomputed from the same JSON (1e-9
        # relative, rounding only): IT energy = IT MW x 8760; PUE = energy /
        # IT energy; peak demand = peak PUE x IT MW (constant load: the
        # hour of peak demand is the hour of peak PUE); WUE (L/kWh) = water
        # m3 x 1000 / (IT MWh x 1000).  The peak day's water is between the
        # mean day's (water / 365) and the year's.
        for (a, fmt), d in self.results().items():
            with self.subTest(archetype=a, format=fmt):
                self.assertRel(d["it_energy_mwh_yr"], 100.0 * HOURS, 1e-9, "IT energy")
                self.assertRel(d["pue_annual"], d["energy_mwh_yr"] / d["it_energy_mwh_yr"], 1e-9,
                               "PUE")
                self.assertRel(d["peak_demand_mw"], d["pue_peak"] * 100.0, 1e-9, "peak MW")
                self.assertRel(d["wue_l_kwh"], d["water_m3_yr"] / d["it_energy_mwh_yr"], 1e-9,
                               "WUE")
                self.assertGreaterEqual(d["peak_day_water_m3"] * (1 + 1e-12),
                                        d["water_m3_yr"] / 365.0)
                self.assertLessEqual(d["peak_day_water_m3"], d["water_m3_yr"] * (1 + 1e-12))

    def test_it_load_scales_energy_linearly_and_leaves_pue_alone(self):
        # Reference: the run at 100 MW.  Every term of cooling.c (losses,
        # fans, pumps, chillers, evaporation) is proportional to the IT
        # load, so energy, water and peak demand at 10 MW are a tenth of
        # those at 100 MW and annual, peak and monthly PUE are the same:
        # 1e-9 relative (the ratios differ only by float rounding).
        r100, r10 = self.results("json100"), self.results("json10")
        for key in r100:
            a, b = r100[key], r10[key]
            with self.subTest(archetype=key[0], format=key[1]):
                self.assertEqual(b["it_load_mw"], 10)
                for k in ("energy_mwh_yr", "it_energy_mwh_yr", "water_m3_yr", "peak_demand_mw",
                          "peak_day_water_m3"):
                    self.assertRel(b[k] * 10.0, a[k], 1e-9, "%s x 10" % k)
                for k in ("pue_annual", "pue_peak", "wue_l_kwh"):
                    self.assertRel(b[k], a[k], 1e-9, k)
                for ma, mb in zip(a["monthly"], b["monthly"]):
                    self.assertRel(mb["pue"], ma["pue"], 1e-9, "month %d PUE" % ma["month"])
                    self.assertRel(mb["energy_mwh"] * 10.0, ma["energy_mwh"], 1e-9,
                                   "month %d energy x 10" % ma["month"])
                for k in ("free_hours", "partial_hours", "mechanical_hours"):
                    self.assertEqual(b[k], a[k], k)

    def test_text_output_shows_the_json_values(self):
        # print_energy: annual and peak PUE with 3 decimals, the mode hours
        # exactly; "%.3f" in Python and C both round the same double
        # correctly, so the strings must be identical.
        texts, js = self.results("text"), self.results()
        for key, p in texts.items():
            d = js[key]
            with self.subTest(archetype=key[0], format=key[1]):
                out = p.stdout
                self.assertIn(key[0], out.splitlines()[0])
                m = re.search(r"^\s*annual PUE\s+(\S+)\s*$", out, re.M)
                self.assertIsNotNone(m, "no 'annual PUE' line:\n" + out)
                self.assertEqual(m.group(1), "%.3f" % d["pue_annual"])
                m = re.search(r"^\s*peak PUE\s+(\S+)\s*$", out, re.M)
                self.assertIsNotNone(m, "no 'peak PUE' line:\n" + out)
                self.assertEqual(m.group(1), "%.3f" % d["pue_peak"])
                m = re.search(r"hours free / partial / mechanical:\s*(\d+) / (\d+) / (\d+)", out)
                self.assertIsNotNone(m, "no mode hours line:\n" + out)
                self.assertEqual(tuple(int(g) for g in m.groups()),
                                 (d["free_hours"], d["partial_hours"], d["mechanical_hours"]))
                self.assertEqual(len(re.findall(r"^\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct"
                                                r"|Nov|Dec)\s", out, re.M)), 12)

    def test_leap_year_epw_gives_the_chicago_year(self):
        # Reference: chicago.epw.  odd_header_leap.epw is that year dated
        # 2024 with 29 February added as a copy of 28 February (fixture
        # README); dropping it gives back the same 8760 hours, so every
        # result is identical (1e-12 relative) and stderr warns of the
        # dropped rows while stdout stays pure JSON.
        fx = self.fixture()
        p = self.ok(fx[("water_economizer", "leap", "json100")])
        leap, ref = p.json(), self.results()[("water_economizer", "epw")]
        self.assertIn("29 February", p.stderr)
        self.assertIn("WARNING", p.stderr)
        for k in ("pue_annual", "pue_peak", "energy_mwh_yr", "water_m3_yr", "peak_day_water_m3"):
            self.assertRel(leap[k], ref[k], 1e-12, k)
        for k in ("free_hours", "partial_hours", "mechanical_hours"):
            self.assertEqual(leap[k], ref[k], k)


# ===========================================================================
# 2. physics invariants over every archetype and every fixture station
# ===========================================================================

def tmy3_fixtures():
    return sorted(os.path.join(TMY3_DIR, f) for f in os.listdir(TMY3_DIR)
                  if f.endswith(".tmy3.gz"))


class T2PhysicsInvariants(FixtureCase):

    @classmethod
    def build(cls, wd):
        files = tmy3_fixtures() + [CHICAGO_EPW]
        keys = [(a, f) for a in ARCHETYPES for f in files]
        procs = dcsite_many([["energy", f, "--cooling", a, "--json"] for a, f in keys], cwd=wd)
        return dict(zip(keys, procs))

    def results(self):
        fx = self.fixture()
        self.assertGreaterEqual(len({f for _, f in fx}), 20, "expected the 20 TMY3 fixtures")
        return {k: self.ok(p).json() for k, p in fx.items()}

    def test_dry_archetypes_use_no_water(self):
        # cooling.h: air-cooled chillers and liquid cooling with dry
        # coolers evaporate nothing -- exactly 0, every month, every station.
        for (a, f), d in self.results().items():
            if a not in DRY_ARCHETYPES:
                continue
            with self.subTest(archetype=a, station=os.path.basename(f)):
                self.assertEqual(d["water_m3_yr"], 0)
                self.assertEqual(d["wue_l_kwh"], 0)
                self.assertEqual(d["peak_day_water_m3"], 0)
                self.assertEqual([m["water_m3"] for m in d["monthly"]], [0] * 12)

    def test_cooling_towers_always_use_water(self):
        # A water economizer rejects all its heat through evaporative
        # towers (cooling.c evaporates heat rejected / h_fg every hour), so
        # every month uses water.
        for (a, f), d in self.results().items():
            if a == "water_economizer":
                with self.subTest(station=os.path.basename(f)):
                    self.assertGreater(min(m["water_m3"] for m in d["monthly"]), 0)

    def test_air_economizer_uses_more_water_in_phoenix_than_charleston(self):
        # Direct evaporative cooling runs when it is hot and dry (Phoenix)
        # and is locked out when the outside dew point is above the supply
        # limit (humid Charleston): Phoenix must evaporate more.
        r = self.results()
        phx, chs = r[("air_economizer", PHOENIX)], r[("air_economizer", CHARLESTON)]
        self.assertGreater(phx["water_m3_yr"], chs["water_m3_yr"],
                           "air_economizer water: Phoenix %r m3, Charleston %r m3"
                           % (phx["water_m3_yr"], chs["water_m3_yr"]))
        self.assertGreater(phx["wue_l_kwh"], chs["wue_l_kwh"])

    def test_every_pue_is_above_the_electrical_losses(self):
        # Hard floor: 1 + (1/0.96 - 1 + 0.025) = 1.0667 from UPS,
        # distribution and lighting alone (cooling.h defaults); every
        # cooling mode adds fans or pumps on top.  Checked for the annual,
        # peak and every monthly PUE (no tolerance needed: strict >).
        for (a, f), d in self.results().items():
            with self.subTest(archetype=a, station=os.path.basename(f)):
                self.assertGreater(d["pue_annual"], PUE_FLOOR)
                self.assertGreater(d["pue_peak"], PUE_FLOOR)
                for m in d["monthly"]:
                    self.assertGreater(m["pue"], PUE_FLOOR, "month %d" % m["month"])

    def test_peak_pue_is_at_least_annual_and_monthly_pue(self):
        # At a constant IT load the annual (and a monthly) PUE is the mean
        # of the hourly PUEs; the peak is their maximum.  1e-12 relative
        # slack for rounding of the mean.
        for (a, f), d in self.results().items():
            with self.subTest(archetype=a, station=os.path.basename(f)):
                self.assertGreaterEqual(d["pue_peak"] * (1 + 1e-12), d["pue_annual"])
                for m in d["monthly"]:
                    self.assertGreaterEqual(d["pue_peak"] * (1 + 1e-12), m["pue"],
                                            "month %d" % m["month"])
                    self.assertGreaterEqual(m["pue"] * (1 + 1e-12), PUE_FLOOR)


# ===========================================================================
# 3. exit codes and messages of `dcsite energy`
# ===========================================================================

class T3EnergyErrors(FixtureCase):

    @classmethod
    def build(cls, wd):
        truncated = os.path.join(wd, "truncated.tmy3")
        with gzip.open(DALLAS_LF, "rt", newline="") as src, open(truncated, "w",
                                                                 newline="") as dst:
            for _ in range(100):
                dst.write(src.readline())
        missing = os.path.join(wd, "no-such-station.tmy3")
        jobs = {
            "missing": ["energy", missing],
            "truncated": ["energy", truncated, "--json"],
            "cooling": ["energy", CHICAGO_TMY3, "--cooling", "swamp"],
            "it_abc": ["energy", CHICAGO_TMY3, "--it-mw", "abc"],
            "it_zero": ["energy", CHICAGO_TMY3, "--it-mw", "0"],
            "it_negative": ["energy", CHICAGO_TMY3, "--it-mw=-5"],
            "no_file": ["energy"],
            "no_file_json": ["energy", "--json"],
            "run_json": ["run", os.path.join(wd, "scenario.json"), "--json"],
            "energy_output": ["energy", CHICAGO_TMY3, "-o", wd],
        }
        keys = list(jobs)
        procs = dcsite_many([jobs[k] for k in keys], cwd=wd)
        runs = dict(zip(keys, procs))
        runs["paths"] = {"truncated": truncated, "missing": missing}
        return runs

    def expect(self, key, code, *needles):
        fx = self.fixture()
        p = fx[key]
        self.assertEqual(p.rc, code, "expected exit %d:\n%s" % (code, p.describe()))
        self.assertEqual(p.stdout, "", "nothing on stdout on an error:\n" + p.describe())
        for n in needles:
            self.assertIn(n, p.stderr, "stderr should mention %r:\n%s" % (n, p.describe()))
        return p

    def test_missing_weather_file_is_a_data_error_naming_it(self):
        self.expect("missing", 4, self.fixture()["paths"]["missing"], "dcsite: ERROR:")

    def test_truncated_tmy3_names_file_and_missing_rows(self):
        # 100 lines = 2 header lines + 98 hourly rows: dcsite must say the
        # file has only 98 of the 8760 hours and where it ends.
        p = self.expect("truncated", 4, self.fixture()["paths"]["truncated"], "8760")
        self.assertRegex(p.stderr, r"\b98\b", "the number of rows read (98)")
        self.assertIn("line 100", p.stderr)

    def test_unknown_cooling_is_a_usage_error_listing_archetypes(self):
        self.expect("cooling", 2, "swamp", *ARCHETYPES)

    def test_it_mw_must_be_a_positive_number(self):
        self.expect("it_abc", 2, "--it-mw", "abc")
        self.expect("it_zero", 2, "--it-mw")
        self.expect("it_negative", 2, "--it-mw")

    def test_energy_without_a_file_is_a_usage_error(self):
        self.expect("no_file", 2, "weather file")
        self.expect("no_file_json", 2, "weather file")

    def test_options_of_energy_do_not_apply_to_run_and_back(self):
        self.expect("run_json", 2, "--json")
        self.expect("energy_output", 2, "--output")


# ===========================================================================
# 4. a scenario with an "energy" section
# ===========================================================================

# 500 m square sites (UTM 14N, lower-left corners).  Dallas Love Field is at
# about (701 200, 3 636 700), Fort Worth Meacham at (652 900, 3 632 200),
# 48 km apart: the DAL sites and MID are far nearer the first, the FTW
# sites the second (design-checked in the test).
SITE_SIZE = 500.0
SITES = {
    "DAL-N": (703000, 3640000),
    "DAL-S": (700000, 3628000),
    "MID": (685000, 3634000),
    "FTW-W": (648000, 3632000),
    "FTW-N": (652500, 3638000),
}
# each site's own substation (345 kV), SUB_EAST metres east of its east
# edge and nearer than any other; the facility asks for 100 MW x design PUE
# 1.0 = 100 MW, so all qualify, but FTW-N's 103 MW is below any modelled
# peak (>= 100 x 1.0667, the electrical-loss floor): it is the one site the
# headroom margin excludes.
HEADROOM = {"DAL-N": 400.0, "DAL-S": 250.0, "MID": 180.0, "FTW-W": 300.0, "FTW-N": 103.0}
SUB_EAST = {"DAL-N": 1500.0, "DAL-S": 4000.0, "MID": 2500.0, "FTW-W": 1000.0, "FTW-N": 3000.0}
SHORT_SITES = {"FTW-N"}
# eGRID-like regions (lb CO2/MWh), by x
EGRID = [("ERCT-W", 900.5, (600000, 3580000, 676000, 3700000)),
         ("ERCT-E", 820.25, (676000, 3580000, 760000, 3700000))]
# counties (text FIPS) and the price CSV ($/kWh); 48397 (MID) is not in it
COUNTIES = [("48439", (600000, 3580000, 670000, 3700000)),
            ("48397", (670000, 3580000, 695000, 3700000)),
            ("48113", (695000, 3634000, 760000, 3700000)),
            ("48139", (695000, 3580000, 760000, 3634000))]
PRICES = {"48439": 0.0712, "48113": 0.0825, "48139": 0.0655, "01001": 0.099}
# water-stress basins (score), by y
BASINS = [("north", 3.2, (600000, 3635000, 760000, 3700000)),
          ("south", 1.7, (600000, 3580000, 760000, 3635000))]
ACCEL_KW = 1.4
IT_MW = 100.0


def site_box(sid):
    x0, y0 = SITES[sid]
    return (x0, y0, x0 + SITE_SIZE, y0 + SITE_SIZE)


def zone_value(zones, sid, idx):
    """The zone holding the site's centre (its representative point)."""
    x0, y0, x1, y1 = site_box(sid)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hits = [z for z in zones if z[-1][0] < cx < z[-1][2] and z[-1][1] < cy < z[-1][3]]
    assert len(hits) == 1, "design: %s must be in exactly one zone" % sid
    return hits[0][idx]


def energy_scenario(name, wd, **energy):
    """The scenario of test 4, written to wd (station paths relative to it,
    as in data/scenarios/dallas.json); energy overrides (None deletes)."""
    e = {
        "cooling": "water_economizer",
        "stations": [os.path.relpath(DALLAS_LF, wd), os.path.relpath(FTW_MEACHAM, wd)],
        "co2_metric": "grid_co2_lb_mwh",
        "price_metric": "industrial_price_usd_kwh",
        "water_stress_metric": "water_stress",
        "accelerator_kw": ACCEL_KW,
    }
    e.update(energy)
    for k in [k for k, v in e.items() if v is None]:
        del e[k]
    return {
        "name": name,
        "facility": {"it_load_mw": IT_MW, "design_pue": 1.0},
        "sites": {"dataset": "fixture.gpkg", "layer": "sites", "id_field": "site_id"},
        "substations": {"dataset": "fixture.gpkg", "layer": "subs", "id_field": "sub_id",
                        "voltage_field": "kv", "headroom_field": "headroom_mw"},
        "zones": [
            {"name": "egrid", "dataset": "fixture.gpkg", "layer": "egrid",
             "attributes": {"grid_subregion": "subrgn", "grid_co2_lb_mwh": "co2_lb_mwh"}},
            {"name": "county", "dataset": "fixture.gpkg", "layer": "counties",
             "attributes": {"county_fips": "fips"}},
            {"name": "basin", "dataset": "fixture.gpkg", "layer": "basins",
             "attributes": {"water_stress": "bws_score"}},
        ],
        "joins": [{"name": "price", "dataset": "prices.csv", "key_field": "county_fips",
                   "on": "county_fips",
                   "attributes": {"industrial_price_usd_kwh": "industrial_price"}}],
        "energy": e,
        "constraints": [{"name": "grid_can_serve_peak", "metric": "headroom_margin_mw",
                         "min": 0}],
        "criteria": [
            {"name": "efficiency", "metric": "pue_annual", "weight": 2,
             "value": {"type": "linear", "worst": 1.6, "best": 1.0}},
            {"name": "carbon", "metric": "co2_t_yr", "weight": 1,
             "value": {"type": "linear", "worst": 600000, "best": 100000}},
            {"name": "grid", "metric": "substation_km", "weight": 1,
             "value": {"type": "linear", "worst": 20, "best": 0}},
        ],
        "outputs": {"xlsx": False, "top_n": 1000},
    }


def write_energy_fixture(wd):
    sites, subs = [], []
    for sid in SITES:
        x0, y0, x1, y1 = site_box(sid)
        sites.append((box(x0, y0, x1, y1), {"site_id": sid}))
        subs.append((("point", (x1 + SUB_EAST[sid], (y0 + y1) / 2)),
                     {"sub_id": "SUB-" + sid, "kv": 345.0, "headroom_mw": HEADROOM[sid]}))
    write_gpkg(os.path.join(wd, "fixture.gpkg"), [
        ("sites", UTM, "polygon", [("site_id", "str")], sites),
        ("subs", 4326, "point", [("sub_id", "str"), ("kv", "real"), ("headroom_mw", "real")],
         subs),
        ("egrid", 4326, "polygon", [("subrgn", "str"), ("co2_lb_mwh", "real")],
         [(box(*b), {"subrgn": n, "co2_lb_mwh": v}) for n, v, b in EGRID]),
        ("counties", 4326, "polygon", [("fips", "str")],
         [(box(*b), {"fips": f}) for f, b in COUNTIES]),
        ("basins", UTM, "polygon", [("basin", "str"), ("bws_score", "real")],
         [(box(*b), {"basin": n, "bws_score": v}) for n, v, b in BASINS]),
    ])
    with open(os.path.join(wd, "prices.csv"), "w", newline="") as fp:
        w = csv.writer(fp, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow(["county_fips", "industrial_price"])
        for k, v in PRICES.items():
            w.writerow([k, v])
    with open(os.path.join(wd, "prices.csvt"), "w") as fp:
        fp.write('"String","Real"\n')


class T4ScenarioEnergy(FixtureCase):

    @classmethod
    def build(cls, wd):
        write_energy_fixture(wd)
        scens = {
            "main": energy_scenario("energy_main", wd),
            "ups": energy_scenario("energy_ups", wd, parameters={"ups_efficiency": 0.99}),
            "hyper": energy_scenario("energy_hyper", wd, design_class="hyperscale",
                                     parameters={"supply_c": 20}),
        }
        return run_scenarios(wd, scens)

    def main(self):
        fx = self.fixture()
        run = fx["main"]
        self.assertEqual(run.rc, 0, "dcsite run failed:\n" + run.describe())
        js = run.summary()
        self.assertIn("energy", js, "the JSON summary has no 'energy' section")
        stations = {s["name"]: s for s in js["energy"]["stations"]}
        return run.rows(), js, stations

    def test_energy_section_of_the_json_summary(self):
        rows, js, stations = self.main()
        en = js["energy"]
        self.assertEqual(en["cooling"], "water_economizer")
        self.assertEqual(en["it_load_mw"], IT_MW)
        self.assertEqual(en["accelerator_kw"], ACCEL_KW)
        self.assertEqual(sorted(stations), ["DALLAS LOVE FIELD", "FORT WORTH MEACHAM"])
        for p in ("supply_c", "chw_supply_c", "cycles_of_concentration", "ups_efficiency",
                  "distribution_loss", "lighting_misc"):
            self.assertIn(p, en["parameters"])
        # the loss floor of test 2 assumes these defaults
        self.assertEqual(en["parameters"]["ups_efficiency"], 0.96)
        self.assertEqual(en["parameters"]["distribution_loss"], 0.015)
        self.assertEqual(en["parameters"]["lighting_misc"], 0.01)
        for st in stations.values():
            with self.subTest(station=st["name"]):
                check_station_json(self, st, IT_MW)
                self.assertRel(st["it_energy_mwh_yr"], IT_MW * HOURS, 1e-9, "IT energy")
                self.assertRel(sum(m["energy_mwh"] for m in st["monthly"]), st["energy_mwh_yr"],
                               1e-6, "monthly energy")
        self.assertEqual(sorted(rows), sorted(SITES))
        for sid, r in rows.items():
            for m in ENERGY_METRICS:
                self.assertIn(m, r, "GeoPackage lacks energy metric %s" % m)

    def test_station_positions_match_the_weather_files(self):
        # TMY3 line 1: latitude, longitude, elevation (exact numbers).
        _, _, stations = self.main()
        for name, path in (("DALLAS LOVE FIELD", DALLAS_LF),
                           ("FORT WORTH MEACHAM", FTW_MEACHAM)):
            with gzip.open(path, "rt") as fp:
                head = next(csv.reader([fp.readline()]))
            st = stations[name]
            self.assertEqual((st["lat"], st["lon"], st["elevation_m"]),
                             (float(head[4]), float(head[5]), float(head[6])))

    def test_station_id_is_the_weather_files_usaf_number(self):
        # Reference: the first field of the TMY3 header line, the USAF
        # number, read from each file here.  Exact text, in the GeoPackage
        # (a text field, leading zeros kept) and in the JSON summary.
        rows, js, _ = self.main()
        ids = {}
        for name, path in (("DALLAS LOVE FIELD", DALLAS_LF),
                           ("FORT WORTH MEACHAM", FTW_MEACHAM)):
            with gzip.open(path, "rt") as fp:
                ids[name] = next(csv.reader([fp.readline()]))[0].strip()
        self.assertNotEqual(ids["DALLAS LOVE FIELD"], ids["FORT WORTH MEACHAM"], "design check")
        for sid, r in rows.items():
            with self.subTest(site=sid):
                self.assertIsInstance(r["weather_station_id"], str)
                self.assertEqual(r["weather_station_id"], ids[r["weather_station"]])
        self.assertGreater(len(js["top_sites"]), 0)
        for t in js["top_sites"]:
            m = t["metrics"]
            self.assertEqual(m["weather_station_id"], ids[m["weather_station"]], t["site_id"])

    def test_every_site_gets_its_geodesically_nearest_station(self):
        # Reference: pyproj Geod.inv from the site's reported lon/lat (its
        # representative point, the square's centre) to each station's
        # lat/lon in the JSON summary; the nearest must be the one named.
        # Design check: the two candidates differ by > 5 km, far more than
        # the 0.35 km a polygon-vs-centre distance could shift them.
        rows, _, stations = self.main()
        for sid, r in rows.items():
            with self.subTest(site=sid):
                d = {n: geodesic_km_lonlat(r["lon"], r["lat"], s["lon"], s["lat"])
                     for n, s in stations.items()}
                near = sorted(d, key=d.get)
                self.assertGreater(d[near[1]] - d[near[0]], 5.0, "design check")
                self.assertEqual(r["weather_station"], near[0],
                                 "%s: distances %r" % (sid, d))
                self.assertEqual(near[0], "DALLAS LOVE FIELD" if sid[:3] in ("DAL", "MID")
                                 else "FORT WORTH MEACHAM")

    def test_weather_station_km_is_the_geodesic_distance(self):
        # (a) Within 0.5 km of Geod.inv from the site's lon/lat (centre):
        #     dcsite measures from the polygon's nearest point, which is at
        #     most half a diagonal (0.354 km) nearer than the centre.
        # (b) Tighter, 1 m: Geod.inv between the station and the nearest
        #     point of the designed square (the station's UTM position,
        #     pyproj, clamped into the box), as test_model.py does for
        #     <distance>_km; the square survives the UTM round trip exactly.
        rows, _, stations = self.main()
        for sid, r in rows.items():
            with self.subTest(site=sid):
                st = stations[r["weather_station"]]
                km = r["weather_station_km"]
                centre = geodesic_km_lonlat(r["lon"], r["lat"], st["lon"], st["lat"])
                self.assertLessEqual(abs(km - centre), 0.5,
                                     "%s: %r km vs centre %r km" % (sid, km, centre))
                self.assertLessEqual(km, centre + 1e-6)
                sx, sy = to_utm(st["lon"], st["lat"])
                x0, y0, x1, y1 = site_box(sid)
                nx, ny = min(max(sx, x0), x1), min(max(sy, y0), y1)
                want = geodesic_km_lonlat(*lonlat(nx, ny), st["lon"], st["lat"])
                self.assertAlmostEqual(km, want, delta=1e-3,
                                       msg="%s: %r km vs nearest-point %r km" % (sid, km, want))

    def test_site_energy_metrics_are_their_stations(self):
        # Reference: energy.stations of the JSON summary.  Sites share
        # their nearest station's year, so the values are the same doubles
        # (1e-9 relative is generous; the GeoPackage stores doubles).
        rows, _, stations = self.main()
        pairs = [("pue_annual", "pue_annual"), ("pue_peak", "pue_peak"),
                 ("peak_demand_mw", "peak_demand_mw"), ("energy_mwh_yr", "energy_mwh_yr"),
                 ("water_m3_yr", "water_m3_yr"), ("wue_l_kwh", "wue_l_kwh"),
                 ("peak_day_water_m3", "peak_day_water_m3")]
        for sid, r in rows.items():
            st = stations[r["weather_station"]]
            with self.subTest(site=sid):
                for site_k, st_k in pairs:
                    self.assertRel(r[site_k], st[st_k], 1e-9, site_k)
                self.assertEqual(r["economizer_hours"], st["free_hours"] + st["partial_hours"])
                self.assertEqual(r["mechanical_hours"], st["mechanical_hours"])
        # the two stations' years differ, so the match above means something
        d, f = stations["DALLAS LOVE FIELD"], stations["FORT WORTH MEACHAM"]
        self.assertNotEqual(d["pue_annual"], f["pue_annual"])

    def test_co2_is_energy_times_grid_rate(self):
        # co2_t_yr = energy_mwh_yr x co2_lb_mwh x 0.00045359237 t/lb
        # (energy.h; eGRID rates are lb/MWh).  The rate must be the designed
        # region's (exact); 1e-9 relative on the product.
        rows, _, _ = self.main()
        for sid, r in rows.items():
            with self.subTest(site=sid):
                rate = zone_value(EGRID, sid, 1)
                self.assertEqual(r["grid_co2_lb_mwh"], rate)
                self.assertRel(r["co2_t_yr"], r["energy_mwh_yr"] * rate * LB_TO_T, 1e-9,
                               "co2_t_yr")

    def test_costs_from_the_joined_price(self):
        # energy_cost_usd_yr = energy_mwh_yr x 1000 x $/kWh;
        # cost_usd_per_mwh_it = cost / (it_load_mw x 8760);
        # cost_usd_per_accel_hour = $/kWh x pue_annual x accelerator_kw
        # (an accelerator-hour draws accelerator_kw of IT power, times PUE
        # at the meter).  1e-9 relative.  The price comes from the CSV row of
        # the site's county FIPS (text, via .csvt Real); MID's county is not
        # in the CSV: its price and all three costs are null, never 0.
        rows, _, _ = self.main()
        for sid, r in rows.items():
            with self.subTest(site=sid):
                fips = zone_value(COUNTIES, sid, 0)
                self.assertEqual(r["county_fips"], fips)
                price = PRICES.get(fips)
                if price is None:
                    for k in ("industrial_price_usd_kwh", "energy_cost_usd_yr",
                              "cost_usd_per_mwh_it", "cost_usd_per_accel_hour"):
                        self.assertIsNone(r[k], "%s must be null without a price" % k)
                    continue
                self.assertEqual(r["industrial_price_usd_kwh"], price)
                cost = r["energy_mwh_yr"] * 1000.0 * price
                self.assertRel(r["energy_cost_usd_yr"], cost, 1e-9, "energy_cost_usd_yr")
                self.assertRel(r["cost_usd_per_mwh_it"], cost / (IT_MW * HOURS), 1e-9,
                               "cost_usd_per_mwh_it")
                self.assertRel(r["cost_usd_per_accel_hour"], price * r["pue_annual"] * ACCEL_KW,
                               1e-9, "cost_usd_per_accel_hour")
        self.assertIn(None, [PRICES.get(zone_value(COUNTIES, s, 0)) for s in SITES],
                      "design check: one site without a price")

    def test_headroom_margin_is_headroom_minus_modelled_peak(self):
        # headroom_margin_mw = substation_headroom_mw - peak_demand_mw;
        # the headroom is the designed substation's (exact); 1e-9 relative
        # on the difference (absolute 1e-9 MW near zero).
        rows, _, _ = self.main()
        for sid, r in rows.items():
            with self.subTest(site=sid):
                self.assertEqual(r["substation_id"], "SUB-" + sid)
                self.assertEqual(r["substation_headroom_mw"], HEADROOM[sid])
                want = HEADROOM[sid] - r["peak_demand_mw"]
                self.assertAlmostEqual(r["headroom_margin_mw"], want,
                                       delta=1e-9 * max(1.0, abs(want)))

    def test_wue_times_water_stress(self):
        # wue_x_water_stress = wue_l_kwh x the basin's score; 1e-9 relative.
        rows, _, _ = self.main()
        for sid, r in rows.items():
            with self.subTest(site=sid):
                stress = zone_value(BASINS, sid, 1)
                self.assertEqual(r["water_stress"], stress)
                self.assertRel(r["wue_x_water_stress"], r["wue_l_kwh"] * stress, 1e-9,
                               "wue_x_water_stress")

    def test_headroom_constraint_excludes_exactly_the_short_sites(self):
        # Reference: the sites whose substation headroom is below their
        # station's modelled peak (computed here from the GeoPackage);
        # by design exactly FTW-N.  They, and only they, are excluded by
        # the rule, and the JSON counts agree.
        rows, js, _ = self.main()
        short = {s for s, r in rows.items() if r["substation_headroom_mw"] < r["peak_demand_mw"]}
        self.assertEqual(short, SHORT_SITES, "design check")
        for sid, r in rows.items():
            with self.subTest(site=sid):
                if sid in short:
                    self.assertEqual(r["status"], "excluded")
                    self.assertEqual(rule_names(r["reasons"]), {"grid_can_serve_peak"})
                    self.assertIsNone(r["rank"])
                else:
                    self.assertEqual(r["status"], "eligible", r["reasons"])
        self.assertEqual(js["counts"]["eligible"], len(SITES) - len(short))
        by_rule = js["counts"]["excluded_by_rule"]
        self.assertEqual([v for k, v in by_rule.items() if k.startswith("grid_can_serve_peak")],
                         [len(short)], by_rule)

    def test_criteria_on_pue_and_co2(self):
        # Linear value = (worst - x) / (worst - best) clipped to 0..1;
        # weights normalised 2:1:1; score = sum of weight x value; ranks by
        # score.  Recomputed from the GeoPackage's metrics (1e-9).
        rows, js, _ = self.main()
        crit = energy_scenario("x", ".")["criteria"]
        total = sum(c["weight"] for c in crit)
        elig = {s: r for s, r in rows.items() if r["status"] == "eligible"}
        scores = {}
        for sid, r in elig.items():
            with self.subTest(site=sid):
                score = 0.0
                for c in crit:
                    x = r[c["metric"]]
                    v = c["value"]
                    val = min(1.0, max(0.0, (v["worst"] - x) / (v["worst"] - v["best"])))
                    self.assertAlmostEqual(r[c["name"] + "_value"], val, delta=1e-9,
                                           msg=c["name"])
                    self.assertAlmostEqual(r[c["name"] + "_contrib"], c["weight"] / total * val,
                                           delta=1e-9, msg=c["name"])
                    score += c["weight"] / total * val
                self.assertAlmostEqual(r["score"], score, delta=1e-9)
                scores[sid] = r["score"]
        # ranks follow dcsite's own scores (ties by site id)
        order = sorted(scores, key=lambda s: (-scores[s], s))
        self.assertEqual([rows[s]["rank"] for s in order], list(range(1, len(order) + 1)))
        self.assertEqual([t["site_id"] for t in js["top_sites"]], order)
        # the criteria are not trivially saturated
        vals = {round(elig[s]["efficiency_value"], 12) for s in elig}
        self.assertEqual(len(vals), 2, "two stations -> two PUE values: %r" % vals)

    def test_json_top_sites_carry_the_same_energy_metrics(self):
        # The JSON top_sites[].metrics and the GeoPackage hold the same
        # values (same doubles; 1e-12 relative).
        rows, js, _ = self.main()
        for t in js["top_sites"]:
            r = rows[t["site_id"]]
            with self.subTest(site=t["site_id"]):
                for m in ENERGY_METRICS:
                    a, b = t["metrics"][m], r[m]
                    if isinstance(a, str) or a is None or b is None:
                        self.assertEqual(a, b, m)
                    else:
                        self.assertRel(a, b, 1e-12, m)

    def test_cooling_parameter_overrides(self):
        # "parameters": {"ups_efficiency": 0.99} appears in the JSON
        # energy.parameters (every other parameter unchanged); it cuts the
        # UPS loss from 1/0.96 - 1 = 4.17 % to 1/0.99 - 1 = 1.01 % of the IT
        # load, so every station's annual and peak PUE drop -- by at least
        # the loss difference, 0.0316, minus fan/pump second-order effects;
        # checked as a drop of more than 0.02.
        fx = self.fixture()
        base = self.main()[1]["energy"]
        ups = fx["ups"]
        self.assertEqual(ups.rc, 0, ups.describe())
        en = ups.summary()["energy"]
        self.assertEqual(en["parameters"]["ups_efficiency"], 0.99)
        for k, v in base["parameters"].items():
            if k != "ups_efficiency":
                self.assertEqual(en["parameters"][k], v, k)
        b = {s["name"]: s for s in base["stations"]}
        for s in en["stations"]:
            with self.subTest(station=s["name"]):
                self.assertLess(s["pue_annual"], b[s["name"]]["pue_annual"] - 0.02)
                self.assertLess(s["pue_peak"], b[s["name"]]["pue_peak"] - 0.02)
                self.assertLess(s["peak_demand_mw"], b[s["name"]]["peak_demand_mw"])
        rows = ups.rows()
        for sid, r in rows.items():
            self.assertRel(r["pue_annual"],
                           {s["name"]: s for s in en["stations"]}[r["weather_station"]]
                           ["pue_annual"], 1e-9, sid)

    def test_design_class_sets_parameters_and_overrides_apply(self):
        # "design_class": "hyperscale" takes that class's values (cooling.c,
        # listed in docs/methods.md: UPS 0.99, chilled water 21 C, tower
        # approach 3 K), then "parameters" overrides one of them
        # (supply_c 20 instead of the class's 18.3).  The default class is
        # colocation (UPS 0.96).  Hyperscale's UPS alone lowers PUE by
        # 1/0.96 - 1/0.99 = 0.0316 less its larger distribution loss
        # (0.025 against 0.015) and lighting (0.005 against 0.01):
        # at least 0.02 lower everywhere.
        fx = self.fixture()
        base = self.main()[1]["energy"]
        self.assertEqual(base["design_class"], "colocation")
        self.assertEqual(base["parameters"]["ups_efficiency"], 0.96)
        run = fx["hyper"]
        self.assertEqual(run.rc, 0, run.describe())
        en = run.summary()["energy"]
        self.assertEqual(en["design_class"], "hyperscale")
        self.assertEqual(en["parameters"]["ups_efficiency"], 0.99)
        self.assertEqual(en["parameters"]["chw_supply_c"], 21)
        self.assertEqual(en["parameters"]["tower_approach_k"], 3)
        self.assertEqual(en["parameters"]["supply_c"], 20)
        b = {s["name"]: s for s in base["stations"]}
        for s in en["stations"]:
            with self.subTest(station=s["name"]):
                self.assertLess(s["pue_annual"], b[s["name"]]["pue_annual"] - 0.02)


# ===========================================================================
# 5. scenario errors and the station table
# ===========================================================================

class T5ScenarioErrorsAndStationTable(FixtureCase):

    @classmethod
    def build(cls, wd):
        write_energy_fixture(wd)
        # station table: a CSV whose "file" column lists the fixtures
        # relative to the scenario file; a third row is filtered out by
        # "where" (use = 0).
        os.makedirs(os.path.join(wd, "tables"))
        table = os.path.join(wd, "tables", "stations.csv")
        with open(table, "w", newline="") as fp:
            w = csv.writer(fp, quoting=csv.QUOTE_NONNUMERIC)
            w.writerow(["station", "file", "use"])
            w.writerow(["dal", os.path.relpath(DALLAS_LF, wd), 1])
            w.writerow(["phx", os.path.relpath(PHOENIX, wd), 0])
            w.writerow(["ftw", os.path.relpath(FTW_MEACHAM, wd), 1])
        with open(os.path.join(wd, "tables", "stations.csvt"), "w") as fp:
            fp.write('"String","String","Integer"\n')
        missing = os.path.join(wd, "weather", "TX-Nowhere.tmy3.gz")
        scens = {
            "main": energy_scenario("st_main", wd),
            "table": energy_scenario("st_table", wd, stations=None, station_table={
                "dataset": "tables/stations.csv", "where": "use = 1", "file_field": "file"}),
            "swamp": energy_scenario("st_swamp", wd, cooling="swamp"),
            "class": energy_scenario("st_class", wd, design_class="boutique"),
            "co2": energy_scenario("st_co2", wd, co2_metric="no_such_metric"),
            "missing": energy_scenario("st_missing", wd, stations=[
                os.path.relpath(DALLAS_LF, wd), "weather/TX-Nowhere.tmy3.gz"]),
        }
        # supply_max_c below supply_c: each value is in its own range, the
        # pair is not (cooling.h: dcs_cooling_check)
        scens["supply_max"] = energy_scenario("st_supply_max", wd, cooling="air_economizer",
                                              parameters={"supply_c": 24, "supply_max_c": 20})
        runs = run_scenarios(wd, scens)
        runs["missing_path"] = missing
        runs["check_missing"] = dcsite("check", os.path.join(wd, "missing.json"), cwd=wd)
        runs["check_main"] = dcsite("check", os.path.join(wd, "main.json"), cwd=wd)
        return runs

    def expect_error(self, run, code, *needles):
        self.assertEqual(run.rc, code, "expected exit %d:\n%s" % (code, run.describe()))
        for n in needles:
            self.assertIn(n, run.stderr, "stderr should mention %r:\n%s" % (n, run.describe()))
        self.assertFalse(os.path.exists(run.path("json")), "no reports after an error")

    def test_unknown_cooling_archetype_is_a_scenario_error(self):
        self.expect_error(self.fixture()["swamp"], 3, "energy.cooling", "swamp")

    def test_unknown_design_class_is_a_scenario_error(self):
        self.expect_error(self.fixture()["class"], 3, "energy.design_class", "boutique")

    def test_unknown_co2_metric_is_a_scenario_error(self):
        self.expect_error(self.fixture()["co2"], 3, "energy.co2_metric", "no_such_metric")

    def test_missing_station_file_is_a_data_error_naming_it(self):
        fx = self.fixture()
        self.expect_error(fx["missing"], 4, "TX-Nowhere.tmy3.gz")

    def test_supply_max_below_supply_is_a_scenario_error(self):
        # cooling.h: dcs_cooling_check() refuses supply_max_c < supply_c
        # (DCS_ERR_SCENARIO naming it; tests/unit/test_cooling.c checks the
        # function).  A scenario asking for it must be refused (exit 3,
        # naming energy.parameters.supply_max_c), not run with an
        # economizer limit below the supply setpoint.
        self.expect_error(self.fixture()["supply_max"], 3, "supply_max_c")

    def test_check_reports_a_missing_station_file(self):
        # README: `check` reports *every* problem "without running",
        # including "a missing file".  The weather file that makes `run`
        # exit 4 must make `check` report a data problem too (exit 4,
        # naming it); the valid scenario checks clean (exit 0).
        fx = self.fixture()
        good = fx["check_main"]
        self.assertEqual(good.rc, 0, good.describe())
        p = fx["check_missing"]
        self.assertEqual(p.rc, 4, "check must report the missing weather file:\n" + p.describe())
        self.assertIn("TX-Nowhere.tmy3.gz", p.stderr)

    def test_station_table_works_like_stations(self):
        # Reference: the run with the same two files in "stations".  The
        # where filter drops Phoenix; station results and every site's
        # energy metrics are the same doubles (1e-12 relative).
        fx = self.fixture()
        main, table = fx["main"], fx["table"]
        self.assertEqual(main.rc, 0, main.describe())
        self.assertEqual(table.rc, 0, table.describe())
        a = {s["name"]: s for s in main.summary()["energy"]["stations"]}
        b = {s["name"]: s for s in table.summary()["energy"]["stations"]}
        self.assertEqual(sorted(b), sorted(a))
        for name in a:
            for k in ("lat", "lon", "pue_annual", "pue_peak", "peak_demand_mw", "energy_mwh_yr",
                      "water_m3_yr"):
                self.assertRel(b[name][k], a[name][k], 1e-12, "%s %s" % (name, k))
            wd = workdir(type(self).__name__)
            self.assertTrue(os.path.samefile(os.path.join(wd, b[name]["file"]),
                                             os.path.join(wd, a[name]["file"])),
                            "%s: %s vs %s" % (name, b[name]["file"], a[name]["file"]))
        ra, rb = main.rows(), table.rows()
        self.assertEqual(sorted(ra), sorted(rb))
        for sid in ra:
            with self.subTest(site=sid):
                for m in ENERGY_METRICS:
                    x, y = ra[sid][m], rb[sid][m]
                    if isinstance(x, str) or x is None or y is None:
                        self.assertEqual(y, x, m)
                    else:
                        self.assertRel(y, x, 1e-12, m)


# ===========================================================================
# 6. the sample region
# ===========================================================================

class T6SampleRegion(FixtureCase):

    @classmethod
    def build(cls, wd):
        with open(DALLAS) as fp:
            scen = json.load(fp)
        out = os.path.join(wd, "out")
        p = dcsite("run", DALLAS, "-o", out, "--quiet", cwd=wd, timeout=300)
        return {"run": Run(p, out, scen["name"]), "scen": scen}

    def test_dallas_energy(self):
        fx = self.fixture()
        run, scen = fx["run"], fx["scen"]
        self.assertEqual(run.rc, 0, run.describe())
        js = run.summary()
        stations = js["energy"]["stations"]
        self.assertEqual(len(stations), 3)
        self.assertEqual(len(scen["energy"]["stations"]), 3)
        names = {s["name"] for s in stations}
        self.assertEqual(len(names), 3, names)
        rows, _ = read_gpkg(run.path("gpkg"))
        elig = {s: r for s, r in rows.items() if r["status"] == "eligible"}
        self.assertGreater(len(elig), 0)
        self.assertEqual(js["counts"]["eligible"], len(elig))
        for sid, r in elig.items():
            self.assertIsNotNone(r["headroom_margin_mw"], sid)
            self.assertGreaterEqual(r["headroom_margin_mw"], 0, sid)
            self.assertIn(r["weather_station"], names, sid)
        top = js["top_sites"][0]
        self.assertEqual(top["rank"], 1)
        self.assertIn(top["metrics"]["weather_station"], names)
        self.assertEqual(rows[top["site_id"]]["weather_station"], top["metrics"]["weather_station"])
        # the sites that fail the margin are exactly those short of the
        # modelled peak (reason names the rule)
        for sid, r in rows.items():
            if r["headroom_margin_mw"] is not None and r["headroom_margin_mw"] < 0:
                self.assertIn("grid_can_serve_peak", rule_names(r["reasons"]), sid)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
