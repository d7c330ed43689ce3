#!/usr/bin/python3
"""The least-cost route engine (analysis/geometry/route.h) against independent solvers.

The engine runs through the test-only driver `<build>/tests/route_driver`
(tests/tools/route_driver.c, built by `make tests-build`, next to DCSITE's
build), which reads a GeoTIFF written here with osgeo.gdal and prints each
route as JSON.  The cost rasters are random (numpy, fixed seeds): costs
uniform in [0.5, 5) per km, about 10 % of the cells impassable (nodata),
sizes from 25 x 30 to 200 x 200, square and rectangular cells.

References, neither of them dcsite's:

1. scikit-image's MCP_Geometric (Debian python3-skimage), fully_connected
   (8 neighbours), `sampling` = the cell size in km: its cumulative cost
   from the start is the sum over moves of length x (c_a + c_b) / 2, the
   engine's rule for 8 neighbours, so both must agree to rounding: we allow
   1e-9 relative.  MCP lets a diagonal pass between two impassable cells,
   so the engine runs with --corner-cut here.  Where MCP finds no path
   (infinite cost), the engine must report the target unreachable.  The
   route's length is compared with the length of MCP's traceback (same
   tolerance; random real costs leave no ties).
2. scipy.sparse.csgraph.dijkstra on a graph built here with numpy from the
   rules documented in route.h (8 and 16 neighbours, the knight's move
   averaging the four cells it crosses, diagonals refused between two
   blocked cells, soft barriers: cost x factor and a penalty per entry):
   the rules written again, the solver scipy's.  1e-9 relative.  Each
   route the engine returns is also walked move by move on that graph: every
   move must be an edge, the edge weights must sum to the reported cost and
   the segment lengths to the reported length (1e-9).

Also: a search window gives a cost no lower than the whole grid's, and the
same once the margin covers the grid.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from osgeo import gdal
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from skimage.graph import MCP_Geometric

import tapkit

gdal.UseExceptions()

DCSITE = tapkit.dcsite_path()
DRIVER = os.path.join(os.path.dirname(DCSITE), "tests", "route_driver")
TMP = None
REL = 1e-9
NODATA = -9999.0

# (seed, width, height, cell width m, cell height m)
RASTERS = [(1, 25, 30, 250, 250), (2, 60, 50, 250, 250), (3, 120, 90, 100, 100),
           (4, 200, 200, 250, 250), (5, 80, 70, 200, 300)]

MOVES8 = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)]
KNIGHT = [(1, 2), (1, -2), (-1, 2), (-1, -2), (2, 1), (2, -1), (-2, 1), (-2, -1)]


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite_route_")


def tearDownModule():
    if TMP:
        for n in os.listdir(TMP):
            os.remove(os.path.join(TMP, n))
        os.rmdir(TMP)


def make_raster(seed, w, h, blocked=0.10):
    """Costs in [0.5, 5) with a share of NaN cells; a random soft/hard mask."""
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0.5, 5.0, size=(h, w))
    cost[rng.random((h, w)) < blocked] = np.nan
    mask = np.zeros((h, w), dtype=np.uint8)
    u = rng.random((h, w))
    mask[u < 0.15] = 1
    mask[u > 0.96] = 2
    return cost, mask


def write_tif(path, arr, cw, ch, dtype):
    h, w = arr.shape
    ds = gdal.GetDriverByName("GTiff").Create(path, w, h, 1, dtype)
    ds.SetGeoTransform([500000.0, cw, 0.0, 4000000.0 + h * ch, 0.0, -ch])
    band = ds.GetRasterBand(1)
    if dtype == gdal.GDT_Float64:
        band.SetNoDataValue(NODATA)
        arr = np.where(np.isnan(arr), NODATA, arr)
    band.WriteArray(arr)
    ds = None


def run_driver(args, queries):
    text = "".join(" ".join(str(v) for v in q) + "\n" for q in queries)
    r = subprocess.run([DRIVER] + args, input=text, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError("route_driver %s: exit %d: %s" % (args, r.returncode, r.stderr))
    out = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert len(out) == len(queries), r.stdout
    return out


def pick_cells(rng, ok, n):
    """n random cells (col, row) where ok is true."""
    rows, cols = np.nonzero(ok)
    idx = rng.choice(len(rows), size=n, replace=False)
    return [(int(cols[i]), int(rows[i])) for i in idx]


def graph(cost, mask, cw, ch, neighbours, factor=1.0, penalty=0.0, corner_cut=False):
    """The documented move rules as a sparse matrix (row = from cell)."""
    h, w = cost.shape
    blocked = ~(cost >= 0) | np.isinf(cost) | (mask >= 2)
    soft = mask == 1
    eff = np.where(soft, cost * factor, cost)
    ids = np.arange(h * w).reshape(h, w)
    src, dst, wt = [], [], []
    moves = MOVES8 + (KNIGHT if neighbours == 16 else [])
    for dc, dr in moves:
        r0, r1 = max(0, -dr), h - max(0, dr)
        c0, c1 = max(0, -dc), w - max(0, dc)

        def at(oc, orr, a):
            return a[r0 + orr:r1 + orr, c0 + oc:c1 + oc]

        length = math.hypot(dc * cw, dr * ch) / 1000.0
        ba, bb = at(0, 0, blocked), at(dc, dr, blocked)
        sa, sb = at(0, 0, soft), at(dc, dr, soft)
        ea, eb = at(0, 0, eff), at(dc, dr, eff)
        allowed = ~ba & ~bb
        if abs(dc) + abs(dr) == 1:
            weight = length * (ea + eb) / 2 + penalty * (~sa & sb)
        elif abs(dc) == 1 and abs(dr) == 1:
            b1, b2 = at(dc, 0, blocked), at(0, dr, blocked)
            s1, s2 = at(dc, 0, soft), at(0, dr, soft)
            if not corner_cut:
                allowed &= ~(b1 & b2)
            entry = (~sa & sb) | (~sa & ~sb & s1 & s2)
            weight = length * (ea + eb) / 2 + penalty * entry
        else:  # knight: the two cells crossed between the ends
            if abs(dc) == 2:
                m1, m2 = (dc // 2, 0), (dc // 2, dr)
            else:
                m1, m2 = (0, dr // 2), (dc, dr // 2)
            allowed &= ~at(*m1, blocked) & ~at(*m2, blocked)
            s1, s2 = at(*m1, soft), at(*m2, soft)
            entries = (~sa & s1).astype(int) + (~s1 & s2) + (~s2 & sb)
            weight = length * (ea + at(*m1, eff) + at(*m2, eff) + eb) / 4 + penalty * entries
        src.append(at(0, 0, ids)[allowed])
        dst.append(at(dc, dr, ids)[allowed])
        wt.append(weight[allowed])
    src, dst, wt = np.concatenate(src), np.concatenate(dst), np.concatenate(wt)
    assert (wt > 0).all()  # csgraph reads a zero as no edge
    return coo_matrix((wt, (src, dst)), shape=(h * w, h * w)).tocsr()


def cell_of(x, y, cw, ch, h):
    """The cell (col, row) whose centre is (x, y) in write_tif's grid."""
    col = (x - 500000.0) / cw - 0.5
    row = (4000000.0 + h * ch - y) / ch - 0.5
    assert abs(col - round(col)) < 1e-6 and abs(row - round(row)) < 1e-6, (x, y)
    return int(round(col)), int(round(row))


class RouteCase(unittest.TestCase):
    def assertRel(self, a, b, msg=None):
        self.assertLessEqual(abs(a - b), REL * max(1.0, abs(b)), msg or "%r vs %r" % (a, b))

    def walk(self, ans, G, cw, ch, h, w, start, target):
        """Walk the route's polyline move by move on the reference graph."""
        path = [cell_of(x, y, cw, ch, h) for x, y in ans["path"]]
        self.assertEqual(path[0], start)
        self.assertEqual(path[-1], target)
        total, length = 0.0, 0.0
        for (ac, ar), (bc, br) in zip(path, path[1:]):
            dc, dr = bc - ac, br - ar
            g = math.gcd(abs(dc), abs(dr))
            sc, sr = dc // g, dr // g
            for k in range(g):
                u = (ar + k * sr) * w + ac + k * sc
                v = u + sr * w + sc
                wt = G[u, v]
                self.assertGreater(wt, 0, "move %s -> %s is no edge" % ((ac, ar), (sc, sr)))
                total += wt
                length += math.hypot(sc * cw, sr * ch) / 1000.0
        self.assertRel(ans["cost"], total)
        self.assertRel(ans["length_km"], length)


class AgainstScikitImage(RouteCase):
    """8 neighbours with corner cutting = MCP_Geometric, fully connected."""

    def test_cumulative_costs_and_lengths(self):
        compared = unreachable = 0
        for seed, w, h, cw, ch in RASTERS:
            cost, _ = make_raster(seed, w, h)
            path = os.path.join(TMP, "sk_%d.tif" % seed)
            write_tif(path, cost, cw, ch, gdal.GDT_Float64)
            rng = np.random.default_rng(100 + seed)
            ok = ~np.isnan(cost)
            starts = pick_cells(rng, ok, 3)
            queries, refs = [], []
            for s in starts:
                mcp = MCP_Geometric(np.where(ok, cost, np.inf), fully_connected=True,
                                    sampling=(ch / 1000.0, cw / 1000.0))
                cum, _ = mcp.find_costs([(s[1], s[0])])
                for t in pick_cells(rng, ok, 6):
                    queries.append(s + t)
                    if np.isinf(cum[t[1], t[0]]):
                        refs.append((math.inf, None))
                        continue
                    tb = mcp.traceback((t[1], t[0]))
                    ln = sum(math.hypot((b[1] - a[1]) * cw, (b[0] - a[0]) * ch)
                             for a, b in zip(tb, tb[1:])) / 1000.0
                    refs.append((float(cum[t[1], t[0]]), ln))
            got = run_driver([path, "--corner-cut"], queries)
            for q, (ref, ln), ans in zip(queries, refs, got):
                with self.subTest(raster=seed, query=q):
                    if math.isinf(ref):
                        self.assertEqual(ans["status"], "error", ans)
                        self.assertEqual(ans["found"], 0)
                        self.assertIn("no route from cell (col %d, row %d)" % q[:2],
                                      ans["message"])
                        unreachable += 1
                        continue
                    self.assertEqual(ans["status"], "ok", ans)
                    self.assertRel(ans["cost"], ref)
                    self.assertRel(ans["length_km"], ln)
                    compared += 1
        self.assertGreater(compared, 80)

    def test_walled_in_target_is_unreachable_for_both(self):
        w = h = 40
        cost = np.full((h, w), 2.0)
        cost[10:15, 10:15] = np.nan
        cost[12, 12] = 1.0  # a passable cell inside a solid block
        path = os.path.join(TMP, "walled.tif")
        write_tif(path, cost, 100, 100, gdal.GDT_Float64)
        mcp = MCP_Geometric(np.where(np.isnan(cost), np.inf, cost), fully_connected=True)
        cum, _ = mcp.find_costs([(0, 0)])
        self.assertTrue(np.isinf(cum[12, 12]))
        ans = run_driver([path, "--corner-cut"], [(0, 0, 12, 12)])[0]
        self.assertEqual(ans["status"], "error")
        self.assertEqual(ans["found"], 0)
        self.assertIn("(col 12, row 12)", ans["message"])


class AgainstScipyGraph(RouteCase):
    """The documented rules on a graph built here, solved by scipy."""

    CONFIGS = [
        ("8, barriers", 8, 1.0, 0.0, []),
        ("8, soft x3 + 2", 8, 3.0, 2.0, ["--soft-factor", "3", "--soft-penalty", "2"]),
        ("16, barriers", 16, 1.0, 0.0, []),
        ("16, soft x2 + 5", 16, 2.0, 5.0, ["--soft-factor", "2", "--soft-penalty", "5"]),
    ]

    def test_costs_and_routes(self):
        compared = 0
        for seed, w, h, cw, ch in RASTERS:
            cost, mask = make_raster(seed, w, h)
            cpath = os.path.join(TMP, "c_%d.tif" % seed)
            mpath = os.path.join(TMP, "m_%d.tif" % seed)
            write_tif(cpath, cost, cw, ch, gdal.GDT_Float64)
            write_tif(mpath, mask, cw, ch, gdal.GDT_Byte)
            ok = ~np.isnan(cost) & (mask < 2)
            rng = np.random.default_rng(200 + seed)
            starts = pick_cells(rng, ok, 2)
            targets = [pick_cells(rng, ok, 5) for _ in starts]
            for name, nb, factor, penalty, extra in self.CONFIGS:
                G = graph(cost, mask, cw, ch, nb, factor, penalty)
                queries, refs = [], []
                for s, ts in zip(starts, targets):
                    dist = dijkstra(G, indices=s[1] * w + s[0])
                    for t in ts:
                        queries.append(s + t)
                        refs.append(dist[t[1] * w + t[0]])
                got = run_driver([cpath, "--barrier", mpath, "--neighbours", str(nb), "--path"]
                                 + extra, queries)
                for q, ref, ans in zip(queries, refs, got):
                    with self.subTest(raster=seed, config=name, query=q):
                        if math.isinf(ref):
                            self.assertEqual(ans["status"], "error", ans)
                            self.assertEqual(ans["found"], 0)
                            continue
                        self.assertEqual(ans["status"], "ok", ans)
                        self.assertRel(ans["cost"], ref)
                        self.walk(ans, G, cw, ch, h, w, q[:2], q[2:])
                        compared += 1
        self.assertGreater(compared, 150)

    def test_several_targets_give_the_cheapest(self):
        seed, w, h, cw, ch = RASTERS[1]
        cost, mask = make_raster(seed, w, h)
        cpath = os.path.join(TMP, "multi_c.tif")
        mpath = os.path.join(TMP, "multi_m.tif")
        write_tif(cpath, cost, cw, ch, gdal.GDT_Float64)
        write_tif(mpath, mask, cw, ch, gdal.GDT_Byte)
        ok = ~np.isnan(cost) & (mask < 2)
        G = graph(cost, mask, cw, ch, 16)
        rng = np.random.default_rng(7)
        for _ in range(5):
            cells = pick_cells(rng, ok, 5)
            s, ts = cells[0], cells[1:]
            dist = dijkstra(G, indices=s[1] * w + s[0])
            ref = [dist[t[1] * w + t[0]] for t in ts]
            ans = run_driver([cpath, "--barrier", mpath, "--neighbours", "16"],
                             [s + sum(ts, ())])[0]
            self.assertEqual(ans["status"], "ok", ans)
            self.assertRel(ans["cost"], min(ref))
            self.assertEqual(ans["target"], int(np.argmin(ref)))

    def test_points_are_snapped_to_cells(self):
        seed, w, h, cw, ch = RASTERS[0]
        cost, _ = make_raster(seed, w, h, blocked=0.0)
        cpath = os.path.join(TMP, "xy.tif")
        write_tif(cpath, cost, cw, ch, gdal.GDT_Float64)
        G = graph(cost, np.zeros_like(cost, dtype=np.uint8), cw, ch, 8)
        # (3, 4) and (20, 25), given as points inside those cells off their centres
        x0, y0 = 500000.0, 4000000.0 + h * ch
        pts = (x0 + 3.2 * cw, y0 - 4.9 * ch, x0 + 20.99 * cw, y0 - 25.01 * ch)
        ans = run_driver([cpath, "--xy"], [pts])[0]
        ref = dijkstra(G, indices=4 * w + 3)[25 * w + 20]
        self.assertRel(ans["cost"], ref)


class SearchWindow(RouteCase):
    def test_window_bounds_the_cost_from_above(self):
        seed, w, h, cw, ch = RASTERS[3]
        cost, mask = make_raster(seed, w, h)
        cpath = os.path.join(TMP, "win_c.tif")
        mpath = os.path.join(TMP, "win_m.tif")
        write_tif(cpath, cost, cw, ch, gdal.GDT_Float64)
        write_tif(mpath, mask, cw, ch, gdal.GDT_Byte)
        ok = ~np.isnan(cost) & (mask < 2)
        rng = np.random.default_rng(11)
        queries = [pick_cells(rng, ok, 2) for _ in range(20)]
        queries = [a + b for a, b in queries]
        base = ["--barrier", mpath, "--neighbours", "16"]
        full = run_driver([cpath] + base, queries)
        small = run_driver([cpath, "--margin", "1000"] + base, queries)
        whole = run_driver([cpath, "--margin", str(w * cw + h * ch)] + base, queries)
        fewer = 0
        for q, f, s, a in zip(queries, full, small, whole):
            with self.subTest(query=q):
                self.assertEqual(f["status"], "ok", f)
                self.assertEqual(a["status"], "ok", a)
                self.assertEqual(a["cost"], f["cost"])
                if s["status"] == "ok":
                    self.assertGreaterEqual(s["cost"], f["cost"] * (1 - REL))
                    fewer += s["settled"] < f["settled"]
                else:
                    self.assertIn("widen the search window", s["message"])
        self.assertGreater(fewer, 0)


def main():
    if not os.access(DRIVER, os.X_OK):
        sys.stdout.write("Bail out! %s is missing; run make tests-build\n" % DRIVER)
        return 1
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
