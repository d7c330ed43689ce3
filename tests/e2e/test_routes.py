#!/usr/bin/python3
"""Routed lines (issue 24.2): interconnection.route, hand-built cases.

Every case is its own GeoPackage in UTM 14N (EPSG:32614, also the working
CRS) with point sites and one 138 kV substation (1.6 M$/km, headroom
400 MW: no upgrade).  Sites and substations sit on cell centres of the
100 m routing grid (its origin is a multiple of the cell), so the lengths
below are exact lattice lengths worked out by hand:

  a move of (dc, dr) cells is hypot(dc, dr) x 100 m; with 16 neighbours a
  lattice vector (a, b), a >= b >= 0, is covered by b knight moves (2, 1)
  and a - 2b straight ones when a >= 2b, else by a - b knight moves and
  2b - a diagonal ones; with uniform friction that is the shortest route.

Cases:
  straight  S1 10 km due east of its substation's row: route 10.000 km;
            S2 at (70, 30) cells: 30 knight moves + 10 straight
            = 30 x 223.607 + 1000 = 7708.2 m; both within one cell
            diagonal (141.4 m) of the straight line ... S1 exactly.
  wall      a hard polygon wall crossing the line, open to the south:
            the route passes below the wall's end (hand lattice route via
            the two corner cells, within two cells).
  soft      a soft wall across the line, closed within the default
            window: crossed when the penalty is 1 M$, gone round (with
            margin_km 8) when it is 50 M$.
  enclosed  the substation inside a ring of hard barrier: no route, a
            note naming the substation, exit 0.
  parcel    a 2 km square parcel (cell edges on the grid) and a substation
            3.05 km east of its east edge, on a cell centre: the route ends
            in the parcel's nearest cells, 31 cells = 3.100 km from the
            substation, not at the parcel's centre (4.05 km away).
  friction  a cost raster of 2 everywhere: the line part of the cost
            doubles; the cell size defaults to the raster's (100 m).

Costs are checked against interconnect_cost_musd - substation_km x 1.6 +
engine cost x 1.6 (docs/methods.md), to 1e-6 M$; the lengths to 1e-6 km
where exact, else with the tolerance stated at the test.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from osgeo import gdal, ogr

import tapkit
import test_e2e

ogr.UseExceptions()
gdal.UseExceptions()

DCSITE = tapkit.dcsite_path()
TMP = None
RUNS = {}
CELL = 100.0
ORIGIN = (700050.0, 3630050.0)  # a cell centre
PER_KM = 1.6
DIAG_KM = math.hypot(CELL, CELL) / 1000


def at(dx, dy):
    return (ORIGIN[0] + dx, ORIGIN[1] + dy)


def lattice_km(a, b):
    """Shortest 16-neighbour lattice length of (a, b) cells, in km."""
    a, b = abs(a), abs(b)
    a, b = max(a, b), min(a, b)
    if a >= 2 * b:
        n = b * math.hypot(2, 1) + (a - 2 * b)
    else:
        n = (a - b) * math.hypot(2, 1) + (2 * b - a) * math.sqrt(2)
    return n * CELL / 1000


def build(path, sites, subs, barriers=()):
    """sites [(id, (x, y))], subs [(id, (x, y))], barriers [(layer, polygon)]."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    utm = test_e2e.srs(test_e2e.UTM_EPSG)
    lyr = ds.CreateLayer("sites", utm, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
    for sid, (x, y) in sites:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("site_id", sid)
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(x, y)
        f.SetGeometry(p)
        lyr.CreateFeature(f)
    for name, poly in barriers:
        lyr = ds.CreateLayer(name, utm, ogr.wkbPolygon)
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetGeometry(poly)
        lyr.CreateFeature(f)
    ds = None
    build_subs_only(path, subs)


def box(x0, y0, x1, y1):
    return test_e2e.polygon_from(test_e2e.box_ring((x0, y0, x1, y1)))


def ring(outer, inner):
    poly = box(*outer)
    hole = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in test_e2e.box_ring(inner):
        hole.AddPoint_2D(float(x), float(y))
    poly.AddGeometry(hole)
    return poly


def scenario(dataset, **route):
    s = {"name": "routes", "facility": {"it_load_mw": 100, "design_pue": 1.3},
         "working_crs": "EPSG:%d" % test_e2e.UTM_EPSG,
         "sites": {"dataset": dataset, "layer": "sites", "id_field": "site_id"},
         "substations": {"dataset": dataset, "layer": "substations", "id_field": "sub_id",
                         "voltage_field": "kv", "headroom_field": "mw",
                         "require_headroom": False, "min_voltage_kv": 115},
         "criteria": [{"name": "near", "metric": "substation_km", "weight": 1,
                       "value": {"type": "linear", "worst": 50, "best": 0}}],
         "interconnection": {"route": dict({"cell_m": CELL}, **route)}}
    return s


def run(tag, scn):
    """Run; keep (process, summary, {site_id: row}, [routes rows])."""
    path = os.path.join(TMP, tag + ".json")
    with open(path, "w") as fp:
        json.dump(scn, fp)
    out = os.path.join(TMP, "out-" + tag)
    r = subprocess.run([DCSITE, "run", path, "-o", out, "--quiet"], capture_output=True,
                       text=True, cwd=TMP, timeout=120)
    js, rows, routes = None, {}, []
    if r.returncode == 0:
        with open(os.path.join(out, "routes.json")) as fp:
            js = json.load(fp)
        ds = ogr.Open(os.path.join(out, "routes.gpkg"))
        rows = {f.GetField("site_id"): f.items() for f in ds.GetLayer("candidates")}
        lyr = ds.GetLayerByName("routes")
        if lyr is not None:
            routes = [(f.items(), f.GetGeometryRef().GetPoints()) for f in lyr]
    RUNS[tag] = (r, js, rows, routes)


SUB = at(10000, 0)
WALL = box(*at(5000, -2100), *at(5100, 10000))             # hard, open below y0 - 2100
SOFT = box(*at(5000, -5000), *at(5100, 5000))              # soft, +-5 km
ENCLOSURE = ring((*at(9000, -1000), *at(11000, 1000)), (*at(9200, -800), *at(10800, 800)))


def build_cases():
    d = lambda name: os.path.join(TMP, name)
    build(d("straight.gpkg"), [("S1", ORIGIN), ("S2", at(3000, 20000))],
          [("T1", SUB), ("T2", at(10000, 23000))])
    build(d("wall.gpkg"), [("S", ORIGIN)], [("T", SUB)], [("wall", WALL)])
    build(d("soft.gpkg"), [("S", ORIGIN)], [("T", SUB)], [("soft", SOFT)])
    build(d("enclosed.gpkg"), [("S", ORIGIN), ("R", at(0, 30000))],
          [("T", SUB), ("U", at(10000, 30000))], [("fence", ENCLOSURE)])
    build(d("friction.gpkg"), [("S", ORIGIN)], [("T", SUB)])
    drv = gdal.GetDriverByName("GTiff")
    x0, y0 = ORIGIN[0] - 20050, ORIGIN[1] + 20050           # cell edges on the grid's
    r = drv.Create(d("friction.tif"), 400, 400, 1, gdal.GDT_Float32)
    r.SetGeoTransform((x0, CELL, 0, y0, 0, -CELL))
    r.SetProjection(test_e2e.srs(test_e2e.UTM_EPSG).ExportToWkt())
    r.GetRasterBand(1).Fill(2.0)
    r = None


def build_parcel(path):
    """One 2 km square polygon site and a substation 3.05 km east of it."""
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    utm = test_e2e.srs(test_e2e.UTM_EPSG)
    lyr = ds.CreateLayer("sites", utm, ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("site_id", "P")
    f.SetGeometry(box(700000, 3629000, 702000, 3631000))
    lyr.CreateFeature(f)
    ds = None
    build_subs_only(path, [("T", (705050.0, 3630050.0))])


def build_subs_only(path, subs):
    ds = ogr.Open(path, 1)
    utm = test_e2e.srs(test_e2e.UTM_EPSG)
    lyr = ds.CreateLayer("substations", utm, ogr.wkbPoint)
    for name, kind in (("sub_id", ogr.OFTString), ("kv", ogr.OFTReal), ("mw", ogr.OFTReal)):
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for sid, (x, y) in subs:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("sub_id", sid)
        f.SetField("kv", 138.0)
        f.SetField("mw", 400.0)
        p = ogr.Geometry(ogr.wkbPoint)
        p.AddPoint_2D(x, y)
        f.SetGeometry(p)
        lyr.CreateFeature(f)
    ds = None


def barrier(layer, dataset, kind):
    return {"dataset": dataset, "layer": layer, "kind": kind}


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-routes-")
    build_cases()
    run("straight", scenario("straight.gpkg"))
    run("straight8", scenario("straight.gpkg", neighbours=8))
    run("wall", scenario("wall.gpkg", barriers=[barrier("wall", "wall.gpkg", "hard")]))
    soft = [barrier("soft", "soft.gpkg", "soft")]
    run("soft_cheap", scenario("soft.gpkg", barriers=soft, soft_penalty_musd=1, margin_km=8))
    run("soft_dear", scenario("soft.gpkg", barriers=soft, soft_penalty_musd=50, margin_km=8))
    run("enclosed", scenario("enclosed.gpkg",
                             barriers=[barrier("fence", "enclosed.gpkg", "hard")]))
    build_parcel(os.path.join(TMP, "parcel.gpkg"))
    run("parcel", scenario("parcel.gpkg"))
    scn = scenario("friction.gpkg", cost_raster={"dataset": "friction.tif"})
    del scn["interconnection"]["route"]["cell_m"]
    run("friction", scn)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class TRoutes(unittest.TestCase):
    def outcome(self, tag):
        r, js, rows, routes = RUNS[tag]
        self.assertEqual(r.returncode, 0, r.stderr)
        return js, rows, routes

    def assertCost(self, row, engine_cost_km, penalty=0.0):
        """route_cost = interconnect - straight line + routed line (+ penalties)."""
        want = (row["interconnect_cost_musd"] - row["substation_km"] * PER_KM +
                engine_cost_km * PER_KM + penalty)
        self.assertAlmostEqual(row["route_cost_musd"], want, delta=1e-6)

    def test_a_uniform_friction_straight_line(self):
        js, rows, _ = self.outcome("straight")
        s1, s2 = rows["S1"], rows["S2"]
        # S1: along a grid row, exactly 100 cells
        self.assertAlmostEqual(s1["route_km"], 10.0, delta=1e-6)
        # S2: (70, 30) cells, 30 knight moves and 10 straight
        self.assertAlmostEqual(s2["route_km"], lattice_km(70, 30), delta=1e-6)
        for row in (s1, s2):
            # substation_km is the geodesic (UTM scale ~1.0001 here): within one diagonal
            self.assertLessEqual(abs(row["route_km"] - row["substation_km"]), DIAG_KM)
            self.assertAlmostEqual(row["route_detour"], row["route_km"] / row["substation_km"],
                                   delta=1e-9)
            self.assertCost(row, row["route_km"])
            self.assertIsNone(row["route_note"])
        route = js["decision"]["route"]
        self.assertEqual((route["cell_m"], route["neighbours"], route["routed"],
                          route["unreachable"]), (CELL, 16, 2, 0))

    def test_a_eight_neighbours_are_longer_off_axis(self):
        _, rows, _ = self.outcome("straight8")
        # 8 neighbours: (70, 30) = 30 diagonals + 40 straight
        want = (30 * math.sqrt(2) + 40) * CELL / 1000
        self.assertAlmostEqual(rows["S2"]["route_km"], want, delta=1e-6)
        self.assertAlmostEqual(rows["S1"]["route_km"], 10.0, delta=1e-6)

    def test_b_hard_wall_forces_the_detour(self):
        _, rows, routes = self.outcome("wall")
        row = rows["S"]
        # The wall burns (ALL_TOUCHED) columns x0+5000..x0+5100 (cell centres) from
        # y0-2100 up; the open corner cells are at y0-2200.  By hand: S to the
        # first corner cell (50, -22) cells, one step east, then (49, 22) cells.
        hand = lattice_km(50, 22) + CELL / 1000 + lattice_km(49, 22)
        self.assertLessEqual(row["route_km"], hand + 1e-6)        # the hand route is open
        self.assertGreaterEqual(row["route_km"], hand - 2 * CELL / 1000)  # two cells
        self.assertGreater(row["route_km"], 10.8)                 # not the straight 10 km
        self.assertCost(row, row["route_km"])
        pts = routes[0][1]
        self.assertLess(min(y for _, y in pts), ORIGIN[1] - 2100)  # passes below the wall
        on_wall = [p for p in pts if ORIGIN[0] + 4950 <= p[0] <= ORIGIN[0] + 5150 and
                   p[1] >= ORIGIN[1] - 2100]
        self.assertEqual(on_wall, [])

    def test_c_soft_barrier_crossed_only_when_cheaper(self):
        _, rows, _ = self.outcome("soft_cheap")
        row = rows["S"]
        # 1 M$ < going round (> 4 km x 1.6 M$): straight through, one crossing
        self.assertAlmostEqual(row["route_km"], 10.0, delta=1e-6)
        self.assertCost(row, 10.0, penalty=1.0)
        _, rows, routes = self.outcome("soft_dear")
        row = rows["S"]
        # 50 M$: round the end of the wall.  Its cells (centres x0+5000, x0+5100,
        # edges x0+4950..x0+5150) are burnt down to the one holding y0-5000 (bottom
        # edge y0-5050): at least the straight lines round that corner; at most the
        # hand lattice route through the open corner cells at y0-5100.
        low = math.hypot(4.95, 5.05) + 0.2 + math.hypot(4.85, 5.05)
        hand = lattice_km(50, 51) + CELL / 1000 + lattice_km(49, 51)
        self.assertGreaterEqual(row["route_km"], low - 1e-6)
        self.assertLessEqual(row["route_km"], hand + 1e-6)
        self.assertCost(row, row["route_km"])                     # no penalty paid
        self.assertLess(row["route_cost_musd"],
                        row["interconnect_cost_musd"] - row["substation_km"] * PER_KM +
                        10.0 * PER_KM + 50)

    def test_d_enclosed_substation_is_unreachable(self):
        js, rows, routes = self.outcome("enclosed")
        row = rows["S"]
        self.assertIsNone(row["route_km"])
        self.assertIsNone(row["route_cost_musd"])
        self.assertIn("unreachable", row["route_note"])
        self.assertIn("T", row["route_note"])
        self.assertAlmostEqual(rows["R"]["route_km"], 10.0, delta=1e-6)  # the other one routes
        self.assertEqual(js["decision"]["route"]["unreachable"], 1)
        self.assertEqual(js["decision"]["route"]["routed"], 2)
        self.assertEqual([r[0]["site_id"] for r in routes], ["R"])

    def test_e_routes_layer_runs_site_to_substation(self):
        _, rows, routes = self.outcome("straight")
        self.assertEqual(sorted(r[0]["site_id"] for r in routes), ["S1", "S2"])
        ends = {"S1": (ORIGIN, SUB), "S2": (at(3000, 20000), at(10000, 23000))}
        half = math.hypot(CELL, CELL) / 2
        for attrs, pts in routes:
            start, end = ends[attrs["site_id"]]
            self.assertLessEqual(math.dist(pts[0][:2], start), half)
            self.assertLessEqual(math.dist(pts[-1][:2], end), half)
            self.assertEqual(attrs["substation_id"], rows[attrs["site_id"]]["substation_id"])
            self.assertAlmostEqual(attrs["route_km"], rows[attrs["site_id"]]["route_km"],
                                   delta=1e-9)
            length = sum(math.dist(a[:2], b[:2]) for a, b in zip(pts, pts[1:])) / 1000
            self.assertAlmostEqual(length, attrs["route_km"], delta=1e-6)

    def test_parcel_route_reaches_its_boundary(self):
        r, _, rows, routes = RUNS["parcel"]
        self.assertEqual(r.returncode, 0, r.stderr)
        p = rows["P"]
        self.assertAlmostEqual(p["route_km"], 3.1, delta=1e-6)
        # substation_km is the ground distance from the edge, 3.05 km on the
        # grid's plane (UTM scale ~0.9996-1.0004 here): within half a cell
        self.assertLess(abs(p["route_km"] - p["substation_km"]), 0.05 + 0.01)
        self.assertLess(p["route_detour"], 1.05)
        (_, pts), = routes
        self.assertAlmostEqual(pts[0][0], 701950.0, delta=1e-6)   # starts in the parcel
        self.assertAlmostEqual(pts[-1][0], 705050.0, delta=1e-6)  # ends at the substation

    def test_friction_raster_doubles_the_line(self):
        js, rows, _ = self.outcome("friction")
        row = rows["S"]
        self.assertEqual(js["decision"]["route"]["cell_m"], CELL)  # the raster's
        self.assertAlmostEqual(row["route_km"], 10.0, delta=1e-6)
        self.assertCost(row, 2 * 10.0)

    def test_schema(self):
        import jsonschema
        js, _, _ = self.outcome("enclosed")
        with open(os.path.join(tapkit.REPO, "docs", "schema", "summary.schema.json")) as fp:
            jsonschema.validate(js, json.load(fp))


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
