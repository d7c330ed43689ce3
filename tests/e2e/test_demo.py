#!/usr/bin/python3
"""End-to-end test of the demo (issue 23): `dcsite run data/scenarios/dallas.json`
runs on the sample data in data/ without a single warning, and `dcsite
check` on it finds nothing.

Run from the repository root (after `make`):

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_demo.py

The demo is run once into a temporary directory (removed at the end).
What must hold, and why it could fail:
  - exit 0, no line containing "WARNING" on stderr and no record of
    severity "warning" in the JSON summary (two notes on suspect weather hours) (each of the warnings the demo used to print —
    invalid geometries repaired, a DEM outside the sites, an empty layer,
    a design PUE below the modelled peak, criteria that do not discriminate —
    would break this);
  - some eligible sites (the demo ranks 119 of 1987 when this was written);
  - the DEM covers every site: slope_deg_mean is a number at every
    candidate in the GeoPackage, and not all the same;
  - the design PUE is at least every station's modelled peak PUE (read
    from the summary's energy section);
  - `dcsite check` on the demo: "0 problems found: the scenario is valid",
    exit 0, no WARNING.
About 3 s.
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

ogr.UseExceptions()

REPO = tapkit.REPO
DCSITE = tapkit.dcsite_path()
DALLAS = os.path.join(REPO, "data", "scenarios", "dallas.json")
TMP = None
RUN = None      # CompletedProcess of the demo run
SUMMARY = None  # its JSON summary
CHECK = None    # CompletedProcess of dcsite check


def setUpModule():
    global TMP, RUN, SUMMARY, CHECK
    TMP = tempfile.mkdtemp(prefix="dcsite-demo-")
    RUN = subprocess.run([DCSITE, "run", DALLAS, "-o", TMP], capture_output=True, text=True,
                         timeout=600)
    path = os.path.join(TMP, "dallas_100mw.json")
    if os.path.exists(path):
        with open(path) as fp:
            SUMMARY = json.load(fp)
    CHECK = subprocess.run([DCSITE, "check", DALLAS], capture_output=True, text=True,
                           timeout=300)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class T1Run(unittest.TestCase):
    def test_exit_zero(self):
        self.assertEqual(RUN.returncode, 0, RUN.stderr)

    # The demo warns about nothing.  It notes the suspect weather hours
    # (issue 25) of two of its three TMY3 stations, left out of the peaks:
    # Dallas Love Field (5 hours, among them the dew point of 33.0 C at
    # 34.0 C on 9 September 14:00) and Fort Worth Meacham (1 hour: 41.0 C
    # at 1 am between 26.0 and 22.0 C) - "dcsite: note:", not a WARNING.
    SUSPECT = [("DALLAS LOVE FIELD", "5 suspect hours"), ("FORT WORTH MEACHAM", "1 suspect hour left")]

    def test_no_warning_on_stderr(self):
        self.assertEqual([ln for ln in RUN.stderr.splitlines() if "WARNING" in ln], [])
        notes = [ln for ln in RUN.stderr.splitlines() if ln.startswith("dcsite: note: ")]
        self.assertEqual(len(notes), 2, RUN.stderr)
        for ln, (station, count) in zip(notes, self.SUSPECT):
            self.assertIn("station %s: %s" % (station, count), ln)

    def test_no_warning_in_summary(self):
        self.assertIsNotNone(SUMMARY, RUN.stderr)
        ws = SUMMARY["warnings"]
        self.assertEqual([(w["code"], w["severity"]) for w in ws],
                         [("weather_suspect_hours", "note")] * 2)
        for w, (station, count) in zip(ws, self.SUSPECT):
            self.assertIn("station %s: %s" % (station, count), w["message"])

    def test_some_sites_eligible(self):
        self.assertIn(" eligible, ", RUN.stdout)
        line = [ln for ln in RUN.stdout.splitlines() if ln.startswith("Top sites of scenario")]
        self.assertEqual(len(line), 1, RUN.stdout)
        eligible = int(line[0].split("candidates, ")[1].split(" eligible")[0])
        self.assertGreater(eligible, 10, line[0])

    def test_dem_covers_every_site(self):
        ds = ogr.Open(os.path.join(TMP, "dallas_100mw.gpkg"))
        slopes = [f.GetField("slope_deg_mean") for f in ds.GetLayerByName("candidates")]
        self.assertEqual(len(slopes), 1987)
        self.assertNotIn(None, slopes)
        self.assertGreater(max(slopes) - min(slopes), 0.5)  # degrees: the terrain differs

    def test_design_pue_covers_every_peak(self):
        design = SUMMARY["facility"]["design_pue"]
        peaks = [s["pue_peak"] for s in SUMMARY["energy"]["stations"]]
        self.assertEqual(len(peaks), 3)
        self.assertGreaterEqual(design, max(peaks))


class T2Check(unittest.TestCase):
    def test_check_finds_nothing(self):
        self.assertEqual(CHECK.returncode, 0, CHECK.stdout + CHECK.stderr)
        self.assertNotIn("WARNING", CHECK.stderr)
        self.assertEqual(CHECK.stdout.rstrip("\n").splitlines()[-1],
                         "0 problems found: the scenario is valid")


class T3HourlyDemo(unittest.TestCase):
    """data/scenarios/dallas_hourly.json: the demo with the SYNTHETIC hourly
    ERCT signals: it runs quietly, and every eligible site carries the
    hour-by-hour carbon and cost beside the annual-average ones, and its
    region's flexible capacity at each budget (issue 26)."""

    def test_hourly_beside_annual(self):
        scn = os.path.join(os.path.dirname(DALLAS), "dallas_hourly.json")
        out = os.path.join(TMP, "hourly")
        r = subprocess.run([DCSITE, "run", scn, "-o", out], capture_output=True, text=True,
                           timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([ln for ln in r.stderr.splitlines() if "WARNING" in ln], [])
        names = [n for n in os.listdir(out) if n.endswith(".json")]
        with open(os.path.join(out, names[0])) as fp:
            js = json.load(fp)
        for t in js["top_sites"]:
            m = t["metrics"]
            for k in ("co2_t_yr", "co2_hourly_t_yr", "co2_marginal_t_yr", "energy_cost_usd_yr",
                      "energy_cost_hourly_usd_yr", "cfe_grid_pct", "flex_mw_0_5pct",
                      "flex_hours_50h", "flex_gen_ok_50h"):
                self.assertIsNotNone(m.get(k), (t["site_id"], k))
            # the hourly and the annual-average carbon differ, both positive
            self.assertGreater(m["co2_hourly_t_yr"], 0)
            self.assertNotEqual(m["co2_hourly_t_yr"], m["co2_t_yr"])
            self.assertLessEqual(m["flex_hours_50h"], 50)
            self.assertLess(m["flex_mw_0_25pct"], m["flex_mw_1pct"])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
