#!/usr/bin/python3
"""End-to-end tests of what `dcsite check` predicts before a run (issue
23): the findings the run would warn about, told apart into problems
(counted, exit 4) and warnings (printed as "dcsite: WARNING: ", counted
apart in the verdict, exit 0).

Run from the repository root (after `make`):

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_check.py

Fixtures (generated into a fresh temporary directory, removed at the end):
  - test_e2e.py's GeoPackage (sites in UTM 14N near Dallas, lon ~ -96.9,
    lat ~ 32.8; nine substations; three flood polygons);
  - far.tif: a 20 x 20 GeoTIFF in EPSG:4326 over lon -101 .. -100,
    lat 40 .. 41, nowhere near the sites;
  - near.tif: the same grid moved over every site (lon -97.2 .. -96.4,
    lat 32.6 .. 33.0).
Scenarios (each test_e2e's good scenario with one change) and what check
must say:
  - clean: 0 problems, 0 warnings, exit 0; with near.tif as a raster too;
  - far.tif as a raster no rule or criterion reads: one warning naming the
    raster and its dataset (outside the sites), exit 0, and `dcsite run`
    prints the same message as a WARNING (the prediction is the run's);
  - far.tif read by a criterion: a problem naming the criterion, exit 4;
  - an overlay whose `where` keeps no feature: a warning when nothing reads
    it, a problem naming the rule when a constraint does;
  - min_voltage_kv 600: no substation qualifies (9 read, 9 below 600 kV);
    nearest miss the highest voltage below 600 kV with enough headroom
    (from the fixture's table: SUB-C, 500 kV), and the option
    substations.min_voltage_kv 500;
  - IT load 1000 MW (peak 1300 MW at design PUE 1.3): every substation at
    the 230 kV floor is short of headroom; nearest miss the largest
    headroom (from the table: SUB-C, 1000 MW) and "require_headroom": false;
    the one below the floor (SUB-LOWV, 138 kV) is also short of headroom.
About 2 s.
"""
import array
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from osgeo import gdal, osr

import tapkit
import test_e2e

gdal.UseExceptions()

DCSITE = tapkit.dcsite_path()
TMP = None


def write_raster(path, west, north, cell):
    """A 20 x 20 Float32 GeoTIFF in EPSG:4326 of a tilted plane."""
    ds = gdal.GetDriverByName("GTiff").Create(path, 20, 20, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((west, cell, 0, north, 0, -cell))
    s = osr.SpatialReference()
    s.ImportFromEPSG(4326)
    ds.SetProjection(s.ExportToWkt())
    values = [100.0 + 2 * r + c for r in range(20) for c in range(20)]
    ds.GetRasterBand(1).WriteRaster(0, 0, 20, 20, array.array("f", values).tobytes())
    ds = None


def slope(dataset, name="slope"):
    return {"name": name, "dataset": dataset, "slope": True, "stats": ["mean"],
            "outside": "neutral"}


SLOPE_CRITERION = {"name": "flat", "metric": "slope_mean", "weight": 1,
                   "value": {"type": "linear", "worst": 10, "best": 0}}


def scenarios():
    scn = test_e2e.scenario
    flood_none = {"name": "flood_x", "dataset": "fixture.gpkg", "layer": "flood",
                  "where": "zone = 'X'"}
    big = dict(scn()["facility"], it_load_mw=1000)
    high_floor = scn()
    high_floor["substations"]["min_voltage_kv"] = 600
    return {
        "clean": scn(),
        "clean_raster": scn(rasters=[slope("near.tif")],
                            criteria=test_e2e.CRITERIA + [SLOPE_CRITERION]),
        "far": scn(rasters=[slope("far.tif")]),
        "far_needed": scn(rasters=[slope("far.tif")],
                          criteria=test_e2e.CRITERIA + [SLOPE_CRITERION]),
        "empty": scn(overlays=scn()["overlays"] + [flood_none]),
        "empty_needed": scn(overlays=scn()["overlays"] + [flood_none],
                            constraints=test_e2e.CONSTRAINTS + [
                                {"name": "dry_x", "metric": "flood_x_pct", "max": 5}]),
        "high_floor": high_floor,
        "big": scn(facility=big),
    }


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-check-")
    test_e2e.build_gpkg(os.path.join(TMP, "fixture.gpkg"))
    write_raster(os.path.join(TMP, "far.tif"), -101.0, 41.0, 0.05)
    write_raster(os.path.join(TMP, "near.tif"), -97.2, 33.0, 0.04)
    for tag, s in scenarios().items():
        with open(os.path.join(TMP, tag + ".json"), "w") as fp:
            json.dump(s, fp)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def dcsite(*args):
    return subprocess.run([DCSITE, *args], capture_output=True, text=True, cwd=TMP,
                          timeout=120)


def lines(text, prefix):
    return [ln[len(prefix):] for ln in text.splitlines() if ln.startswith(prefix)]


class Base(unittest.TestCase):
    def check(self, tag, rc):
        r = dcsite("check", tag + ".json")
        msg = "%s: rc=%s\nstdout:\n%s\nstderr:\n%s" % (tag, r.returncode, r.stdout, r.stderr)
        self.assertEqual(r.returncode, rc, msg)
        verdict = r.stdout.rstrip("\n").splitlines()[-1]
        return (lines(r.stderr, "dcsite: ERROR: "), lines(r.stderr, "dcsite: WARNING: "),
                verdict, msg)


class T1Clean(Base):
    def test_clean_scenario(self):
        errors, warnings, verdict, msg = self.check("clean", 0)
        self.assertEqual((errors, warnings), ([], []), msg)
        self.assertEqual(verdict, "0 problems found: the scenario is valid")

    def test_raster_over_the_sites_is_clean(self):
        errors, warnings, verdict, msg = self.check("clean_raster", 0)
        self.assertEqual((errors, warnings), ([], []), msg)
        self.assertEqual(verdict, "0 problems found: the scenario is valid")


class T2Raster(Base):
    def test_raster_outside_the_sites_warns(self):
        errors, warnings, verdict, msg = self.check("far", 0)
        self.assertEqual(errors, [], msg)
        self.assertEqual(len(warnings), 1, msg)
        w = warnings[0]
        self.assertTrue(w.startswith("slope (raster): './far.tif' (lon/lat -101.0000, 40.0000 - "
                                     "-100.0000, 41.0000) lies entirely outside the sites"), w)
        self.assertEqual(verdict, "0 problems found, 1 warning: the scenario can run; read the "
                                  "warnings")

    def test_run_warns_the_same(self):
        _, warnings, _, _ = self.check("far", 0)
        r = dcsite("run", "far.json", "-o", "out-far")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(warnings[0], lines(r.stderr, "dcsite: WARNING: "))

    def test_raster_a_criterion_needs_is_a_problem(self):
        errors, warnings, verdict, msg = self.check("far_needed", 4)
        self.assertEqual(warnings, [], msg)
        self.assertEqual(len(errors), 1, msg)
        self.assertIn("slope (raster): './far.tif'", errors[0])
        self.assertIn("lies entirely outside the sites", errors[0])
        self.assertTrue(errors[0].endswith("Criterion 'flat' needs it."), errors[0])
        self.assertEqual(verdict, "1 problem found: the scenario would run, but its ranking "
                                  "would not be usable")


class T3EmptyLayer(Base):
    def test_empty_layer_warns(self):
        errors, warnings, verdict, msg = self.check("empty", 0)
        self.assertEqual(errors, [], msg)
        self.assertEqual(warnings, ["flood_x (layer): './fixture.gpkg' [layer flood] has no "
                                    "features; no site gets anything from it"], msg)
        self.assertIn("1 warning", verdict)

    def test_empty_layer_a_rule_needs_is_a_problem(self):
        errors, warnings, verdict, msg = self.check("empty_needed", 4)
        self.assertEqual(warnings, [], msg)
        self.assertEqual(errors, ["flood_x (layer): './fixture.gpkg' [layer flood] has no "
                                  "features; no site gets anything from it. Rule 'dry_x' "
                                  "needs it."], msg)
        self.assertTrue(verdict.startswith("1 problem found: "), verdict)


class T4Substations(Base):
    def test_voltage_floor_above_every_substation(self):
        errors, warnings, verdict, msg = self.check("high_floor", 4)
        self.assertEqual(len(errors), 1, msg)
        e = errors[0]
        n = len(test_e2e.SUBSTATIONS)
        # independent of dcsite: the highest voltage below 600 kV among the
        # substations with headroom >= the peak demand
        kv, sid = max((s[3], s[0]) for s in test_e2e.SUBSTATIONS
                      if s[3] < 600 and s[4] >= test_e2e.PEAK_MW)
        self.assertEqual((sid, kv), ("SUB-C", 500.0))
        for part in ("substations: none of the %d in './fixture.gpkg' [layer substations] "
                     "qualifies (>= 600 kV with >= 130.0 MW headroom" % n,
                     "%d are below 600 kV" % n,
                     "nearest miss: '%s' at %g kV" % (sid, kv),
                     "set substations.min_voltage_kv to %g" % kv):
            self.assertIn(part, e)
        self.assertNotIn("require_headroom", e)
        self.assertIn("1 problem found", verdict)

    def test_peak_above_every_headroom(self):
        errors, warnings, verdict, msg = self.check("big", 4)
        self.assertEqual(len(errors), 1, msg)
        e = errors[0]
        peak = 1000 * test_e2e.DESIGN_PUE
        subs = test_e2e.SUBSTATIONS
        above = [s for s in subs if s[3] >= test_e2e.MIN_KV]
        head, sid = max((s[4], s[0]) for s in above)
        self.assertEqual((sid, head), ("SUB-C", 1000.0))
        low_kv, low_id = max((s[3], s[0]) for s in subs if s[3] < test_e2e.MIN_KV)
        for part in ("qualifies (>= 230 kV with >= %.1f MW headroom" % peak,
                     "%d is below 230 kV" % (len(subs) - len(above)),
                     "%d have less than %.1f MW of headroom" % (len(above), peak),
                     "'%s' with %.1f MW of headroom" % (sid, head),
                     '"require_headroom": false',
                     "'%s' at %g kV, the highest below the floor, but it is also short of "
                     "headroom" % (low_id, low_kv)):
            self.assertIn(part, e)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
