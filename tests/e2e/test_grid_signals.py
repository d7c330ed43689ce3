#!/usr/bin/python3
"""Hourly grid signals: hourly carbon, 24/7 CFE and hourly cost (issue 26).

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_grid_signals.py

Fixtures are built here in a temporary directory: three square sites in
UTM 14N near Dallas, each in its own eGRID-like zone (regions "R1", "R2" and
"R3"; R3 is not in the signal table), one weather station (the Dallas Love
Field TMY3 of tests/fixtures/weather, so every site draws the same hourly
power), a long signal table for R1 and R2 (hour 1..8760, values drawn from a
seeded random.Random with a daily shape; gzip-compressed, as GDAL reads
.csv.gz through /vsigzip/) and a clean-supply shape in MW.

Where the references come from: the hourly facility power is that of
`dcsite energy WEATHERFILE --hourly FILE` (its facility_mw column, one row
per hour, 12 significant digits), combined here in plain Python with the
signal values this test wrote, by the formulas of docs/methods.md ("Hour by
hour against the grid"):
  co2 = sum(mw * rate) * 0.00045359237 t/lb,
  cfe_grid = 100 sum(mw * cfe) / sum(mw),
  cfe_matched = 100 sum(min(mw, ppa + max(mw - ppa, 0) * cfe)) / sum(mw),
  unmatched = sum(mw) - sum(min(...)), cost = sum(mw * price).
Tolerance 1e-9 relative: the CSV's 12 digits bound each hour's error at
5e-12 relative, and the sums have only positive terms except the price
(kept positive here).  No dcsite figure is its own reference.
"""
import csv
import gzip
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

import tapkit

from osgeo import ogr, osr

ogr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DALLAS_LF = os.path.join(REPO, "tests", "fixtures", "weather", "tmy3",
                         "TX-Dallas_Love_Field.tmy3.gz")
DCSITE = tapkit.dcsite_path()
REL = 1e-9
LB_TO_T = 0.00045359237
HOURS = 8760
UTM = 32614
# site id -> (x0, y0) of a 700 m square, and the region of its zone
SITES = {"A": ((690000, 3630000), "R1"), "B": ((700000, 3640000), "R2"),
         "C": ((710000, 3650000), "R3")}
SIGNALS = ("co2_avg_lb_mwh", "co2_marginal_lb_mwh", "cfe_share", "price_usd_mwh")


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def square(x0, y0, d):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((x0, y0), (x0 + d, y0), (x0 + d, y0 + d), (x0, y0 + d), (x0, y0)):
        ring.AddPoint_2D(x, y)
    g = ogr.Geometry(ogr.wkbPolygon)
    g.AddGeometry(ring)
    return g


def write_fixture(wd):
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(os.path.join(wd, "fx.gpkg"))
    sites = ds.CreateLayer("sites", srs(UTM), ogr.wkbPolygon)
    sites.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
    zones = ds.CreateLayer("zones", srs(UTM), ogr.wkbPolygon)
    zones.CreateField(ogr.FieldDefn("subrgn", ogr.OFTString))
    zones.CreateField(ogr.FieldDefn("co2", ogr.OFTReal))
    subs = ds.CreateLayer("subs", srs(UTM), ogr.wkbPoint)
    for n, t in (("sub_id", ogr.OFTString), ("kv", ogr.OFTReal)):
        subs.CreateField(ogr.FieldDefn(n, t))
    for sid, ((x0, y0), region) in SITES.items():
        f = ogr.Feature(sites.GetLayerDefn())
        f.SetField("site_id", sid)
        f.SetGeometry(square(x0, y0, 700))
        sites.CreateFeature(f)
        z = ogr.Feature(zones.GetLayerDefn())
        z.SetField("subrgn", region)
        z.SetField("co2", 800.0)
        z.SetGeometry(square(x0 - 2000, y0 - 2000, 5000))
        zones.CreateFeature(z)
        s = ogr.Feature(subs.GetLayerDefn())
        s.SetField("sub_id", "S" + sid)
        s.SetField("kv", 345.0)
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(x0 + 1500, y0 + 350)
        s.SetGeometry(p)
        subs.CreateFeature(s)
    ds = None


def make_signals(seed):
    """{region: {signal: [8760 values]}} with a daily shape and noise."""
    rng = random.Random(seed)
    out = {}
    for region, base in (("R1", 700.0), ("R2", 1100.0)):
        sig = {k: [] for k in SIGNALS}
        for h in range(HOURS):
            hod = h % 24
            cfe = round(min(1.0, max(0.0, 0.3 + 0.3 * math.sin(math.pi * hod / 24)
                                     + rng.uniform(-0.1, 0.1))), 4)
            sig["cfe_share"].append(cfe)
            sig["co2_avg_lb_mwh"].append(round(base * (1 - cfe) + rng.uniform(0, 50), 1))
            sig["co2_marginal_lb_mwh"].append(round(900 + rng.uniform(0, 400), 1))
            sig["price_usd_mwh"].append(round(20 + 30 * (hod >= 14 and hod <= 20)
                                              + rng.uniform(0, 10), 2))
        out[region] = sig
    return out


def write_signals(path, sig, mutate=None):
    """Long CSV (gzip when path ends in .gz); mutate(rows) may edit the rows."""
    rows = [["region", "hour"] + list(SIGNALS)]
    for region, s in sig.items():
        for h in range(HOURS):
            rows.append([region, str(h + 1)] + [repr(s[k][h]) for k in SIGNALS])
    if mutate:
        mutate(rows)
    text = "".join(",".join(r) + "\n" for r in rows)
    if path.endswith(".gz"):   # no time stamp: the same rows give the same bytes
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fp:
            fp.write(text.encode())
    else:
        with open(path, "w") as fp:
            fp.write(text)


def make_supply():
    # 60 MW from 08:00 to 18:00, 200 MW (more than the load) at noon, 0 else
    return [200.0 if h % 24 == 12 else 60.0 if 8 <= h % 24 < 18 else 0.0 for h in range(HOURS)]


def write_supply(path, ppa):
    with open(path, "w") as fp:
        fp.write("hour,mw\n")
        for h, v in enumerate(ppa):
            fp.write("%d,%r\n" % (h + 1, v))


def scenario(wd, signals="signals.csv.gz", supply="supply.csv", **hourly):
    hs = {"dataset": signals, "on": "grid_subregion",
          "fields": {k: k for k in SIGNALS}}
    hs.update(hourly)
    energy = {"cooling": "water_economizer",
              "stations": [os.path.relpath(DALLAS_LF, wd)],
              "co2_metric": "grid_co2_lb_mwh", "hourly_signals": hs}
    if supply:
        energy["clean_supply"] = {"dataset": supply}
    return {
        "name": "hourly",
        "facility": {"it_load_mw": 100, "design_pue": 1.5},
        "sites": {"dataset": "fx.gpkg", "layer": "sites", "id_field": "site_id"},
        "substations": {"dataset": "fx.gpkg", "layer": "subs", "id_field": "sub_id",
                        "voltage_field": "kv"},
        "zones": [{"name": "egrid", "dataset": "fx.gpkg", "layer": "zones",
                   "attributes": {"grid_subregion": "subrgn", "grid_co2_lb_mwh": "co2"}}],
        "energy": energy,
        "criteria": [{"name": "grid", "metric": "substation_km", "weight": 1,
                      "value": {"type": "linear", "worst": 20, "best": 0}}],
        "outputs": {"xlsx": False, "top_n": 10},
    }


def run(wd, scn, tag):
    path = os.path.join(wd, tag + ".json")
    with open(path, "w") as fp:
        json.dump(scn, fp)
    out = os.path.join(wd, "out-" + tag)
    p = subprocess.run([DCSITE, "run", path, "-o", out, "--quiet"], capture_output=True,
                       text=True, cwd=wd, timeout=300)
    return p, out


def read_sites(out):
    ds = ogr.Open(os.path.join(out, "hourly.gpkg"))
    lyr = ds.GetLayerByName("candidates")
    names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName()
             for i in range(lyr.GetLayerDefn().GetFieldCount())]
    rows = {}
    for f in lyr:
        rows[f.GetField("site_id")] = {n: None if f.IsFieldNull(n) else f.GetField(n)
                                       for n in names}
    return rows


def reference(mw, sig, ppa):
    tot = sum(mw)
    matched = sum(min(m, p + max(m - p, 0.0) * c) for m, p, c in zip(mw, ppa, sig["cfe_share"]))
    return {
        "co2_hourly_t_yr": sum(m * r for m, r in zip(mw, sig["co2_avg_lb_mwh"])) * LB_TO_T,
        "co2_marginal_t_yr": sum(m * r for m, r in zip(mw, sig["co2_marginal_lb_mwh"])) * LB_TO_T,
        "cfe_grid_pct": 100 * sum(m * c for m, c in zip(mw, sig["cfe_share"])) / tot,
        "cfe_matched_pct": 100 * matched / tot,
        "unmatched_mwh_yr": tot - matched,
        "energy_cost_hourly_usd_yr": sum(m * p for m, p in zip(mw, sig["price_usd_mwh"])),
    }


class Fx:
    wd = None
    sig = None
    ppa = None
    mw = None


def setUpModule():
    Fx.wd = tempfile.mkdtemp(prefix="dcsite-grid-signals-")
    unittest.addModuleCleanup(lambda: shutil.rmtree(Fx.wd, ignore_errors=True))
    write_fixture(Fx.wd)
    Fx.sig = make_signals(26)
    write_signals(os.path.join(Fx.wd, "signals.csv.gz"), Fx.sig)
    Fx.ppa = make_supply()
    write_supply(os.path.join(Fx.wd, "supply.csv"), Fx.ppa)
    hourly = os.path.join(Fx.wd, "hours.csv")
    p = subprocess.run([DCSITE, "energy", DALLAS_LF, "--it-mw", "100", "--hourly", hourly],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    with open(hourly) as fp:
        Fx.mw = [float(r["facility_mw"]) for r in csv.DictReader(fp)]
    assert len(Fx.mw) == HOURS


class T1SiteMetrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, cls.out = run(Fx.wd, scenario(Fx.wd), "main")

    def rows(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        return read_sites(self.out)

    def assertRel(self, got, want, what):
        self.assertIsNotNone(got, what)
        self.assertLessEqual(abs(got - want), REL * abs(want), "%s: got %r, want %r" %
                             (what, got, want))

    def test_metrics_match_the_hourly_csv_and_the_table(self):
        rows = self.rows()
        for sid in ("A", "B"):
            region = SITES[sid][1]
            ref = reference(Fx.mw, Fx.sig[region], Fx.ppa)
            for k, v in ref.items():
                with self.subTest(site=sid, metric=k):
                    self.assertRel(rows[sid][k], v, "%s %s" % (sid, k))

    def test_regions_differ_and_matching_adds_clean_energy(self):
        # R2's average rate is higher by design (base 1100 vs 700 lb/MWh)
        rows = self.rows()
        self.assertGreater(rows["B"]["co2_hourly_t_yr"], 1.3 * rows["A"]["co2_hourly_t_yr"])
        for sid in ("A", "B"):
            self.assertGreater(rows[sid]["cfe_matched_pct"], rows[sid]["cfe_grid_pct"] + 1)

    def test_annual_figure_stays_beside_the_hourly_one(self):
        # co2_t_yr = energy x the zone's 800 lb/MWh (the annual method)
        rows = self.rows()
        for sid in ("A", "B", "C"):
            self.assertRel(rows[sid]["co2_t_yr"], rows[sid]["energy_mwh_yr"] * 800 * LB_TO_T,
                           "co2_t_yr")

    def test_a_region_missing_from_the_table_gives_empty_metrics(self):
        rows = self.rows()
        for k in reference(Fx.mw, Fx.sig["R1"], Fx.ppa):
            self.assertIsNone(rows["C"][k], k)

    def test_the_missing_region_is_warned_about(self):
        self.rows()
        with open(os.path.join(self.out, "hourly.json")) as fp:
            warns = [w for w in json.load(fp)["warnings"] if w["code"] == "hourly_region_missing"]
        self.assertEqual(len(warns), 1, warns)
        self.assertIn("1 sites have a grid_subregion ('R3' first)", warns[0]["message"])
        self.assertIn("signals.csv.gz", warns[0]["message"])

    def test_dcsite_energy_signals_prints_the_same_figures(self):
        sig = os.path.join(Fx.wd, "signals.csv.gz")
        sup = os.path.join(Fx.wd, "supply.csv")
        p = subprocess.run([DCSITE, "energy", DALLAS_LF, "--json", "--signals", sig,
                            "--region", "R2", "--clean-supply", sup],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        g = json.loads(p.stdout)["hourly_grid"]
        self.assertEqual(g["region"], "R2")
        for k, v in reference(Fx.mw, Fx.sig["R2"], Fx.ppa).items():
            self.assertRel(g[k], v, k)
        # two regions and no --region: a usage error listing them
        p = subprocess.run([DCSITE, "energy", DALLAS_LF, "--signals", sig],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("R1, R2", p.stderr)


class T2TableErrors(unittest.TestCase):
    def fails(self, tag, mutate, *needles):
        path = "bad-%s.csv" % tag
        write_signals(os.path.join(Fx.wd, path), Fx.sig, mutate)
        p, _ = run(Fx.wd, scenario(Fx.wd, signals=path, supply=None), tag)
        self.assertEqual(p.returncode, 4, p.stderr)
        for n in (path,) + needles:
            self.assertIn(n, p.stderr)

    def test_duplicated_hour(self):
        def dup(rows):
            rows[10] = list(rows[10])
            rows[10][1] = "9"   # row 10 is R1 hour 9: hour 9 twice, hour 10 missing
        self.fails("dup", dup, "region 'R1': hour 9 appears more than once")

    def test_missing_hours(self):
        def drop(rows):
            del rows[HOURS + 100: HOURS + 110]   # R2 hours 100-109
        self.fails("short", drop, "region 'R2' has 8750 of the 8760 hours",
                   "hour 100 is the first missing")

    def test_not_a_number(self):
        def nan(rows):
            rows[5][4] = "n/a"   # R1 hour 5, cfe_share
        self.fails("nan", nan, "region 'R1', hour 5: cfe_share 'n/a' is not a number")

    def test_share_out_of_range(self):
        def pct(rows):
            rows[7][4] = "45"
        self.fails("pct", pct, "region 'R1', hour 7: cfe_share 45 is outside 0-1")


class T3ScenarioChecks(unittest.TestCase):
    def test_clean_supply_needs_a_cfe_share(self):
        scn = scenario(Fx.wd)
        del scn["energy"]["hourly_signals"]["fields"]["cfe_share"]
        p, _ = run(Fx.wd, scn, "nocfe")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("energy.clean_supply", p.stderr)
        self.assertIn("cfe_share", p.stderr)

    def test_on_must_be_a_known_text_metric(self):
        p, _ = run(Fx.wd, scenario(Fx.wd, on="grid_co2_lb_mwh"), "onnum")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("energy.hourly_signals.on", p.stderr)


class T4Fingerprint(unittest.TestCase):
    def test_the_signal_table_is_part_of_the_run_fingerprint(self):
        # the same scenario file run three times: the table unchanged, then
        # with one value changed inside the gzip file
        wd = os.path.join(Fx.wd, "fp")
        os.makedirs(wd, exist_ok=True)
        for f in ("fx.gpkg", "supply.csv"):
            shutil.copy(os.path.join(Fx.wd, f), wd)
        prints = []

        def change(rows):
            rows[1][4] = "0.9999"
        for mutate in (None, None, change):
            write_signals(os.path.join(wd, "signals.csv.gz"), Fx.sig, mutate)
            p, out = run(wd, scenario(wd), "fp")
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(out, "hourly.json")) as fp:
                prints.append(json.load(fp)["fingerprint"])
        self.assertEqual(prints[0], prints[1])
        self.assertNotEqual(prints[1], prints[2])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
