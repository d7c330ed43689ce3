#!/usr/bin/python3
"""Noise at receptors (issue 27 item 1): the "noise" section and its metrics.

Fixture (made here with osgeo.ogr, UTM 14N): three 200 m square sites,
A, B and C, 5 km apart, and a layer of homes: a point 400 m north of A's
centroid; two points north and south of B's at 1200 m and 2000 m (both
within the 3 km search radius); for C a 100 m parcel (polygon) whose
nearest point is 200 m east of C's centroid.  The plant: 20 MW of IT on
air-cooled chillers (ceil(20 / 0.527) = 38 units; at a night load fraction
of 0.6, ceil(22.8) = 23), two generator sets tested by day.

The reference is computed here, independently of dcsite: the unit sound
powers from the published figures (the McQuay ALR 150F octave data, the
generic LwA values with Hudson's octave corrections) and ISO 9613-2's
equations (Adiv, Table 2 absorption, the general ground method, eq. 12
for the barrier), A and C weightings of IEC 61672-1.  Tolerance 0.01 dB
(the runs' distances are exact in the working CRS).

Runs: (1) centroid placement, G = 0.5, no barrier, limits 55 dBA day and
45 dBA night, a rule noise_dba_loudest_night <= 45; (2) the same sites
with a 30 m setback, G = 1, a 10 dB barrier and the 20 C / 70 % atmosphere;
(3) the property line as receptor, centroid and setback placements;
(4) 200 small sites on one and on two threads (each checked against the
reference, and the two runs equal); (5) scenarios with mistakes, each
named in the message.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from osgeo import ogr, osr

import tapkit

DCSITE = tapkit.dcsite_path()
TMP = None
UTM = 32614
SITES = {"A": 500000.0, "B": 505000.0, "C": 510000.0}
Y0 = 3600000.0
SIDE = 200.0
IT_MW, PUE = 20.0, 1.3
# 200 sites of 100 m on a 10 x 20 grid (more than a thread's chunk of 64), two homes
MANY = [(520000.0 + 150 * (k % 10), Y0 + 150 * (k // 10)) for k in range(200)]
MANY_HOMES = [(521000.0, 3603400.0), (519500.0, 3599000.0)]

# --- the reference, from the published figures and the standard ---------
A_W = [-26.2, -16.1, -8.6, -3.2, 0.0, 1.2, 1.0, -1.1]
C_W = [-0.8, -0.2, 0.0, 0.0, 0.0, -0.2, -0.8, -3.0]
ALPHA = {"10C_70pct": [0.1, 0.4, 1.0, 1.9, 3.7, 9.7, 32.8, 117],
         "20C_70pct": [0.1, 0.3, 1.1, 2.8, 5.0, 9.0, 22.9, 76.6]}
CHILLER = [98, 101, 102, 99, 94, 92, 89, 85]  # McQuay ALR 150F, ARI 370, 150 tons
CHILLER_MW = 150 * 3.51685 / 1000             # 150 refrigeration tons in MW
HUDSON = [5.2, 4.0, 0.9, -4.5, -4.9, -10.1, -12.6, -19.9]
GENERATOR = [108 + c for c in HUDSON]         # generic enclosed set, 108 dBA


def energy_sum(levels):
    return 10 * math.log10(sum(10 ** (l / 10) for l in levels))


def plant(n_chillers, n_generators):
    return [energy_sum([c + 10 * math.log10(n_chillers)]
                       + ([g + 10 * math.log10(n_generators)] if n_generators else []))
            for c, g in zip(CHILLER, GENERATOR)]


def ground_a(band, h, dp):
    far = 1 - math.exp(-dp / 50)
    if band == 1:
        return (1.5 + 3.0 * math.exp(-0.12 * (h - 5) ** 2) * far
                + 5.7 * math.exp(-0.09 * h * h) * (1 - math.exp(-2.8e-6 * dp * dp)))
    k = {2: (8.6, 0.09), 3: (14.0, 0.46), 4: (5.0, 0.9)}[band]
    return 1.5 + k[0] * math.exp(-k[1] * h * h) * far


def region(band, g, h, dp):
    if band == 0:
        return -1.5
    if band >= 5:
        return -1.5 * (1 - g)
    return -1.5 + g * ground_a(band, h, dp)


def levels(lw, dp, g, hs=5.0, hr=1.5, barrier=0.0, atm="10C_70pct"):
    d = math.hypot(dp, hs - hr)
    q = 0 if dp <= 30 * (hs + hr) else 1 - 30 * (hs + hr) / dp
    out = []
    for b in range(8):
        agr = region(b, g, hs, dp) + region(b, g, hr, dp) + (-3 * q if b == 0 else
                                                             -3 * q * (1 - g))
        dz = min(barrier, 20)
        ground = max(dz, agr) if dz > 0 else agr
        out.append(lw[b] - (20 * math.log10(d) + 11 + ALPHA[atm][b] * d / 1000 + ground))
    return out


def weighted(lp, w):
    return energy_sum([l + x for l, x in zip(lp, w)])


N_DAY = math.ceil(IT_MW / CHILLER_MW)
N_NIGHT = math.ceil(0.6 * N_DAY)
LW_DAY = plant(N_DAY, 2)
LW_NIGHT = plant(N_NIGHT, 0)


def expect(dp, **path):
    night = levels(LW_NIGHT, dp, **path)
    return {"day": weighted(levels(LW_DAY, dp, **path), A_W), "night": weighted(night, A_W),
            "dbc": weighted(night, C_W)}


# --- fixture and runs ------------------------------------------------------
def square(x0, y0, d):
    return ogr.CreateGeometryFromWkt("POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
        x0, y0, x0 + d, y0, x0 + d, y0 + d, x0, y0 + d, x0, y0))


def point(x, y):
    return ogr.CreateGeometryFromWkt("POINT(%f %f)" % (x, y))


def write_fixture(wd):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(UTM)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(os.path.join(wd, "fx.gpkg"))
    sites = ds.CreateLayer("sites", srs, ogr.wkbPolygon)
    sites.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
    for sid, x0 in SITES.items():
        f = ogr.Feature(sites.GetLayerDefn())
        f.SetField("site_id", sid)
        f.SetGeometry(square(x0, Y0, SIDE))
        sites.CreateFeature(f)
    subs = ds.CreateLayer("subs", srs, ogr.wkbPoint)
    subs.CreateField(ogr.FieldDefn("sub_id", ogr.OFTString))
    subs.CreateField(ogr.FieldDefn("kv", ogr.OFTReal))
    f = ogr.Feature(subs.GetLayerDefn())
    f.SetField("sub_id", "S")
    f.SetField("kv", 345.0)
    f.SetGeometry(point(505000, 3590000))
    subs.CreateFeature(f)
    many = ds.CreateLayer("many", srs, ogr.wkbPolygon)
    many.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
    for k, (x0, y0) in enumerate(MANY):
        f = ogr.Feature(many.GetLayerDefn())
        f.SetField("site_id", "M%03d" % k)
        f.SetGeometry(square(x0, y0, 100))
        many.CreateFeature(f)
    homes = ds.CreateLayer("homes", srs, ogr.wkbUnknown)
    cx = {k: v + SIDE / 2 for k, v in SITES.items()}
    cy = Y0 + SIDE / 2
    for g in (point(cx["A"], cy + 400), point(cx["B"], cy + 1200), point(cx["B"], cy - 2000),
              square(cx["C"] + 200, cy - 50, 100)) + tuple(point(x, y) for x, y in MANY_HOMES):
        f = ogr.Feature(homes.GetLayerDefn())
        f.SetGeometry(g)
        homes.CreateFeature(f)
    ds = None


def scenario(**noise):
    n = {"receptors": {"dataset": "fx.gpkg", "layer": "homes"}, "cooling": "air_chiller",
         "night_load_fraction": 0.6, "generators_tested_day": 2, "ground_factor": 0.5}
    n.update(noise)
    return {
        "name": "noise",
        "facility": {"it_load_mw": IT_MW, "design_pue": PUE},
        "sites": {"dataset": "fx.gpkg", "layer": "sites", "id_field": "site_id"},
        "substations": {"dataset": "fx.gpkg", "layer": "subs", "id_field": "sub_id",
                        "voltage_field": "kv"},
        "noise": n,
        "criteria": [{"name": "quiet", "metric": "noise_dba_loudest_night", "weight": 1,
                      "value": {"type": "linear", "worst": 60, "best": 30}}],
        "outputs": {"xlsx": False, "top_n": 10},
    }


def run(scn, tag, cmd="run", threads=None):
    path = os.path.join(TMP, tag + ".json")
    with open(path, "w") as fp:
        json.dump(scn, fp)
    out = os.path.join(TMP, "out-" + tag)
    args = [DCSITE, cmd, path] + (["-o", out, "--quiet"] if cmd == "run" else [])
    if threads:
        args += ["--threads", str(threads)]
    p = subprocess.run(args, capture_output=True, text=True, cwd=TMP, timeout=300)
    return p, out


def read_sites(p, out):
    assert p.returncode == 0, p.stderr
    ds = ogr.Open(os.path.join(out, "noise.gpkg"))
    lyr = ds.GetLayerByName("candidates")
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return {f.GetField("site_id"): {n: None if f.IsFieldNull(n) else f.GetField(n)
                                    for n in names} for f in lyr}


RUNS = {}


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-noise-")
    write_fixture(TMP)
    base = scenario(limit_day_dba=55, limit_night_dba=45)
    base["constraints"] = [{"name": "night_limit", "metric": "noise_dba_loudest_night",
                            "max": 45}]
    RUNS["centroid"] = run(base, "centroid")
    RUNS["setback"] = run(scenario(placement={"setback_m": 30}, ground_factor=1,
                                   barrier_db=10, atmosphere="20C_70pct"), "setback")
    RUNS["line"] = run(scenario(receptors="property_line"), "line")
    many = scenario()
    many["sites"]["layer"] = "many"
    RUNS["many1"] = run(many, "many1", threads=1)
    RUNS["many2"] = run(many, "many2", threads=2)
    RUNS["line_setback"] = run(scenario(receptors="property_line",
                                        placement={"setback_m": 30}), "line_setback")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


DIST = {"A": 400.0, "B": 1200.0, "C": 200.0}


class T1Centroid(unittest.TestCase):
    def rows(self):
        return read_sites(*RUNS["centroid"])

    def test_plant_size(self):
        self.assertEqual((N_DAY, N_NIGHT), (38, 23))

    def test_levels_match_the_standard(self):
        rows = self.rows()
        for sid, dp in DIST.items():
            r, e = rows[sid], expect(dp, g=0.5)
            self.assertAlmostEqual(r["noise_receptor_km"], dp / 1000, delta=1e-9, msg=sid)
            self.assertAlmostEqual(r["noise_dba_nearest_day"], e["day"], delta=0.01, msg=sid)
            self.assertAlmostEqual(r["noise_dba_nearest_night"], e["night"], delta=0.01, msg=sid)
            self.assertAlmostEqual(r["noise_dbc_loudest_night"], e["dbc"], delta=0.01, msg=sid)
            # C-weighted exceeds A-weighted: the chillers' low-frequency content
            self.assertGreater(r["noise_dbc_loudest_night"], r["noise_dba_loudest_night"] + 3)

    def test_loudest_is_the_loudest_within_the_radius(self):
        b = self.rows()["B"]
        loud = max(expect(1200, g=0.5)["night"], expect(2000, g=0.5)["night"])
        self.assertAlmostEqual(b["noise_dba_loudest_night"], loud, delta=0.01)
        self.assertGreater(b["noise_dba_loudest_night"], expect(2000, g=0.5)["night"] + 3)

    def test_margins(self):
        for sid, r in self.rows().items():
            e = expect(DIST[sid], g=0.5)
            self.assertAlmostEqual(r["noise_margin_day_db"], 55 - e["day"], delta=0.01)
            self.assertAlmostEqual(r["noise_margin_night_db"], 45 - e["night"], delta=0.01)

    def test_constraint_excludes_the_loud_sites(self):
        rows = self.rows()
        for sid in SITES:
            loud = expect(DIST[sid], g=0.5)["night"] > 45
            self.assertEqual(rows[sid]["rank"] is None, loud, sid)
        # A (400 m) and C (200 m) are over 45 dBA at night, B (1.2 km) is not
        self.assertIsNone(rows["A"]["rank"])
        self.assertIsNone(rows["C"]["rank"])
        self.assertEqual(rows["B"]["rank"], 1)


class T2SetbackBarrier(unittest.TestCase):
    def test_setback_moves_the_plant_towards_the_home(self):
        rows = read_sites(*RUNS["setback"])
        # A: the home is due north; the plant sits 30 m inside the north edge
        path = dict(g=1.0, barrier=10.0, atm="20C_70pct")
        for sid, dp in (("A", 330.0), ("B", 1130.0), ("C", 130.0)):
            r, e = rows[sid], expect(dp, **path)
            self.assertAlmostEqual(r["noise_receptor_km"], dp / 1000, delta=1e-6, msg=sid)
            self.assertAlmostEqual(r["noise_dba_nearest_day"], e["day"], delta=0.01, msg=sid)
            self.assertAlmostEqual(r["noise_dba_loudest_night"], e["night"], delta=0.01,
                                   msg=sid)
        # no limits given: no margin metrics
        self.assertNotIn("noise_margin_night_db", rows["A"])


class T3PropertyLine(unittest.TestCase):
    def test_boundary_from_the_centroid(self):
        for sid, r in read_sites(*RUNS["line"]).items():
            e = expect(SIDE / 2, g=0.5)
            self.assertAlmostEqual(r["noise_receptor_km"], 0.1, delta=1e-9, msg=sid)
            self.assertAlmostEqual(r["noise_dba_nearest_night"], e["night"], delta=0.01)
            self.assertAlmostEqual(r["noise_dba_loudest_day"], e["day"], delta=0.01)

    def test_boundary_at_the_setback(self):
        for sid, r in read_sites(*RUNS["line_setback"]).items():
            self.assertAlmostEqual(r["noise_receptor_km"], 0.03, delta=1e-6, msg=sid)
            self.assertAlmostEqual(r["noise_dba_nearest_night"], expect(30, g=0.5)["night"],
                                   delta=0.01)


class T3bEmptyLayer(unittest.TestCase):
    def test_no_receptor_no_figure(self):
        scn = scenario(receptors={"dataset": "fx.gpkg", "layer": "homes", "where": "fid < 0"})
        rows = read_sites(*run(scn, "empty"))
        for sid in SITES:
            self.assertIsNone(rows[sid]["noise_dba_loudest_night"], sid)
            self.assertIsNone(rows[sid]["noise_receptor_km"], sid)


class T4Threads(unittest.TestCase):
    def test_many_sites_on_two_threads(self):
        one, two = read_sites(*RUNS["many1"]), read_sites(*RUNS["many2"])
        self.assertEqual(len(one), 200)
        homes = MANY_HOMES  # the fixture's other receptors are over 9 km away
        for k, (x0, y0) in enumerate(MANY):
            sid = "M%03d" % k
            cx, cy = x0 + 50, y0 + 50
            d = sorted(math.hypot(cx - x, cy - y) for x, y in homes)
            near = expect(d[0], g=0.5)
            loud = max((expect(x, g=0.5) for x in d if x <= 3000), key=lambda e: e["night"],
                       default=near)
            for name in ("noise_dba_nearest_day", "noise_dba_loudest_night",
                         "noise_dbc_loudest_night", "noise_receptor_km"):
                self.assertEqual(one[sid][name], two[sid][name], sid + " " + name)
            self.assertAlmostEqual(one[sid]["noise_receptor_km"], d[0] / 1000, delta=1e-9)
            self.assertAlmostEqual(one[sid]["noise_dba_nearest_day"], near["day"], delta=0.01)
            self.assertAlmostEqual(one[sid]["noise_dba_loudest_night"], loud["night"],
                                   delta=0.01)


class T5Errors(unittest.TestCase):
    def check(self, noise, *messages, drop=()):
        scn = scenario(**noise)
        for k in drop:
            del scn["noise"][k]
        p, _ = run(scn, "bad", cmd="check")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        for m in messages:
            self.assertIn(m, p.stderr)

    def test_unknown_key(self):
        self.check({"ground": 1}, "noise.ground: unknown key (expected one of: receptors,")

    def test_bad_values(self):
        self.check({"ground_factor": 2, "placement": "edge", "atmosphere": "hot",
                    "barrier_db": [1, 2]},
                   "noise.ground_factor: 2 is out of range (expected 0 to 1)",
                   "noise.placement: expected \"centroid\" or an object {\"setback_m\": "
                   "metres}, got \"edge\"",
                   "noise.atmosphere: expected one of 10C_70pct",
                   "noise.barrier_db: expected a number of dB or an array of 8")

    def test_missing_keys(self):
        self.check({}, "noise.receptors: required key is missing",
                   "noise.cooling: required without an energy section", drop=("receptors",
                                                                              "cooling"))

    def test_unknown_metric_without_limit(self):
        scn = scenario()
        scn["constraints"] = [{"name": "m", "metric": "noise_margin_night_db", "min": 0}]
        p, _ = run(scn, "nolimit", cmd="check")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("noise_margin_night_db", p.stderr)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
