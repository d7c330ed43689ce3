#!/usr/bin/python3
"""Flexible capacity in a run (issue 26 items 4 and 5): energy.flexibility.

test_grid_signals' fixture (sites A in region R1, B in R2, C in R3, each
with its own 345 kV substation) with a system_load_mw column: R1 and R2
carry a seeded diurnal and seasonal load shape (peak scaled to 1000 MW);
R3 is not in the signal table, so C gets no flexible capacity (its metrics
stay empty).  Substation SA has a capacity
(300 MW) and a headroom (40 MW): A's figures are its substation's, the
region's shape scaled so its peak is 300 - 40 = 260 MW, under 300 MW.  SB
has no capacity: B's figures are region R2's, its shape under its own peak.

The reference is computed here, independently of dcsite's sorted-gap
solution: for an hours budget N by counting, for each candidate F, the
hours with load + F above the capacity and bisecting on F; for an energy
budget X % by bisecting on F over sum(max(0, min(F, load + F - C))) <=
X/100 x F x 8760.  Tolerance 1e-6 MW (60 bisection steps on [0, C]).  The
generator verdict: hours <= the scenario's cap (50 h).
"""
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

from osgeo import ogr

import tapkit
import test_grid_signals as tgs

DCSITE = tapkit.dcsite_path()
TMP = None
OUT = None
PROC = None
LOADS = {}
CAP_A, HEAD_A = 300.0, 40.0


def load_shape(seed):
    rng = random.Random(seed)
    raw = [600 + 200 * math.sin(2 * math.pi * (h % 24 - 9) / 24)
           + 150 * math.sin(2 * math.pi * (h / 8760.0 - 0.35)) + rng.uniform(-40, 40)
           for h in range(tgs.HOURS)]
    peak = max(raw)
    return [round(v * 1000.0 / peak, 3) for v in raw]


def curtailed(load, cap, f):
    return [max(0.0, min(f, l + f - cap)) for l in load]


def bisect(ok, hi):
    lo = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


def ref_hours(load, cap, n):
    return bisect(lambda f: sum(1 for l in load if l + f > cap) <= n, cap)


def ref_energy(load, cap, pct):
    return bisect(lambda f: sum(curtailed(load, cap, f)) <= pct / 100.0 * f * len(load), cap)


def setUpModule():
    global TMP, OUT, PROC
    TMP = tempfile.mkdtemp(prefix="dcsite-flex-")
    tgs.write_fixture(TMP)
    ds = ogr.Open(os.path.join(TMP, "fx.gpkg"), 1)
    subs = ds.GetLayerByName("subs")
    for name in ("mw", "cap_mw"):
        subs.CreateField(ogr.FieldDefn(name, ogr.OFTReal))
    for f in subs:
        f.SetField("mw", HEAD_A if f.GetField("sub_id") == "SA" else 400.0)
        if f.GetField("sub_id") == "SA":
            f.SetField("cap_mw", CAP_A)
        subs.SetFeature(f)
    ds = None
    sig = tgs.make_signals(26)
    for region, seed in (("R1", 1), ("R2", 2)):
        LOADS[region] = load_shape(seed)
        sig[region]["system_load_mw"] = LOADS[region]
    rows = [["region", "hour"] + list(tgs.SIGNALS) + ["system_load_mw"]]
    for region, s in sig.items():
        for h in range(tgs.HOURS):
            rows.append([region, str(h + 1)] + [repr(s[k][h]) for k in tgs.SIGNALS]
                        + [repr(s["system_load_mw"][h])])
    with open(os.path.join(TMP, "signals.csv"), "w") as fp:
        fp.write("".join(",".join(r) + "\n" for r in rows))
    scn = tgs.scenario(TMP, signals="signals.csv", supply=None)
    scn["energy"]["hourly_signals"]["fields"]["system_load_mw"] = "system_load_mw"
    scn["energy"]["flexibility"] = {"budgets_pct": [0.5, 1], "budgets_hours": [50],
                                    "generator_cap_hours": 50}
    scn["substations"].update(headroom_field="mw", capacity_field="cap_mw",
                              require_headroom=False)
    PROC, OUT = tgs.run(TMP, scn, "flex")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class T1Flex(unittest.TestCase):
    def rows(self):
        self.assertEqual(PROC.returncode, 0, PROC.stderr)
        return tgs.read_sites(OUT)

    def check(self, row, load, cap):
        for name, want in (("0_5pct", ref_energy(load, cap, 0.5)),
                           ("1pct", ref_energy(load, cap, 1.0)),
                           ("50h", ref_hours(load, cap, 50))):
            self.assertAlmostEqual(row["flex_mw_" + name], want, delta=1e-6, msg=name)
            # hours curtailed at dcsite's F, counted here (one hour either way:
            # at F the binding hour sits exactly on the capacity)
            hours = sum(1 for l in load if l + row["flex_mw_" + name] > cap + 1e-9)
            self.assertAlmostEqual(row["flex_hours_" + name], hours, delta=1, msg=name)
            self.assertEqual(row["flex_gen_ok_" + name], 1 if row["flex_hours_" + name] <= 50
                             else 0, name)
        self.assertLessEqual(row["flex_hours_50h"], 50)

    def test_substation_level_with_capacity(self):
        a = self.rows()["A"]
        peak = max(LOADS["R1"])
        scaled = [l * (CAP_A - HEAD_A) / peak for l in LOADS["R1"]]
        self.check(a, scaled, CAP_A)
        # more than the 40 MW headroom once a little curtailment is accepted
        self.assertGreater(a["flex_mw_0_5pct"], HEAD_A)

    def test_region_level_without_capacity(self):
        self.check(self.rows()["B"], LOADS["R2"], max(LOADS["R2"]))

    def test_no_load_shape_no_figure(self):
        self.assertIsNone(self.rows()["C"]["flex_mw_50h"])

    def test_needs_a_system_load_signal(self):
        scn = tgs.scenario(TMP, signals="signals.csv", supply=None)
        scn["energy"]["flexibility"] = {"budgets_pct": [0.5]}
        p, _ = tgs.run(TMP, scn, "noload")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("energy.flexibility: needs energy.hourly_signals with a system_load_mw",
                      p.stderr)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
