#!/usr/bin/python3
"""Scenario options analysts reach for (issue 23), one test class per option.

Each option runs the real `dcsite` on test_e2e's fixture (sites in UTM 14N,
substations and flood in lon/lat, facility peak 130 MW) with one change to
its scenario, and checks the result against values computed here from the
fixture's design, never against an earlier dcsite run:

  - headroom: substations without `headroom_field` qualify on voltage alone;
    the interconnection cost leaves out the upgrade (default) or adds it
    (`interconnection.unknown_headroom: "upgrade"`), and the run says so;
    `require_headroom: true` without a field is a scenario error naming both;
  - measure-only: a scenario without criteria runs, writes every metric,
    scores nothing and lists eligible sites by id; `ahp` then is an error.

Reference for the interconnection cost: the default cost per km of each
voltage class in docs/scenario.md (69 kV 1.2, 161 kV 1.6, 230 kV 2.0,
345 kV 2.8 M$/km, above 4.0) and the 25 M$ upgrade; tolerance 1e-9
relative (both sides are double arithmetic on the same km).
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
RUNS = {}  # tag -> (CompletedProcess, summary dict or None, output dir)

CLASS_COST = [(69, 1.2), (161, 1.6), (230, 2.0), (345, 2.8), (float("inf"), 4.0)]
UPGRADE_MUSD = 25.0


def per_km(kv):
    return next(c for top, c in CLASS_COST if kv <= top)


def write(name, scn):
    path = os.path.join(TMP, name + ".json")
    with open(path, "w") as fp:
        json.dump(scn, fp, indent=1)
    return path


def run(tag, scn, *extra):
    out = os.path.join(TMP, "out-" + tag)
    r = subprocess.run([DCSITE, "run", write(tag, scn), "-o", out, *extra],
                       capture_output=True, text=True, cwd=TMP, timeout=300)
    js = None
    if os.path.isdir(out):
        names = [n for n in os.listdir(out) if n.endswith(".json")]
        if names:
            with open(os.path.join(out, names[0])) as fp:
                js = json.load(fp)
    RUNS[tag] = (r, js, out)


def no_headroom(**subs):
    s = test_e2e.scenario()
    del s["substations"]["headroom_field"]
    s["substations"].update(subs)
    return s


def scenarios():
    up = no_headroom()
    up["interconnection"] = {"unknown_headroom": "upgrade"}
    measure = test_e2e.scenario()
    del measure["criteria"]
    ahp = test_e2e.scenario(criteria=[], ahp={"matrix": [[1]]})
    return {
        "nohead": no_headroom(),
        "nohead_up": up,
        "nohead_required": no_headroom(require_headroom=True),
        "measure": measure,
        "measure_ahp": ahp,
    }


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-options-")
    test_e2e.build_gpkg(os.path.join(TMP, "fixture.gpkg"))
    for tag, scn in scenarios().items():
        run(tag, scn)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def gpkg_rows(out):
    """{site_id: feature fields} of the run's GeoPackage sites layer."""
    names = [n for n in os.listdir(out) if n.endswith(".gpkg")]
    ds = ogr.Open(os.path.join(out, names[0]))
    lyr = ds.GetLayer(0)
    rows = {f.GetField("site_id"): f.items() for f in lyr}
    fields = [lyr.GetLayerDefn().GetFieldDefn(i).GetName()
              for i in range(lyr.GetLayerDefn().GetFieldCount())]
    return rows, fields


class Base(unittest.TestCase):
    def ok(self, tag):
        r, js, out = RUNS[tag]
        self.assertEqual(r.returncode, 0, "%s: rc=%s\n%s" % (tag, r.returncode, r.stderr))
        self.assertIsNotNone(js, tag)
        return r, js, out

    def warnings(self, js, code):
        return [w for w in js["warnings"] if w["code"] == code]


class T1Headroom(Base):
    def test_voltage_alone_qualifies_and_run_says_headroom_unknown(self):
        r, js, _ = self.ok("nohead")
        on_voltage = [s for s in test_e2e.SUBSTATIONS if s[3] >= test_e2e.MIN_KV]
        self.assertEqual(js["substations"]["qualifying"], len(on_voltage))
        self.assertIsNone(js["substations"]["min_headroom_mw"])
        self.assertEqual(js["substations"]["unknown_headroom"], "no_upgrade")
        ws = self.warnings(js, "unknown_headroom")
        self.assertEqual(len(ws), 1, js["warnings"])
        msg = ws[0]["message"]
        self.assertIn("%d of the %d" % (len(on_voltage), len(on_voltage)), msg)
        self.assertIn("headroom_field is not given", msg)
        self.assertIn('"upgrade"', msg)
        self.assertIn("dcsite: WARNING: " + msg, r.stderr)

    def test_nearest_by_voltage_alone(self):
        # SUB-LOWH (345 kV, 100 MW) is 600 m east of S-NEAR: with no
        # headroom rule it is S-NEAR's nearest qualifying substation.
        _, js, out = self.ok("nohead")
        rows, _ = gpkg_rows(out)
        self.assertEqual(rows["S-NEAR"]["substation_id"], "SUB-LOWH")

    def costs(self, tag):
        _, _, out = self.ok(tag)
        rows, _ = gpkg_rows(out)
        self.assertTrue(rows)
        for sid, f in rows.items():
            yield sid, f["interconnect_cost_musd"], f["substation_km"] * per_km(f["substation_kv"])

    def test_unknown_headroom_no_upgrade_by_default(self):
        for sid, cost, line in self.costs("nohead"):
            self.assertAlmostEqual(cost, line, delta=1e-9 * max(1, line), msg=sid)

    def test_unknown_headroom_upgrade_when_asked(self):
        _, js, _ = self.ok("nohead_up")
        self.assertEqual(js["substations"]["unknown_headroom"], "upgrade")
        self.assertIn("an upgrade is needed", self.warnings(js, "unknown_headroom")[0]["message"])
        for sid, cost, line in self.costs("nohead_up"):
            self.assertAlmostEqual(cost, line + UPGRADE_MUSD, delta=1e-9 * line, msg=sid)

    def test_require_headroom_without_field_is_a_scenario_error(self):
        r, _, _ = RUNS["nohead_required"]
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("substations.require_headroom", r.stderr)
        self.assertIn("headroom_field", r.stderr)
        self.assertIn("false", r.stderr)

    def test_with_headroom_field_no_unknown_warning(self):
        _, js, _ = self.ok("measure")
        self.assertEqual(self.warnings(js, "unknown_headroom"), [])
        self.assertEqual(js["substations"]["min_headroom_mw"], test_e2e.PEAK_MW)


class T2MeasureOnly(Base):
    def test_runs_without_criteria_no_score_listed_by_id(self):
        r, js, out = self.ok("measure")
        self.assertIn("no criteria", r.stdout)
        rows, fields = gpkg_rows(out)
        eligible = sorted(s for s, f in rows.items() if f["status"] == "eligible")
        # the fixture's rules exclude exactly these, criteria or not
        self.assertEqual(eligible, sorted(set(rows) - set(test_e2e.EXPECTED_FAILS)))
        for sid in eligible:
            self.assertIsNone(rows[sid]["score"], sid)
        by_rank = sorted(eligible, key=lambda s: rows[s]["rank"])
        self.assertEqual(by_rank, eligible)
        self.assertEqual([t["site_id"] for t in js["top_sites"]], eligible[:len(js["top_sites"])])
        self.assertTrue(all(t["score"] is None for t in js["top_sites"]))
        self.assertEqual(js["criteria"], [])

    def test_every_metric_written(self):
        _, js, out = self.ok("measure")
        _, fields = gpkg_rows(out)
        for m in ("area_ha", "substation_km", "substation_kv", "substation_headroom_mw",
                  "interconnect_cost_musd", "substation_id", "zoning", "land_cost", "flood_pct"):
            self.assertIn(m, fields)
            self.assertIn(m, js["top_sites"][0]["metrics"])

    def test_ahp_without_criteria_is_an_error(self):
        r, _, _ = RUNS["measure_ahp"]
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("ahp: needs \"criteria\"", r.stderr)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
