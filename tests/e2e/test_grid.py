#!/usr/bin/python3
"""Grid access (issue 24): the cheapest connection, hand-built cases.

One 500 m square site in UTM 14N and substations due east of its east-edge
midpoint (so each one's nearest point on the site is that midpoint), placed
so the answers are known by hand:

  A  345 kV, 10.0 km, headroom 400 MW:  10.0 x 2.8        = 28.0 M$ (nearest)
  C  138 kV, 10.5 km, headroom  50 MW:  10.5 x 1.6 + 25   = 41.8 M$ (short)
  B  138 kV, 11.0 km, headroom 400 MW:  11.0 x 1.6        = 17.6 M$ (cheapest)
  D  345 kV, 40.0 km, headroom 400 MW:  far: never measured exactly

The portfolio (second fixture): three 500 m sites west of substation X
(138 kV, 300 MW headroom) at 1, 2 and 3 km, ranked by that distance, and
Y (138 kV, 400 MW) about 9.5 km north; each needs the 130 MW peak.  X
serves S1 and S2 (260 MW, 40 left), so S3 moves to Y; with a 200 MW
target S3 comes after the target was reached.

Time to power (third fixture, start year 2026, lead times 2 years for a
connection and 3.5 for a new transformer, rounded up to a year): three
sites each 500 m from their own substation, all 130 MW:
  P  headroom 300, 100 MW queued: 200 MW spare          -> 2028 (spare)
  Q  headroom 200, 150 MW queued, +100 MW in 2031       -> 2031 (upgrade)
  R  headroom 150, 100 MW queued, no upgrade             -> 2030 (transformer)
Without queue_field the metric is absent.

Costs: the default classes of docs/scenario.md (161 kV class 1.6 M$/km,
345 kV class 2.8 M$/km) and the 25 M$ upgrade; the km are pyproj geodesics
between the nearest points (independent of dcsite), so the costs are
checked to 1e-6 M$.  Cases: the cheapest is chosen and the nearest
reported beside it; "choose": "nearest" keeps A; a per-substation cost
field of 20 M$ on B makes A the cheapest; search_km 10.6 leaves B out.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from osgeo import ogr

import tapkit
import test_e2e

ogr.UseExceptions()

DCSITE = tapkit.dcsite_path()
TMP = None
RUNS = {}
EDGE = (700500.0, 3630250.0)  # east-edge midpoint of the site
SITE = (700000, 3630000, 700500, 3630500)
# id, metres east of EDGE, kV, headroom MW, extra cost M$ (cost field)
SUBS = [("A", 10000, 345.0, 400.0, 0.0), ("C", 10500, 138.0, 50.0, 0.0),
        ("B", 11000, 138.0, 400.0, 0.0), ("D", 40000, 345.0, 400.0, 0.0)]
PER_KM = {345.0: 2.8, 138.0: 1.6}
UPGRADE = 25.0
PEAK = 130.0  # 100 MW x 1.3


def ground_km(dx):
    a = test_e2e.TO_LONLAT.transform(*EDGE)
    b = test_e2e.TO_LONLAT.transform(EDGE[0] + dx, EDGE[1])
    return test_e2e.GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def cost(sub, extra=0.0):
    _, dx, kv, head, _ = sub
    return ground_km(dx) * PER_KM[kv] + (UPGRADE if head < PEAK else 0) + extra


def write_layer(ds, name, geom_type, fields, rows):
    """A layer of ds in UTM 14N: fields [(name, OGR type)], rows [(values
    dict, geometry)]; a None value is left unset."""
    lyr = ds.CreateLayer(name, test_e2e.srs(test_e2e.UTM_EPSG), geom_type)
    for fname, kind in fields:
        lyr.CreateField(ogr.FieldDefn(fname, kind))
    for values, geom in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in values.items():
            if v is not None:
                f.SetField(k, v)
        f.SetGeometry(geom)
        lyr.CreateFeature(f)


def point(x, y):
    p = ogr.Geometry(ogr.wkbPoint)
    p.AddPoint_2D(float(x), float(y))
    return p


def square(b):
    return test_e2e.polygon_from(test_e2e.box_ring(b))


def write_fixture(path, sites, subs, extra=()):
    """sites [(id, box)], subs [(values, (x, y))] with sub_id, kv, mw and
    the extra numeric fields."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    write_layer(ds, "sites", ogr.wkbPolygon, [("site_id", ogr.OFTString)],
                [({"site_id": sid}, square(b)) for sid, b in sites])
    fields = [("sub_id", ogr.OFTString), ("kv", ogr.OFTReal), ("mw", ogr.OFTReal)]
    write_layer(ds, "substations", ogr.wkbPoint, fields + [(e, ogr.OFTReal) for e in extra],
                [(v, point(*xy)) for v, xy in subs])
    ds = None


def build(path, cost_b=0.0):
    write_fixture(path, [("S", SITE)],
                  [({"sub_id": sid, "kv": kv, "mw": head,
                     "bay_musd": cost_b if sid == "B" else 0.0}, (EDGE[0] + dx, EDGE[1]))
                   for sid, dx, kv, head, _ in SUBS], extra=["bay_musd"])


def scenario(dataset="grid.gpkg", interconnection=None, **subs):
    s = {"name": "grid", "facility": {"it_load_mw": 100, "design_pue": 1.3},
         "sites": {"dataset": dataset, "layer": "sites", "id_field": "site_id"},
         "substations": dict({"dataset": dataset, "layer": "substations", "id_field": "sub_id",
                              "voltage_field": "kv", "headroom_field": "mw",
                              "require_headroom": False, "min_voltage_kv": 115}, **subs)}
    if interconnection:
        s["interconnection"] = interconnection
    return s


def run(tag, scn):
    """A one-site run: keep (process, its GeoPackage row)."""
    run_json(tag, scn)
    r, _, rows = RUNS[tag]
    RUNS[tag] = (r, next(iter(rows.values())) if rows else None)


PF_SITES = [("S1", (703500, 3630000, 704000, 3630500)), ("S2", (702500, 3630000, 703000, 3630500)),
            ("S3", (701500, 3630000, 702000, 3630500))]
PF_SUBS = [("X", (705000, 3630250), 138.0, 300.0), ("Y", (702750, 3640000), 138.0, 400.0)]


def ground_km_xy(a, b):
    (lon1, lat1), (lon2, lat2) = (test_e2e.TO_LONLAT.transform(*p) for p in (a, b))
    return test_e2e.GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def build_portfolio(path):
    write_fixture(path, PF_SITES, [({"sub_id": sid, "kv": kv, "mw": head}, xy)
                                   for sid, xy, kv, head in PF_SUBS])


def portfolio_scenario(**pf):
    s = scenario("portfolio.gpkg")
    s["criteria"] = [{"name": "near", "metric": "substation_km", "weight": 1,
                      "value": {"type": "linear", "worst": 5, "best": 0}}]
    s["portfolio"] = dict({"alternatives": 2}, **pf)
    return s


def run_json(tag, scn):
    """Run and return (process, summary, {site_id: GeoPackage row})."""
    path = os.path.join(TMP, tag + ".json")
    with open(path, "w") as fp:
        json.dump(scn, fp)
    out = os.path.join(TMP, "out-" + tag)
    r = subprocess.run([DCSITE, "run", path, "-o", out, "--quiet"], capture_output=True,
                       text=True, cwd=TMP, timeout=120)
    js, rows = None, {}
    if r.returncode == 0:
        with open(os.path.join(out, "grid.json")) as fp:
            js = json.load(fp)
        ds = ogr.Open(os.path.join(out, "grid.gpkg"))
        rows = {f.GetField("site_id"): f.items() for f in ds.GetLayer(0)}
    RUNS[tag] = (r, js, rows)


TTP = [("T1", "P", 300.0, 100.0, None, None, 2028, "spare headroom"),
       ("T2", "Q", 200.0, 150.0, 2031, 100.0, 2031, "planned upgrade in 2031"),
       ("T3", "R", 150.0, 100.0, None, None, 2030, "new transformer")]


def build_ttp(path):
    sites, subs = [], []
    for n, (sid, sub, head, queue, year, mw, _, _) in enumerate(TTP):
        x0 = 700000 + 3000 * n
        sites.append((sid, (x0, 3630000, x0 + 500, 3630500)))
        subs.append(({"sub_id": sub, "kv": 138.0, "mw": head, "queued_mw": queue,
                      "upgrade_year": year, "upgrade_mw": mw}, (x0 + 1000, 3630250)))
    write_fixture(path, sites, subs, extra=["queued_mw", "upgrade_year", "upgrade_mw"])


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-grid-")
    build(os.path.join(TMP, "grid.gpkg"))
    build(os.path.join(TMP, "grid_bay.gpkg"), cost_b=20.0)
    run("cheapest", scenario())
    run("nearest", scenario(interconnection={"choose": "nearest"}))
    run("bay", scenario("grid_bay.gpkg", cost_field="bay_musd"))
    run("radius", scenario(interconnection={"search_km": 10.6}))
    build_portfolio(os.path.join(TMP, "portfolio.gpkg"))
    run_json("portfolio", portfolio_scenario())
    run_json("target", portfolio_scenario(target_mw=200))
    build_ttp(os.path.join(TMP, "ttp.gpkg"))
    ttp = scenario("ttp.gpkg", interconnection={"time_to_power": {"start_year": 2026}},
                   queue_field="queued_mw", upgrade_year_field="upgrade_year",
                   upgrade_mw_field="upgrade_mw")
    run_json("ttp", ttp)
    run_json("ttp_none", scenario("ttp.gpkg"))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class T1Cheapest(unittest.TestCase):
    def row(self, tag):
        r, row = RUNS[tag]
        self.assertEqual(r.returncode, 0, r.stderr)
        return row

    def assertConnected(self, row, sub, want_cost):
        self.assertEqual(row["substation_id"], sub[0])
        self.assertAlmostEqual(row["substation_km"], ground_km(sub[1]), delta=1e-6)
        self.assertAlmostEqual(row["interconnect_cost_musd"], want_cost, delta=1e-6)

    def test_cheapest_is_not_the_nearest(self):
        row = self.row("cheapest")
        a, c, b, _ = SUBS
        self.assertLess(cost(b), cost(a))
        self.assertLess(cost(a), cost(c))
        self.assertConnected(row, b, cost(b))
        self.assertEqual(row["nearest_substation_id"], "A")
        self.assertAlmostEqual(row["nearest_substation_km"], ground_km(a[1]), delta=1e-6)
        self.assertTrue(row["connection"].startswith("cheapest: "), row["connection"])
        self.assertIn("nearest, A", row["connection"])
        self.assertIn("%.1f M$" % cost(a), row["connection"])

    def test_choose_nearest(self):
        row = self.row("nearest")
        self.assertConnected(row, SUBS[0], cost(SUBS[0]))
        self.assertNotIn("connection", row)

    def test_cost_field_makes_the_nearest_cheapest(self):
        row = self.row("bay")
        a, _, b, _ = SUBS
        self.assertGreater(cost(b, 20.0), cost(a))
        self.assertConnected(row, a, cost(a))
        self.assertEqual(row["connection"], "nearest")

    def test_search_radius_leaves_the_cheaper_out(self):
        row = self.row("radius")
        self.assertConnected(row, SUBS[0], cost(SUBS[0]))


class T2Portfolio(unittest.TestCase):
    def outcome(self, tag):
        r, js, rows = RUNS[tag]
        self.assertEqual(r.returncode, 0, r.stderr)
        return js, rows

    def test_capacity_runs_out_at_the_third_site(self):
        js, rows = self.outcome("portfolio")
        self.assertEqual([rows[s]["rank"] for s in ("S1", "S2", "S3")], [1, 2, 3])
        for sid in ("S1", "S2", "S3"):
            self.assertEqual(rows[sid]["substation_id"], "X", sid)  # each alone: X
            self.assertEqual(rows[sid]["feasible_alone"], 1, sid)
            self.assertEqual(rows[sid]["connection_2_id"], "Y", sid)
        self.assertEqual(rows["S1"]["portfolio_status"], "first choice")
        self.assertEqual(rows["S2"]["portfolio_status"], "first choice")
        s3 = rows["S3"]
        self.assertEqual(s3["portfolio_status"], "moved")
        self.assertEqual(s3["portfolio_substation"], "Y")
        self.assertIn("X is taken by S1, S2", s3["portfolio_note"])
        km = ground_km_xy((702000, 3630500), PF_SUBS[1][1])  # S3's north-east corner to Y
        self.assertAlmostEqual(s3["portfolio_cost_musd"], km * 1.6, delta=1e-6)
        self.assertAlmostEqual(s3["connection_2_cost_musd"], km * 1.6, delta=1e-6)

    def test_substation_totals(self):
        js, _ = self.outcome("portfolio")
        pf = js["decision"]["portfolio"]
        subs = {x["id"]: x for x in pf["substations"]}
        self.assertEqual(subs["X"]["sites"], 2)
        self.assertAlmostEqual(subs["X"]["allocated_mw"], 2 * PEAK, delta=1e-9)
        self.assertAlmostEqual(subs["X"]["remaining_mw"], 300 - 2 * PEAK, delta=1e-9)
        self.assertAlmostEqual(subs["Y"]["allocated_mw"], PEAK, delta=1e-9)
        self.assertEqual(pf["sites_allocated"], 3)
        self.assertEqual(pf["by_status"]["moved"], 1)
        self.assertIsNone(pf["target_mw"])

    def test_grid_sheet_and_schema(self):
        import jsonschema
        import openpyxl
        js, _ = self.outcome("portfolio")
        with open(os.path.join(tapkit.REPO, "docs", "schema", "summary.schema.json")) as fp:
            jsonschema.validate(js, json.load(fp))
        wb = openpyxl.load_workbook(os.path.join(TMP, "out-portfolio", "grid.xlsx"),
                                    read_only=True)
        rows = [r for r in wb["Grid"].iter_rows(values_only=True)]
        x = next(r for r in rows if r and r[0] == "X")
        self.assertAlmostEqual(x[1], 300, delta=1e-9)        # capacity
        self.assertAlmostEqual(x[2], 2 * PEAK, delta=1e-9)   # allocated
        self.assertEqual(x[4], 2)                            # sites
        moved = next(r for r in rows if r and r[1] == "S3")
        self.assertEqual(moved[2:4], ("moved", "Y"))

    def test_target_stops_the_portfolio(self):
        js, rows = self.outcome("target")
        self.assertEqual(rows["S2"]["portfolio_status"], "first choice")  # 130 < 200: goes on
        self.assertEqual(rows["S3"]["portfolio_status"], "beyond target")
        self.assertIsNone(rows["S3"]["portfolio_substation"])
        self.assertEqual(js["decision"]["portfolio"]["target_mw"], 200)
        self.assertAlmostEqual(js["decision"]["portfolio"]["allocated_mw"], 2 * PEAK, delta=1e-9)


class T3TimeToPower(unittest.TestCase):
    def test_energization_year_and_basis(self):
        r, js, rows = RUNS["ttp"]
        self.assertEqual(r.returncode, 0, r.stderr)
        for sid, sub, _, _, _, _, year, basis in TTP:
            self.assertEqual(rows[sid]["substation_id"], sub, sid)
            self.assertEqual(rows[sid]["energization_year"], year, sid)
            self.assertTrue(rows[sid]["energization_basis"].startswith(basis),
                            rows[sid]["energization_basis"])

    def test_absent_without_queue_field(self):
        r, js, rows = RUNS["ttp_none"]
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("energization_year", rows["T1"])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
