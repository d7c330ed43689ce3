#!/usr/bin/python3
"""`dcsite energy --hourly FILE.csv` and the design-condition peak (issue 25).

Fixtures: the weather files of tests/fixtures/weather (NREL TMY3 for Dallas
Love Field; the Chicago EPW with its ASHRAE 2009 DESIGN CONDITIONS header).

  - the CSV has a header and 8760 rows, hour_of_year 1..8760, timestamps
    01-01 01:00 .. 12-31 24:00; its facility_mw and water_m3 columns sum to
    the --json annual energy (MWh: one hour per row) and water within 1e-9
    relative (the CSV carries 12 significant digits, JSON 15 or more);
    mode counts equal the JSON's free/partial/mechanical hours;
  - the largest facility_mw of the rows without a flag equals peak_demand_mw
    (1e-9 relative); at Dallas Love Field the row of 9 September 14:00
    (dew point 33.0 C at 34.0 C dry bulb, its neighbours 28.4 and 22.0 C) is
    flagged "spike", and the warning on stderr names the station and that
    hour; the flagged rows number excluded_hours;
  - the CSV is written atomically: no temporary file is left beside it, and
    a directory that does not exist fails with exit code 5 (I/O) and a message
    naming the path;
  - Chicago's EPW header gives a 20-year extreme dry bulb of 39.5 C (field
    14 after "Extremes", read here from the file itself); with air_chiller
    the design peak is at that dry bulb and above the typical-year peak;
  - --design-dry-bulb 45 raises the design peak above the EPW's; a wet bulb
    above the dry bulb is a usage error.
"""
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest

import tapkit

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WEATHER = os.path.join(REPO, "tests", "fixtures", "weather")
DALLAS_LF = os.path.join(WEATHER, "tmy3", "TX-Dallas_Love_Field.tmy3.gz")
CHICAGO_EPW = os.path.join(WEATHER, "chicago.epw.gz")
DCSITE = tapkit.dcsite_path()
REL = 1e-9


def energy(*args):
    return subprocess.run([DCSITE, "energy"] + list(args), capture_output=True, text=True)


def header_extreme_db20(path):
    """DBmax20years of the EPW DESIGN CONDITIONS line (ASHRAE order)."""
    with gzip.open(path, "rt") as f:
        f.readline()
        fields = [x.strip() for x in f.readline().split(",")]
    return float(fields[fields.index("Extremes") + 14])


class T1Hourly(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dcsite-hourly-")
        cls.csv_path = os.path.join(cls.tmp, "dallas.csv")
        cls.proc = energy(DALLAS_LF, "--json", "--hourly", cls.csv_path)
        cls.js = json.loads(cls.proc.stdout) if cls.proc.returncode == 0 else None
        with open(cls.csv_path, newline="") as f:
            cls.rows = list(csv.DictReader(f))

    def test_rows(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(len(self.rows), 8760)
        self.assertEqual([int(r["hour_of_year"]) for r in self.rows], list(range(1, 8761)))
        self.assertEqual(self.rows[0]["timestamp"], "01-01 01:00")
        self.assertEqual(self.rows[-1]["timestamp"], "12-31 24:00")
        self.assertEqual(os.listdir(self.tmp), ["dallas.csv"])

    def test_sums_equal_the_annual_figures(self):
        mwh = sum(float(r["facility_mw"]) for r in self.rows)
        water = sum(float(r["water_m3"]) for r in self.rows)
        self.assertAlmostEqual(mwh / self.js["energy_mwh_yr"], 1, delta=REL)
        self.assertAlmostEqual(water / self.js["water_m3_yr"], 1, delta=REL)
        for mode in ("free", "partial", "mechanical"):
            self.assertEqual(sum(r["mode"] == mode for r in self.rows), self.js[mode + "_hours"])
        for r in self.rows[:50]:
            self.assertAlmostEqual(float(r["pue"]) * 100, float(r["facility_mw"]), delta=1e-6)

    def test_peak_is_the_largest_unflagged_hour(self):
        sound = [float(r["facility_mw"]) for r in self.rows if not r["flag"]]
        self.assertAlmostEqual(max(sound) / self.js["peak_demand_mw"], 1, delta=REL)
        flagged = [r for r in self.rows if r["flag"]]
        self.assertEqual(len(flagged), self.js["excluded_hours"])
        bad = self.rows[6037]
        self.assertEqual(bad["timestamp"], "09-09 14:00")
        self.assertEqual((float(bad["dry_bulb_c"]), float(bad["dew_point_c"])), (34.0, 33.0))
        self.assertEqual(bad["flag"], "spike")
        # the bad hour would have set the peak
        self.assertGreater(float(bad["facility_mw"]), self.js["peak_demand_mw"])
        self.assertIn("station DALLAS LOVE FIELD", self.proc.stderr)
        self.assertIn("09-09 14:00 dew point 33.0 C at 34.0 C (neighbours 28.4, 22.0)",
                      self.proc.stderr)

    def test_missing_directory(self):
        path = os.path.join(self.tmp, "no", "such", "dir.csv")
        p = energy(DALLAS_LF, "--hourly", path)
        self.assertEqual(p.returncode, 5, p.stderr)  # DCS_EXIT_IO
        self.assertIn(path, p.stderr)


class T2DesignPeak(unittest.TestCase):
    def test_epw_extreme(self):
        db20 = header_extreme_db20(CHICAGO_EPW)
        self.assertEqual(db20, 39.5)
        p = energy(CHICAGO_EPW, "--json", "--cooling", "air_chiller")
        self.assertEqual(p.returncode, 0, p.stderr)
        js = json.loads(p.stdout)
        self.assertEqual(js["design_source"], "EPW design conditions")
        self.assertEqual(js["design_dry_bulb_c"], db20)
        self.assertGreater(js["peak_demand_design_mw"], js["peak_demand_mw"])
        self.assertAlmostEqual(js["pue_design"] * 100, js["peak_demand_design_mw"], delta=1e-9)
        text = energy(CHICAGO_EPW, "--cooling", "air_chiller").stdout
        self.assertIn("design condition (EPW design conditions): dry bulb 39.5 C", text)
        self.assertIn("design peak demand  %8.1f MW" % js["peak_demand_design_mw"], text)

    def test_user_design(self):
        base = json.loads(energy(CHICAGO_EPW, "--json", "--cooling", "air_chiller").stdout)
        p = energy(CHICAGO_EPW, "--json", "--cooling", "air_chiller", "--design-dry-bulb", "45")
        js = json.loads(p.stdout)
        self.assertEqual(js["design_source"], "user")
        self.assertEqual(js["design_dry_bulb_c"], 45)
        self.assertGreater(js["peak_demand_design_mw"], base["peak_demand_design_mw"])
        p = energy(CHICAGO_EPW, "--design-dry-bulb", "30", "--design-wet-bulb", "31")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--design-wet-bulb 31 is above --design-dry-bulb 30", p.stderr)

    def test_tmy3_percentile(self):
        js = json.loads(energy(DALLAS_LF, "--json", "--cooling", "air_chiller").stdout)
        self.assertEqual(js["design_source"], "0.4 % percentiles of the year")
        # a percentile lies below the year's hottest hour
        self.assertLess(js["peak_demand_design_mw"], js["peak_demand_mw"])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
