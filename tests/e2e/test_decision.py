#!/usr/bin/python3
"""End-to-end tests of decision support (issue 10): parcel assembly into
campuses, the Pareto front and the sensitivity of the ranking, as they
appear in the GeoPackage, the workbook and the JSON summary.

The fixture is built here in UTM 14N near Dallas:
  - a 3 x 3 fabric of 100 m parcels p0..p8 (1 ha each; p0 bottom left,
    p8 top right), owner X on the left column, Y elsewhere;
  - BIG1, 400 m x 300 m (12 ha), 50 m from the only substation S1;
  - BIG2, 300 m x 300 m (9 ha), 1.5 km from S1;
  - price_k: BIG1 900, BIG2 100, every small parcel 300.
The facility needs 2.5 ha, so no small parcel qualifies alone.  By the
assembly rule (analysis/decision/assembly.h) with owners, worked out by hand: X
gives campus_p0 = p0;p3;p6, Y gives campus_p1 = p1;p2;p4 and campus_p5 =
p5;p8;p7.  Criteria: distance to S1 (2 km worst, 0 best) and area (0 worst,
12 ha best), weights 1:1.  BIG1 is nearest and largest, so it leads under
any weights: P(top 1) = 1 and its ranks are 1..1 exactly.
Pareto on (substation_km min, price_k min): BIG1 (nearest), BIG2
(cheapest) and campus_p0 (nearest of the 300 k sites) and nobody else;
also checked against a brute-force dominance check of the written values.
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_decision.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

import tapkit
import openpyxl
from osgeo import ogr, osr

ogr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DCSITE = os.path.abspath(os.environ.get("DCSITE", os.path.join(REPO, "build", "dcsite")))
X0, Y0 = 700000.0, 3630000.0
TMP = None
DECISION_FIELDS = ("pareto", "p_top_n", "rank_p05", "rank_p50", "rank_p95", "n_parcels",
                   "parcels")


def box(x, y, w, h):
    return ogr.CreateGeometryFromWkt("POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
        x, y, x + w, y, x + w, y + h, x, y + h, x, y))


def build_fixture(tmp):
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(32614)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(os.path.join(tmp, "fixture.gpkg"))
    parcels = ds.CreateLayer("parcels", utm, ogr.wkbPolygon)
    for name, typ in (("pid", ogr.OFTString), ("owner", ogr.OFTString),
                      ("price_k", ogr.OFTReal)):
        parcels.CreateField(ogr.FieldDefn(name, typ))

    def parcel(pid, geom, owner, price):
        f = ogr.Feature(parcels.GetLayerDefn())
        f.SetField("pid", pid)
        f.SetField("owner", owner)
        f.SetField("price_k", price)
        f.SetGeometry(geom)
        parcels.CreateFeature(f)

    for k in range(9):
        parcel("p%d" % k, box(X0 + 100 * (k % 3), Y0 + 100 * (k // 3), 100, 100),
               "X" if k % 3 == 0 else "Y", 300)
    parcel("BIG1", box(X0 - 900, Y0, 400, 300), "Z", 900)
    parcel("BIG2", box(X0 + 1050, Y0, 300, 300), "Z", 100)
    subs = ds.CreateLayer("substations", utm, ogr.wkbPoint)
    for name, typ in (("sub_id", ogr.OFTString), ("kv", ogr.OFTReal), ("mw", ogr.OFTReal)):
        subs.CreateField(ogr.FieldDefn(name, typ))
    f = ogr.Feature(subs.GetLayerDefn())
    f.SetField("sub_id", "S1")
    f.SetField("kv", 345)
    f.SetField("mw", 500)
    f.SetGeometry(ogr.CreateGeometryFromWkt("POINT(%f %f)" % (X0 - 450, Y0 + 150)))
    subs.CreateFeature(f)
    ds = None


def scenario(**changes):
    s = {
        "name": "decision_test",
        "facility": {"it_load_mw": 50, "land_ha": 2.5},
        "working_crs": "EPSG:32614",
        "sites": {"dataset": "fixture.gpkg", "layer": "parcels", "id_field": "pid",
                  "attributes": {"owner": "owner", "price_k": "price_k"}},
        "substations": {"dataset": "fixture.gpkg", "layer": "substations", "id_field": "sub_id",
                        "voltage_field": "kv", "headroom_field": "mw", "min_voltage_kv": 138},
        "criteria": [
            {"name": "grid", "metric": "substation_km", "weight": 1,
             "value": {"type": "linear", "worst": 2, "best": 0}},
            {"name": "land", "metric": "area_ha", "weight": 1,
             "value": {"type": "linear", "worst": 0, "best": 12}}],
        "sensitivity": {"runs": 400, "seed": 7, "top_n": 1, "perturbation": 0.5,
                        "sweep_steps": 11},
        "pareto": {"metrics": [{"metric": "substation_km", "goal": "min"},
                               {"metric": "price_k", "goal": "min"}]},
        "assembly": {"owner_field": "owner", "max_parcels": 4},
    }
    for k, v in changes.items():
        if v is None:
            s.pop(k, None)
        else:
            s[k] = v
    return s


def run(name, scn):
    path = os.path.join(TMP, name + ".json")
    with open(path, "w") as fh:
        json.dump(scn, fh)
    out = os.path.join(TMP, name)
    r = subprocess.run([DCSITE, "run", path, "-o", out, "--quiet"], capture_output=True,
                       text=True, cwd=TMP, timeout=120)
    return r, os.path.join(out, scn["name"])


def gpkg_rows(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("candidates")
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return {f.GetField("site_id"): {n: f.GetField(n) for n in names} for f in lyr}, names


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-decision-")
    build_fixture(TMP)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class T1Outputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.r, cls.base = run("main", scenario())
        cls.rows, cls.fields = gpkg_rows(cls.base + ".gpkg")
        cls.summary = json.load(open(cls.base + ".json"))

    def test_run_ok(self):
        self.assertEqual(self.r.returncode, 0, self.r.stderr)

    def test_campuses_in_gpkg(self):
        for f in DECISION_FIELDS:
            self.assertIn(f, self.fields)
        want = {"campus_p0": "p0;p3;p6", "campus_p1": "p1;p2;p4", "campus_p5": "p5;p8;p7"}
        campuses = {sid: row["parcels"] for sid, row in self.rows.items()
                    if sid.startswith("campus_")}
        self.assertEqual(campuses, want)
        for sid in want:
            row = self.rows[sid]
            self.assertEqual(row["n_parcels"], 3)
            self.assertEqual(row["status"], "eligible")
            # three 1 ha parcels; geodesic area of UTM squares within 0.5 %
            self.assertAlmostEqual(row["area_ha"], 3.0, delta=0.015)
            self.assertEqual(row["price_k"], 300)  # shared by all its parcels
        self.assertEqual(self.rows["campus_p0"]["owner"], "X")
        for k in range(9):  # the parcels alone are too small
            row = self.rows["p%d" % k]
            self.assertEqual(row["status"], "excluded")
            self.assertEqual((row["n_parcels"], row["parcels"]), (1, "p%d" % k))
        self.assertEqual(len(self.rows), 14)
        self.assertEqual(self.summary["counts"]["eligible"], 5)

    def test_pareto(self):
        front = {sid for sid, row in self.rows.items() if row["pareto"] == 1}
        self.assertEqual(front, {"BIG1", "BIG2", "campus_p0"})
        # brute force on the written values: no eligible site is <= on both and < on one
        el = {sid: (r["substation_km"], r["price_k"]) for sid, r in self.rows.items()
              if r["status"] == "eligible"}
        brute = {a for a, va in el.items()
                 if not any(vb[0] <= va[0] and vb[1] <= va[1] and vb != va
                            for b, vb in el.items() if b != a)}
        self.assertEqual(front, brute)
        d = self.summary["decision"]["pareto"]
        self.assertEqual(set(d["sites"]), front)
        self.assertEqual(d["count"], 3)

    def test_sensitivity_dominant_site(self):
        big1 = self.rows["BIG1"]
        self.assertEqual(big1["rank"], 1)
        self.assertEqual((big1["p_top_n"], big1["rank_p05"], big1["rank_p50"],
                          big1["rank_p95"]), (1.0, 1.0, 1.0, 1.0))
        for sid, row in self.rows.items():
            if row["status"] == "eligible":
                if sid != "BIG1":
                    self.assertEqual(row["p_top_n"], 0.0, sid)
                    self.assertGreaterEqual(row["rank_p05"], 2, sid)
                self.assertLessEqual(row["rank_p05"], row["rank_p50"])
                self.assertLessEqual(row["rank_p50"], row["rank_p95"])
                self.assertLessEqual(row["rank_p95"], 5)
            else:
                self.assertIsNone(row["p_top_n"], sid)
        s = self.summary["decision"]["sensitivity"]
        self.assertEqual((s["runs"], s["seed"], s["top_n"], s["method"]),
                         (400, 7, 1, "perturbation"))
        for sw in s["sweeps"]:  # BIG1 leads at every weight
            self.assertEqual((sw["top_stays_from"], sw["top_stays_to"]), (0, 1))
            self.assertIsNone(sw["top_below"])
            self.assertIsNone(sw["top_above"])

    def test_json_site_fields(self):
        top = self.summary["top_sites"][0]
        self.assertEqual(top["site_id"], "BIG1")
        self.assertIs(top["pareto"], True)
        self.assertEqual(top["p_top_n"], 1)
        self.assertEqual(top["n_parcels"], 1)
        camp = {c["site_id"]: c for c in self.summary["decision"]["assembly"]["campuses"]}
        self.assertEqual(camp["campus_p1"]["parcels"], ["p1", "p2", "p4"])
        self.assertEqual(camp["campus_p1"]["rank"], self.rows["campus_p1"]["rank"])

    def test_workbook(self):
        wb = openpyxl.load_workbook(self.base + ".xlsx")
        self.assertIn("Sensitivity", wb.sheetnames)
        ws = wb["Ranking"]
        # headers are the fields' titles; the Fields sheet maps them to names
        fields = [[c.value for c in r] for r in wb["Fields"].iter_rows()]
        name_col, title_col = fields[0].index("name"), fields[0].index("title")
        names = {r[title_col]: r[name_col] for r in fields[1:] if r and r[name_col]}
        header = [names.get(c.value, c.value) for c in ws[1]]
        for f in DECISION_FIELDS:
            self.assertIn(f, header)
        col = {name: header.index(name) for name in header}
        seen = 0
        for row in ws.iter_rows(min_row=2, values_only=True):
            sid = row[col["site_id"]]
            if sid is None:
                continue
            g = self.rows[sid]
            for f in DECISION_FIELDS:
                self.assertEqual(row[col[f]], g[f], (sid, f))
            seen += 1
        self.assertEqual(seen, 5)
        sens = wb["Sensitivity"]
        values = [[c.value for c in r] for r in sens.iter_rows()]
        hdr = next(r for r in values if r and r[0] == "base rank")
        self.assertEqual(hdr[:8], ["base rank", "site_id", "score", "P(top 1)", "rank p5",
                                   "rank p50", "rank p95", "pareto"])
        first = values[values.index(hdr) + 1]
        self.assertEqual(first[:4], [1, "BIG1", first[2], 1])
        flat = [v for r in values for v in r]
        self.assertIn("One-at-a-time weight sweeps", flat)
        self.assertIn("Top site along each sweep", flat)
        # the bar chart: a drawing on the sheet and a chart part titled for top-N
        with zipfile.ZipFile(self.base + ".xlsx") as z:
            charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/")]
        self.assertTrue(any("Probability of ranking in the top 1" in c and "<c:barChart>" in c
                            for c in charts))


class T2Reproducibility(unittest.TestCase):
    """top_n 2: the second place is contested (campus_p0 vs BIG2 swap when
    the ratio of the weights passes about 0.95), so P(top 2) lies strictly
    between 0 and 1 for them and depends on the draws."""

    @classmethod
    def setUpClass(cls):
        def sens(seed):
            return {"runs": 300, "seed": seed, "top_n": 2, "perturbation": 0.5}
        cls.a = gpkg_rows(run("seed_a", scenario(sensitivity=sens(11)))[1] + ".gpkg")[0]
        cls.b = gpkg_rows(run("seed_b", scenario(sensitivity=sens(11)))[1] + ".gpkg")[0]
        cls.c = gpkg_rows(run("seed_c", scenario(sensitivity=sens(12)))[1] + ".gpkg")[0]

    def figures(self, rows):
        return {sid: tuple(r[f] for f in ("p_top_n", "rank_p05", "rank_p50", "rank_p95"))
                for sid, r in rows.items()}

    def test_same_seed_same_figures(self):
        self.assertEqual(self.figures(self.a), self.figures(self.b))

    def test_contested_and_seed_dependent(self):
        contested = [sid for sid, r in self.a.items()
                     if r["p_top_n"] is not None and 0 < r["p_top_n"] < 1]
        self.assertIn("campus_p0", contested)
        self.assertIn("BIG2", contested)
        self.assertNotEqual(self.figures(self.a), self.figures(self.c))


class T3Errors(unittest.TestCase):
    def test_unknown_pareto_metric(self):
        r, _ = run("bad_pareto", scenario(pareto={"metrics": [{"metric": "nope",
                                                               "goal": "min"}]}))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("pareto.metrics[0].metric", r.stderr)
        self.assertIn('"nope"', r.stderr)

    def test_owner_field_not_mapped(self):
        r, _ = run("bad_owner", scenario(assembly={"owner_field": "landlord"}))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("assembly.owner_field", r.stderr)
        self.assertIn('"landlord"', r.stderr)

    def test_sections_absent_no_fields(self):
        r, base = run("plain", scenario(sensitivity=None, pareto=None, assembly=None))
        self.assertEqual(r.returncode, 0, r.stderr)
        rows, fields = gpkg_rows(base + ".gpkg")
        for f in DECISION_FIELDS:
            self.assertNotIn(f, fields)
        self.assertEqual(len(rows), 11)
        self.assertNotIn("decision", json.load(open(base + ".json")))
        self.assertNotIn("Sensitivity", openpyxl.load_workbook(base + ".xlsx").sheetnames)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
