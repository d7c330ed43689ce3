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
    scores nothing and lists eligible sites by id; `ahp` then is an error;
  - constants: a number and a text constant reach every site; a join matches
    on the text constant;
  - acres: `area_acres` is the geodesic area (pyproj, independent of dcsite)
    in international acres; `facility.land_acres` excludes what the same land
    in hectares excludes; both at once is an error;
  - substation rules: each rule's nearest substation, its distance (from the
    boundary or the centroid), voltage, headroom, id and name, against the
    fixture's design and pyproj geodesics (1e-6 km); a rule nothing meets
    warns; `from: "centroid"` on a distance layer, on a two-part site whose
    centroid lies between its parts;
  - numeric text: a CSV column (GDAL reads CSV columns as text without a
    .csvt) whose values are all numbers is read as numbers by a criterion;
    one "n/a" stops the run naming the file, the field, the feature and the
    value.

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


ACRE_HA = 0.40468564224  # international acre, exact (4046.8564224 m2)
PRICES = {"industrial": "0.061", "commercial": "0.083"}  # text, as a CSV holds them


def write_prices(name, rows):
    with open(os.path.join(TMP, name), "w") as fp:
        fp.write("zone,price\n")
        for zone, price in rows.items():
            fp.write("%s,%s\n" % (zone, price))


def priced(csv):
    crit = {"name": "power_price", "metric": "price", "weight": 1,
            "value": {"type": "linear", "worst": 0.1, "best": 0.05}}
    return test_e2e.scenario(
        joins=[{"name": "prices", "dataset": csv, "key_field": "zone", "on": "zoning",
                "attributes": {"price": "price"}}],
        criteria=test_e2e.CRITERIA + [crit])


def scenarios():
    up = no_headroom()
    up["interconnection"] = {"unknown_headroom": "upgrade"}
    measure = test_e2e.scenario()
    del measure["criteria"]
    ahp = test_e2e.scenario(criteria=[], ahp={"matrix": [[1]]})
    consts = test_e2e.scenario(
        constants={"tariff_usd_kwh": 0.0725, "region": "ERCOT-N"},
        joins=[{"name": "regional", "dataset": "regions.csv", "key_field": "region",
                "on": "region", "attributes": {"region_co2": "co2"}}])
    acres = test_e2e.scenario()
    acres["facility"] = dict(acres["facility"])
    del acres["facility"]["land_ha"]
    acres["facility"]["land_acres"] = test_e2e.LAND_HA / ACRE_HA
    both = test_e2e.scenario()
    both["facility"] = dict(both["facility"], land_acres=50)
    rules = test_e2e.scenario(distances=[
        {"name": "subs_edge", "dataset": "fixture.gpkg", "layer": "substations"},
        {"name": "subs_mid", "dataset": "fixture.gpkg", "layer": "substations",
         "from": "centroid"}])
    rules["substations"] = dict(rules["substations"], name_field="name", rules=[
        {"name": "any", "min_voltage_kv": 0},
        {"name": "big", "min_headroom_mw": 350},
        {"name": "near", "from": "centroid"},
        {"name": "none", "min_voltage_kv": 1000}])
    nohead = no_headroom(rules=[{"name": "h", "min_headroom_mw": 10}])
    from_bad = test_e2e.scenario(distances=[
        {"name": "x", "dataset": "fixture.gpkg", "layer": "substations", "from": "middle"}])
    love = os.path.join(tapkit.REPO, "tests", "fixtures", "weather", "tmy3",
                        "TX-Dallas_Love_Field.tmy3.gz")
    design = test_e2e.scenario(energy={"cooling": "air_chiller", "stations": [love],
                                       "design_dry_bulb_c": 45, "design_wet_bulb_c": 24})
    design_bad = test_e2e.scenario(energy={"cooling": "air_chiller", "stations": [love],
                                           "design_wet_bulb_c": 24})
    return {
        "design": design,
        "design_bad": design_bad,
        "rules": rules,
        "rules_nohead": nohead,
        "from_bad": from_bad,
        "consts": consts,
        "acres": acres,
        "acres_both": both,
        "price_text": priced("prices.csv"),
        "price_bad": priced("prices_bad.csv"),
        "nohead": no_headroom(),
        "nohead_up": up,
        "nohead_required": no_headroom(require_headroom=True),
        "measure": measure,
        "measure_ahp": ahp,
    }


def name_substations(path):
    """A name field on the fixture's substations: "Name of <id>"."""
    ds = ogr.Open(path, 1)
    lyr = ds.GetLayerByName("substations")
    lyr.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    for f in lyr:
        f.SetField("name", "Name of " + f.GetField("sub_id"))
        lyr.SetFeature(f)
    ds = None


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-options-")
    test_e2e.build_gpkg(os.path.join(TMP, "fixture.gpkg"))
    name_substations(os.path.join(TMP, "fixture.gpkg"))
    write_prices("prices.csv", PRICES)
    write_prices("prices_bad.csv", dict(PRICES, commercial="n/a"))
    with open(os.path.join(TMP, "regions.csv"), "w") as fp:
        fp.write("region,co2\nERCOT-S,690.5\nERCOT-N,733.9\n")
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


class T3Constants(Base):
    def test_every_site_gets_the_constants_and_joins_on_them(self):
        _, js, out = self.ok("consts")
        rows, fields = gpkg_rows(out)
        self.assertEqual(len(rows), len(test_e2e.SITES))
        for sid, f in rows.items():
            self.assertEqual(f["tariff_usd_kwh"], 0.0725, sid)
            self.assertEqual(f["region"], "ERCOT-N", sid)
            # the ERCOT-N row, not ERCOT-S; text, as the CSV holds it, since
            # nothing in the scenario reads it as a number
            self.assertEqual(f["region_co2"], "733.9", sid)

    def test_constant_must_be_number_or_text(self):
        r = subprocess.run([DCSITE, "check", write("const_bad", test_e2e.scenario(
            constants={"flag": True}))], capture_output=True, text=True, cwd=TMP)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("constants.flag: expected a number or a text, got true", r.stderr)


class T4Acres(Base):
    def test_area_acres_is_the_geodesic_area_in_acres(self):
        _, _, out = self.ok("acres")
        rows, _ = gpkg_rows(out)
        for sid, parts, _, _ in test_e2e.SITES:
            acres = test_e2e.geodesic_area_m2(parts) / 4046.8564224
            # 1e-6 relative: dcsite's ellipsoidal area against pyproj's (test_e2e
            # checks area_ha to the same tolerance)
            self.assertAlmostEqual(rows[sid]["area_acres"], acres, delta=1e-6 * acres, msg=sid)
            self.assertAlmostEqual(rows[sid]["area_acres"] * ACRE_HA, rows[sid]["area_ha"],
                                   delta=1e-9 * rows[sid]["area_ha"], msg=sid)

    def test_land_acres_excludes_like_land_ha(self):
        _, _, out = self.ok("acres")
        rows, _ = gpkg_rows(out)
        small = {sid for sid, f in rows.items() if "facility_land" in (f["reasons"] or "")}
        self.assertEqual(small, {s for s, rules in test_e2e.EXPECTED_FAILS.items()
                                 if "facility_land" in rules})

    def test_land_in_both_units_is_an_error(self):
        r, _, _ = RUNS["acres_both"]
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("facility.land_acres: give the land in hectares or in acres, not both",
                      r.stderr)


class T5NumericText(Base):
    def test_numeric_text_column_read_as_numbers(self):
        _, _, out = self.ok("price_text")
        rows, _ = gpkg_rows(out)
        ds = ogr.Open(os.path.join(TMP, "prices.csv"))
        defn = ds.GetLayer(0).GetLayerDefn()
        # the premise: GDAL hands the column over as text
        self.assertEqual(defn.GetFieldDefn(defn.GetFieldIndex("price")).GetType(),
                         ogr.OFTString)
        for sid, f in rows.items():
            want = PRICES.get(f["zoning"])
            if want is None:
                self.assertIsNone(f["price"], sid)
                continue
            self.assertEqual(f["price"], float(want), sid)
            if f["status"] == "eligible":
                v = (0.1 - float(want)) / (0.1 - 0.05)
                self.assertAlmostEqual(f["power_price_value"], v, delta=1e-12, msg=sid)

    def test_a_value_that_is_not_a_number_names_file_field_feature_value(self):
        r, _, _ = RUNS["price_bad"]
        self.assertEqual(r.returncode, 4, r.stderr)
        for needle in ("field 'price'", "prices_bad.csv", "criteria[4]",
                       'feature 2 has "n/a"', "not a number"):
            self.assertIn(needle, r.stderr)


def ground_km(a, b):
    """Geodesic km between two UTM 14N points (pyproj, independent of dcsite)."""
    (lon1, lat1), (lon2, lat2) = (test_e2e.TO_LONLAT.transform(*p) for p in (a, b))
    return test_e2e.GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def nearest_sub(point, min_kv=0.0, min_head=None):
    """The designed nearest substation to a UTM point (planar nearest; the
    fixture's spacing makes it the geodesic nearest too) and its km."""
    subs = [s for s in test_e2e.SUBSTATIONS
            if s[3] >= min_kv and (min_head is None or s[4] >= min_head)]
    best = min(subs, key=lambda s: (s[1] - point[0]) ** 2 + (s[2] - point[1]) ** 2)
    return best, ground_km(point, (best[1], best[2]))


def centroid_of(parts):
    area = sum((b[2] - b[0]) * (b[3] - b[1]) for b in parts)
    cx = sum((b[2] - b[0]) * (b[3] - b[1]) * (b[0] + b[2]) / 2 for b in parts) / area
    cy = sum((b[2] - b[0]) * (b[3] - b[1]) * (b[1] + b[3]) / 2 for b in parts) / area
    return cx, cy


class T6SubstationRules(Base):
    def test_each_rule_finds_its_nearest_with_id_and_name(self):
        _, _, out = self.ok("rules")
        rows, fields = gpkg_rows(out)
        for sid, parts, _, _ in test_e2e.SITES:
            f = rows[sid]
            # main rule unchanged: >= 230 kV with headroom >= the 130 MW peak
            self.assertEqual(f["substation_id"], test_e2e.EXPECTED_SUB[sid][0], sid)
            self.assertEqual(f["substation_name"], "Name of " + f["substation_id"], sid)
            for rule, min_kv, head in (("any", 0.0, None), ("big", 230.0, 350.0)):
                # boundary distance: nearest point of the site to each substation
                cands = [s for s in test_e2e.SUBSTATIONS
                         if s[3] >= min_kv and (head is None or s[4] >= head)]
                gaps = [(test_e2e.nearest_on_boxes(parts, s[1], s[2]), s) for s in cands]
                (d, pt), best = min(gaps, key=lambda g: g[0][0])
                self.assertEqual(f[rule + "_id"], best[0], (sid, rule))
                self.assertEqual(f[rule + "_name"], "Name of " + best[0], (sid, rule))
                self.assertEqual(f[rule + "_kv"], best[3], (sid, rule))
                self.assertEqual(f[rule + "_headroom_mw"], best[4], (sid, rule))
                km = ground_km(pt, (best[1], best[2]))
                # 1e-6 km: dcsite's ellipsoidal distance against pyproj's geodesic
                self.assertAlmostEqual(f[rule + "_km"], km, delta=1e-6, msg=(sid, rule))

    def test_rule_from_centroid_and_its_name(self):
        _, _, out = self.ok("rules")
        rows, fields = gpkg_rows(out)
        self.assertIn("near_centroid_km", fields)
        self.assertNotIn("near_km", fields)
        for sid, parts, _, _ in test_e2e.SITES:
            best, km = nearest_sub(centroid_of(parts), min_kv=230.0)
            self.assertEqual(rows[sid]["near_id"], best[0], sid)
            self.assertAlmostEqual(rows[sid]["near_centroid_km"], km, delta=1e-6, msg=sid)

    def test_rule_that_nothing_meets_warns(self):
        _, js, _ = self.ok("rules")
        ws = [w for w in js["warnings"] if w["code"] == "no_qualifying_substation"]
        self.assertEqual([w["layer"] for w in ws], ["none"], js["warnings"])
        rows, _ = gpkg_rows(RUNS["rules"][2])
        self.assertTrue(all(f["none_km"] is None for f in rows.values()))

    def test_headroom_rule_needs_a_headroom_field(self):
        r, _, _ = RUNS["rules_nohead"]
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("substations.rules[0]: min_headroom_mw needs substations.headroom_field",
                      r.stderr)


class T7DistanceFrom(Base):
    def test_centroid_distance_beside_boundary_distance(self):
        # S-MULTI's two parts leave its centroid in the 300 m gap between them:
        # from the boundary the east part decides (1.2 km to SUB-E), from the
        # centroid 1.65 km.
        _, _, out = self.ok("rules")
        rows, fields = gpkg_rows(out)
        self.assertIn("subs_edge_km", fields)
        self.assertIn("subs_mid_centroid_km", fields)
        for sid, parts, _, _ in test_e2e.SITES:
            c = centroid_of(parts)
            _, km = nearest_sub(c)
            self.assertAlmostEqual(rows[sid]["subs_mid_centroid_km"], km, delta=1e-6, msg=sid)
            gaps = [test_e2e.nearest_on_boxes(parts, s[1], s[2]) + (s,)
                    for s in test_e2e.SUBSTATIONS]
            d, pt, s = min(gaps, key=lambda g: g[0])
            self.assertAlmostEqual(rows[sid]["subs_edge_km"], ground_km(pt, (s[1], s[2])),
                                   delta=1e-6, msg=sid)
        m = rows["S-MULTI"]
        self.assertAlmostEqual(m["subs_edge_km"], 1.2, delta=0.002)
        self.assertAlmostEqual(m["subs_mid_centroid_km"], 1.65, delta=0.002)

    def test_unknown_from_is_an_error(self):
        r, _, _ = RUNS["from_bad"]
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('distances[0].from: expected one of boundary, centroid, got "middle"',
                      r.stderr)


class T8DesignCondition(Base):
    """energy.design_dry_bulb_c / design_wet_bulb_c reach every site's
    pue_design and peak_demand_design_mw: the same as `dcsite energy
    --design-dry-bulb 45 --design-wet-bulb 24` on the station (the command
    line path, 1e-9 relative), and above the typical-year peak (45 C is
    hotter than any hour of the file)."""

    def test_design_metrics_at_every_site(self):
        _, js, out = self.ok("design")
        love = os.path.join(tapkit.REPO, "tests", "fixtures", "weather", "tmy3",
                            "TX-Dallas_Love_Field.tmy3.gz")
        r = subprocess.run([DCSITE, "energy", love, "--cooling", "air_chiller", "--it-mw",
                            str(test_e2e.IT_LOAD_MW), "--design-dry-bulb", "45",
                            "--design-wet-bulb", "24", "--json"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        ref = json.loads(r.stdout)
        self.assertEqual(ref["design_source"], "user")
        rows, _ = gpkg_rows(out)
        for sid, f in rows.items():
            self.assertAlmostEqual(f["peak_demand_design_mw"], ref["peak_demand_design_mw"],
                                   delta=1e-9 * ref["peak_demand_design_mw"], msg=sid)
            self.assertAlmostEqual(f["pue_design"], ref["pue_design"], delta=1e-9, msg=sid)
            self.assertGreater(f["peak_demand_design_mw"], f["peak_demand_mw"], sid)

    def test_wet_bulb_alone_is_an_error(self):
        r, _, _ = RUNS["design_bad"]
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("energy.design_wet_bulb_c: needs design_dry_bulb_c", r.stderr)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
