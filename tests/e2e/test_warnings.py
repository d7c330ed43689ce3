#!/usr/bin/python3
"""End-to-end tests of the warnings of issue 23: each appears, with its
code and layer, in the JSON summary and on stderr when its condition
holds, and does not appear in a run where it does not.

Run from the repository root (after `make`):

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_warnings.py

Fixtures (generated into a fresh temporary directory, removed at the end):
  - test_e2e.py's GeoPackage (sites, substations, flood near Dallas), with
    two more layers written here: `region`, one polygon over every site
    (price 0.07), and `region2`, two polygons split at x = 709 000 m
    (0.07 west, 0.09 east, so S-NEAR and S-FLOOD50 differ); and a copy
    whose substation SUB-F is renamed SUB-A (both qualify);
  - test_decision.py's parcels (nine 1 ha parcels, owners X and Y, and two
    large parcels BIG1 12 ha, BIG2 9 ha).
Warnings and their runs:
  - criterion_not_discriminating: a criterion on region_price (the same
    0.07 at every eligible site) warns, naming the criterion, the metric,
    the value and its weight share (1 of 7.5 = 13.3 %); on region2 it does
    not, nor does the plain test_e2e scenario (whose `land` criterion is 1
    at every eligible site, but from different areas: a clamped value
    function is not warned about);
  - assembly_no_campus: min_area_ha 5 with max_parcels 4 (the largest
    group is 4 parcels, 4.00 ha) and min_area_ha 0.5 (no parcel is smaller)
    warn; test_decision's scenario (three campuses) does not;
  - design_pue_below_peak: an air chiller at Dallas Love Field with
    design_pue 1.05 warns (its modelled peak PUE is higher), with design
    PUE 2.5 it does not;
  - duplicate_ids: the renamed substation warns (1 repeated id, "SUB-A");
    the original fixture does not.
The Dallas demo prints no warning at all: tests/e2e/test_demo.py.  About 3 s.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from osgeo import ogr, osr

import tapkit
import test_decision
import test_e2e

ogr.UseExceptions()
osr.UseExceptions()

REPO = tapkit.REPO
DCSITE = tapkit.dcsite_path()
LOVE_FIELD = os.path.join(REPO, "tests", "fixtures", "weather", "tmy3",
                          "TX-Dallas_Love_Field.tmy3.gz")
NEW_CODES = {"criterion_not_discriminating", "assembly_no_campus", "design_pue_below_peak",
             "duplicate_ids"}
# how each new warning's message begins on stderr
STDERR_START = {"criterion_not_discriminating": "criteria: '",
                "assembly_no_campus": "assembly: no campus formed",
                "design_pue_below_peak": "facility: design_pue",
                "duplicate_ids": "substations: "}
TMP = None
RUNS = {}  # tag -> (CompletedProcess, summary dict or None)


def utm():
    s = osr.SpatialReference()
    s.ImportFromEPSG(test_e2e.UTM_EPSG)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def add_region(path, name, boxes):
    """A polygon layer `name` in UTM 14N: (xmin, ymin, xmax, ymax, price)."""
    ds = ogr.Open(path, 1)
    lyr = ds.CreateLayer(name, utm(), ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("price", ogr.OFTReal))
    for *b, price in boxes:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("price", price)
        f.SetGeometry(test_e2e.polygon_from(test_e2e.box_ring(b)))
        lyr.CreateFeature(f)
    ds = None


def rename_substation(path, old, new):
    ds = ogr.Open(path, 1)
    lyr = ds.GetLayerByName("substations")
    for f in lyr:
        if f.GetField("sub_id") == old:
            f.SetField("sub_id", new)
            lyr.SetFeature(f)
    ds = None


def write(path, scn):
    with open(path, "w") as fp:
        json.dump(scn, fp)
    return path


def run(tag, scn_path):
    """dcsite run (not --quiet: warnings go to stderr with the summary)."""
    out = os.path.join(TMP, "out-" + tag)
    r = subprocess.run([DCSITE, "run", scn_path, "-o", out], capture_output=True, text=True,
                       cwd=os.path.dirname(scn_path), timeout=300)
    js = None
    names = [n for n in os.listdir(out) if n.endswith(".json")] if os.path.isdir(out) else []
    if names:
        with open(os.path.join(out, names[0])) as fp:
            js = json.load(fp)
    RUNS[tag] = (r, js)


def e2e_scenarios(d):
    """test_e2e's scenario and its variants, in directory d."""
    scn = test_e2e.scenario
    price = {"name": "price", "metric": "region_price", "weight": 1,
             "value": {"type": "linear", "worst": 0.1, "best": 0.05}}

    def zoned(layer):
        return scn(zones=[{"name": "region", "dataset": "fixture.gpkg", "layer": layer,
                           "attributes": {"region_price": "price"}}],
                   criteria=test_e2e.CRITERIA + [price])

    energy = {"cooling": "air_chiller", "stations": [LOVE_FIELD]}
    low, high = (dict(scn()["facility"], design_pue=p) for p in (1.05, 2.5))
    return {
        "plain": scn(),
        "flat": zoned("region"),
        "varied": zoned("region2"),
        "pue_low": scn(facility=low, energy=energy),
        "pue_high": scn(facility=high, energy=energy),
        "dup": scn(dataset="dup.gpkg"),
    }


def decision_scenarios():
    scn = test_decision.scenario
    assembly = {"owner_field": "owner", "max_parcels": 4}
    return {
        "campus": scn(sensitivity=None, pareto=None),
        "short": scn(sensitivity=None, pareto=None, assembly=dict(assembly, min_area_ha=5)),
        "nosmall": scn(sensitivity=None, pareto=None,
                       assembly=dict(assembly, min_area_ha=0.5)),
    }


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-warnings-")
    e2e, dec = os.path.join(TMP, "e2e"), os.path.join(TMP, "decision")
    os.mkdir(e2e)
    os.mkdir(dec)
    gpkg = os.path.join(e2e, "fixture.gpkg")
    test_e2e.build_gpkg(gpkg)
    add_region(gpkg, "region", [(690000, 3620000, 730000, 3660000, 0.07)])
    add_region(gpkg, "region2", [(690000, 3620000, 709000, 3660000, 0.07),
                                 (709000, 3620000, 730000, 3660000, 0.09)])
    shutil.copy(gpkg, os.path.join(e2e, "dup.gpkg"))
    rename_substation(os.path.join(e2e, "dup.gpkg"), "SUB-F", "SUB-A")
    test_decision.build_fixture(dec)
    for tag, scn in e2e_scenarios(e2e).items():
        run(tag, write(os.path.join(e2e, tag + ".json"), scn))
    for tag, scn in decision_scenarios().items():
        run(tag, write(os.path.join(dec, tag + ".json"), scn))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class Base(unittest.TestCase):
    def outcome(self, tag):
        r, js = RUNS[tag]
        self.assertEqual(r.returncode, 0, "%s: rc=%s\n%s" % (tag, r.returncode, r.stderr))
        self.assertIsNotNone(js, "%s: no JSON summary" % tag)
        return r, js

    def found(self, tag, code):
        """The records of `code` in run tag's summary, each checked against
        a stderr line "dcsite: WARNING: <message>"."""
        r, js = self.outcome(tag)
        ws = [w for w in js["warnings"] if w["code"] == code]
        lines = [ln[len("dcsite: WARNING: "):] for ln in r.stderr.splitlines()
                 if ln.startswith("dcsite: WARNING: ")]
        for w in ws:
            self.assertIn(w["message"], lines, "%s: not on stderr" % w["message"])
            self.assertTrue(w["plain"] and w["plain"] != w["message"], w)
        return ws

    def assertOne(self, tag, code, layer):
        ws = self.found(tag, code)
        self.assertEqual(len(ws), 1, "%s: %s" % (tag, RUNS[tag][0].stderr))
        self.assertEqual(ws[0]["layer"], layer)
        return ws[0]

    def assertNone(self, tag, code):
        self.assertEqual(self.found(tag, code), [], tag)
        self.assertNotIn("dcsite: WARNING: " + STDERR_START[code], RUNS[tag][0].stderr, tag)


class T1Criterion(Base):
    def test_flat_criterion_warns(self):
        w = self.assertOne("flat", "criterion_not_discriminating", "criteria")
        self.assertEqual(w["message"], "criteria: 'price' (region_price = 0.07, value 0.6, "
                         "weight 13.3%) is the same at all 5 eligible sites; its 13.3% of the "
                         "weight does not tell them apart")
        self.assertIn("Criterion price is the same", w["plain"])

    def test_varied_criterion_does_not(self):
        self.assertNone("varied", "criterion_not_discriminating")

    def test_plain_fixture_has_no_warning(self):
        _, js = self.outcome("plain")
        self.assertEqual(js["warnings"], [])


class T2Assembly(Base):
    def test_short_group_warns(self):
        w = self.assertOne("short", "assembly_no_campus", "assembly")
        for part in ("9 parcels under 5 ha", "reached 4.00 ha", "4 parcels", "max_parcels 4"):
            self.assertIn(part, w["message"])
        self.assertIn("4.00 ha of the 5 ha", w["plain"])

    def test_no_small_parcel_warns(self):
        w = self.assertOne("nosmall", "assembly_no_campus", "assembly")
        self.assertIn("no parcel is smaller than min_area_ha (0.5 ha)", w["message"])

    def test_campuses_do_not(self):
        _, js = self.outcome("campus")
        self.assertEqual(len(js["decision"]["assembly"]["campuses"]), 3)
        self.assertNone("campus", "assembly_no_campus")


class T3DesignPue(Base):
    def test_low_design_pue_warns(self):
        w = self.assertOne("pue_low", "design_pue_below_peak", "facility")
        st = self.outcome("pue_low")[1]["energy"]["stations"][0]
        self.assertGreater(st["pue_peak"], 1.05)
        for part in ("design_pue 1.050", "1 of 1 weather stations", "%.3f" % st["pue_peak"],
                     st["name"], "%.2f MW" % st["peak_demand_mw"], "105.00 MW"):
            self.assertIn(part, w["message"])

    def test_high_design_pue_does_not(self):
        st = self.outcome("pue_high")[1]["energy"]["stations"][0]
        self.assertLess(st["pue_peak"], 2.5)
        self.assertNone("pue_high", "design_pue_below_peak")


class T4DuplicateIds(Base):
    def test_repeated_substation_id_warns(self):
        w = self.assertOne("dup", "duplicate_ids", "substations")
        for part in ("1 of the 7 qualifying substations", "sub_id", '"SUB-A"'):
            self.assertIn(part, w["message"])

    def test_unique_ids_do_not(self):
        self.assertNone("plain", "duplicate_ids")


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
