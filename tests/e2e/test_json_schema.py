#!/usr/bin/python3
"""The JSON summary as an interface for programs: every summary dcsite
writes validates against docs/schema/summary.schema.json (JSON Schema
draft 2020-12, python3-jsonschema), and the schema is strict enough to
reject a renamed key or a mistyped value.

Run from the repository root (after `make`):

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_json_schema.py

Runs (each into a fresh temporary directory, removed at the end):
  - the Dallas demo (data/scenarios/dallas.json): energy, every kind of
    value function, no warning;
  - the demo with outputs.all_sites: true (a copy of the scenario beside
    links to data/*, so its relative paths still resolve);
  - test_e2e.py's small generated fixture (no warnings, top_n 4), and with
    an overlay and a distance whose `where` keeps no flood polygon (two
    layer_empty warnings);
  - test_decision.py's fixture with pareto, sensitivity (perturbation and
    ranges) and assembly, and with AHP weights;
  - that fixture with no eligible site.
Checks: validation; the mutations (a key renamed, a number turned into a
string, an unknown warning code, an extra key) fail it; the schema's
warning codes are warning.c's; `sites` lists counts.eligible sites in
rank order and begins with top_sites; `units` and `fields` cover every
metric and criterion with model.c's units; distinct options and score
classes agree with the ranked sites.  About 6 s.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import jsonschema

import tapkit
import test_decision
import test_e2e

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DCSITE = tapkit.dcsite_path()
SCHEMA_PATH = os.path.join(REPO, "docs", "schema", "summary.schema.json")
DALLAS = os.path.join(REPO, "data", "scenarios", "dallas.json")
TMP = None
EMPTY_FLOOD = {"name": "flood_x", "dataset": "fixture.gpkg", "layer": "flood",
               "where": "zone = 'none'"}
RUNS = {}  # tag -> (CompletedProcess, summary dict or None)


def schema():
    with open(SCHEMA_PATH) as fp:
        return json.load(fp)


def validator():
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def run_scenario(tag, path):
    """dcsite run path -o TMP/out-<tag>; the summary is read when the run
    worked."""
    out = os.path.join(TMP, "out-" + tag)
    r = subprocess.run([DCSITE, "run", path, "-o", out, "--quiet"], capture_output=True,
                       text=True, timeout=300, cwd=os.path.dirname(path))
    js = None
    names = [n for n in os.listdir(out) if n.endswith(".json")] if os.path.isdir(out) else []
    if r.returncode == 0 and len(names) == 1:
        with open(os.path.join(out, names[0])) as fp:
            js = json.load(fp)
    RUNS[tag] = (r, js)


def write_json(path, data):
    with open(path, "w") as fp:
        json.dump(data, fp, indent=2)
    return path


def demo_copy(name, **outputs):
    """The demo scenario with outputs changed, in TMP/scenarios beside links
    to every folder of data/ (its paths are relative: ../dallas/...)."""
    with open(DALLAS) as fp:
        s = json.load(fp)
    s.setdefault("outputs", {}).update(outputs)
    return write_json(os.path.join(TMP, "scenarios", name), s)


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-schema-")
    unittest.addModuleCleanup(shutil.rmtree, TMP, ignore_errors=True)
    os.mkdir(os.path.join(TMP, "scenarios"))
    for d in os.listdir(os.path.join(REPO, "data")):
        if d != "scenarios":
            os.symlink(os.path.join(REPO, "data", d), os.path.join(TMP, d))
    # test_e2e's fixture: sites, substations and flood near Dallas
    fixed = os.path.join(TMP, "fixed")
    os.mkdir(fixed)
    test_e2e.build_gpkg(os.path.join(fixed, "fixture.gpkg"))
    # test_decision's fixture: parcels for assembly, Pareto and sensitivity
    dec = os.path.join(TMP, "decision")
    os.mkdir(dec)
    test_decision.build_fixture(dec)
    dscn = test_decision.scenario
    ranges = {"runs": 50, "seed": 3, "top_n": 2, "ranges": {"grid": [0.2, 0.8]}}
    ahp = dscn()["criteria"]
    for c in ahp:
        del c["weight"]
    scenarios = {
        "demo": DALLAS,
        "all": demo_copy("all.json", all_sites=True),
        "spaced": demo_copy("spaced.json", all_sites=True, top_n=25,
                            distinct={"by": "", "min_spacing_km": 3}),
        "fixed": write_json(os.path.join(fixed, "e2e.json"), test_e2e.scenario()),
        "warned": write_json(os.path.join(fixed, "warned.json"), test_e2e.scenario(
            overlays=test_e2e.scenario()["overlays"] + [EMPTY_FLOOD],
            distances=[dict(EMPTY_FLOOD, name="flood_y")])),
        "decision": write_json(os.path.join(dec, "decision.json"),
                               dscn(outputs={"all_sites": True})),
        "ranges": write_json(os.path.join(dec, "ranges.json"),
                             dscn(name="ranges", sensitivity=ranges, assembly=None)),
        "ahp": write_json(os.path.join(dec, "ahp.json"),
                          dscn(name="ahp", criteria=ahp, sensitivity=None, pareto=None,
                               assembly=None, ahp={"matrix": [[1, 3], [1 / 3, 1]]})),
        "none": write_json(os.path.join(dec, "none.json"),
                           dscn(name="none", facility={"it_load_mw": 50, "land_ha": 500},
                                sensitivity=None, pareto=None, assembly=None,
                                outputs={"all_sites": True})),
    }
    for tag, path in scenarios.items():
        run_scenario(tag, path)


class Base(unittest.TestCase):
    def summary(self, tag):
        r, js = RUNS[tag]
        self.assertEqual(r.returncode, 0, "%s: rc=%s\n%s" % (tag, r.returncode, r.stderr))
        self.assertIsNotNone(js, "%s: no JSON summary" % tag)
        return js

    def assertValid(self, js, what):
        errors = sorted(validator().iter_errors(js), key=lambda e: list(e.absolute_path))
        self.assertEqual([], ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300])
                              for e in errors], what)


class T1Valid(Base):
    """Every run's summary validates."""

    def test_every_summary_validates(self):
        for tag in RUNS:
            with self.subTest(run=tag):
                js = self.summary(tag)
                self.assertValid(js, tag)
                self.assertRegex(js["schema_version"], r"^2\.[0-9]+$")
                self.assertEqual(list(js)[0], "schema_version", "schema_version comes first")

    def test_warning_records(self):
        ws = self.summary("warned")["warnings"]
        self.assertEqual([(w["code"], w["layer"]) for w in ws],
                         [("layer_empty", "flood_x"), ("layer_empty", "flood_y")])
        for w in ws:
            self.assertEqual(set(w), {"code", "layer", "message", "plain", "severity"})
            self.assertEqual(w["severity"], "warning")

    def test_demo_has_energy_and_every_value_function(self):
        js = self.summary("demo")
        # only notes on the suspect weather hours of two demo stations (test_demo.py)
        self.assertEqual([(w["code"], w["severity"], "suspect hour" in w["message"])
                          for w in js["warnings"]],
                         [("weather_suspect_hours", "note", True)] * 2)
        self.assertIn("energy", js)
        self.assertEqual({c["value_function"]["type"] for c in js["criteria"]},
                         {"linear", "piecewise", "step", "categorical"})
        self.assertNotIn("sites", js, "sites only with outputs.all_sites")

    def test_fixture_without_warnings(self):
        js = self.summary("fixed")
        self.assertEqual(js["warnings"], [])
        self.assertEqual(len(js["top_sites"]), test_e2e.TOP_N)

    def test_decision_sections(self):
        d = self.summary("decision")["decision"]
        self.assertEqual(set(d), {"pareto", "sensitivity", "assembly"})
        self.assertEqual(d["sensitivity"]["method"], "perturbation")
        self.assertEqual(self.summary("ranges")["decision"]["sensitivity"]["method"], "ranges")
        self.assertIn("ahp", self.summary("ahp"))
        top = self.summary("decision")["top_sites"][0]
        for k in test_decision.DECISION_FIELDS:
            self.assertIn(k, top)

    def test_no_eligible_site(self):
        js = self.summary("none")
        self.assertEqual(js["counts"]["eligible"], 0)
        self.assertEqual((js["top_sites"], js["sites"], js["distinct_options"]), ([], [], []))
        self.assertEqual((js["score_classes"]["breaks"], js["score_classes"]["colours"]),
                         ([], []))


class T2Strict(Base):
    """Mutations of a valid summary fail validation."""

    def mutants(self, js):
        def renamed(obj, old, new):
            obj[new] = obj.pop(old)

        out = []

        def mutant(name, fn):
            m = copy.deepcopy(js)
            fn(m)
            out.append((name, m))

        mutant("top-level key renamed", lambda m: renamed(m, "counts", "count"))
        mutant("site key renamed", lambda m: renamed(m["top_sites"][0], "score", "scores"))
        mutant("warning key renamed", lambda m: renamed(m["warnings"][0], "plain", "text"))
        mutant("unit key dropped from fields",
               lambda m: m["fields"][0].pop("unit"))
        mutant("number as string", lambda m: m["counts"].update(eligible=str(
            m["counts"]["eligible"])))
        mutant("score as string", lambda m: m["top_sites"][0].update(score="0.7"))
        mutant("metric as list", lambda m: m["top_sites"][0]["metrics"].update(area_ha=[1]))
        mutant("unit as number", lambda m: m["units"].update(area_ha=1))
        mutant("unknown warning code", lambda m: m["warnings"][0].update(code="oops"))
        mutant("warning as string", lambda m: m["warnings"].__setitem__(0, "a warning"))
        mutant("extra key in a site", lambda m: m["top_sites"][0].update(colour="#fff"))
        mutant("extra top-level key", lambda m: m.update(extra=1))
        mutant("schema_version major 1", lambda m: m.update(schema_version="1.0"))
        mutant("schema_version a number", lambda m: m.update(schema_version=2.0))
        mutant("missing required key", lambda m: m.pop("units"))
        mutant("colour not #rrggbb",
               lambda m: m["score_classes"]["colours"].__setitem__(0, "yellow"))
        mutant("distinct option with a number extra",
               lambda m: m["distinct_options"][0].update(substation_id=3))
        mutant("criterion contribution renamed",
               lambda m: renamed(next(iter(m["top_sites"][0]["criteria"].values())),
                                 "contribution", "contrib"))
        return out

    def test_mutations_fail(self):
        # the demo's summary with the warning records of a run that has some
        js = copy.deepcopy(self.summary("demo"))
        js["warnings"] = self.summary("warned")["warnings"]
        self.assertValid(js, "the original must be valid")
        v = validator()
        for name, m in self.mutants(js):
            with self.subTest(mutation=name):
                self.assertFalse(v.is_valid(m), "%s: still valid" % name)

    def test_decision_mutations_fail(self):
        js = self.summary("decision")
        v = validator()
        for name, fn in (("pareto flag as number", lambda m: m["top_sites"][0].update(pareto=1)),
                         ("campus key renamed",
                          lambda m: m["decision"]["assembly"]["campuses"][0].update(
                              parcel_ids=m["decision"]["assembly"]["campuses"][0].pop(
                                  "parcels"))),
                         ("sweep key renamed",
                          lambda m: m["decision"]["sensitivity"]["sweeps"][0].update(
                              top=m["decision"]["sensitivity"]["sweeps"][0].pop("top_above")))):
            m = copy.deepcopy(js)
            fn(m)
            with self.subTest(mutation=name):
                self.assertFalse(v.is_valid(m), "%s: still valid" % name)

    def test_warning_codes_are_warning_c(self):
        with open(os.path.join(REPO, "analysis", "core", "warning.c")) as fp:
            src = fp.read()
        table = src[src.index("code_names["):src.index("};", src.index("code_names["))]
        codes = re.findall(r'\]\s*=\s*"([a-z_0-9]+)"', table)
        self.assertGreaterEqual(len(codes), 11)
        enum = schema()["$defs"]["warning"]["properties"]["code"]["enum"]
        self.assertEqual(sorted(enum), sorted(codes))


class T3AllSites(Base):
    """outputs.all_sites: every eligible site, in rank order, last."""

    def test_sites_are_the_ranking(self):
        for tag in ("all", "decision"):
            with self.subTest(run=tag):
                js = self.summary(tag)
                sites = js["sites"]
                self.assertEqual(len(sites), js["counts"]["eligible"])
                self.assertEqual([s["rank"] for s in sites], list(range(1, len(sites) + 1)))
                scores = [s["score"] for s in sites]
                self.assertEqual(scores, sorted(scores, reverse=True))
                self.assertEqual(len({s["site_id"] for s in sites}), len(sites))
                self.assertEqual(sites[:len(js["top_sites"])], js["top_sites"],
                                 "same objects as top_sites")
                self.assertEqual(list(js)[-1], "sites", "sites is the last key")

    def test_same_summary_otherwise(self):
        a, b = self.summary("demo"), self.summary("all")
        skip = {"sites", "run", "scenario", "fingerprint", "outputs", "inputs", "warnings",
                "energy"}  # paths differ (a copy of the scenario beside links)
        self.assertEqual({k: v for k, v in a.items() if k not in skip},
                         {k: v for k, v in b.items() if k not in skip})

    def test_file_layout(self):
        """The streamed array reads like cJSON's own output: the first
        top_n sites are byte-identical to top_sites."""
        out = os.path.join(TMP, "out-all")
        name = [n for n in os.listdir(out) if n.endswith(".json")][0]
        with open(os.path.join(out, name)) as fp:
            text = fp.read()
        top = text[text.index('"top_sites":\t[') + 14:text.index('\n\t"distinct":')]
        sites = text[text.index('\n\t"sites":\t[') + 12:]
        self.assertTrue(sites.startswith(top[:-2]), "top_sites and sites differ in layout")
        self.assertTrue(text.endswith("}]\n}\n"))


class T4Units(Base):
    """units and fields from the report fields (reports/report_fields.c)."""

    def test_units(self):
        js = self.summary("demo")
        units = js["units"]
        for t in js["top_sites"]:
            for k in t["metrics"]:
                self.assertIn(k, units, "metric %s has no unit entry" % k)
        self.assertEqual(units["interconnect_cost_musd"], "M$")  # model.c's table
        self.assertEqual(units["substation_km"], "km")
        self.assertEqual(units["area_ha"], "ha")
        self.assertEqual(units["peak_demand_mw"], "MW")
        self.assertEqual(units["flood100_pct"], "%")  # an overlay's share
        self.assertEqual(units["zoning"], "")  # an attribute: no unit
        self.assertEqual((units["lon"], units["lat"], units["score"]),
                         ("degrees", "degrees", "0-1"))
        for c in js["criteria"]:
            self.assertEqual(units[c["name"] + "_value"], "0-1")
            self.assertEqual(units[c["name"] + "_contrib"], "0-1")

    def test_fields_match_units(self):
        for tag in ("demo", "decision"):
            with self.subTest(run=tag):
                js = self.summary(tag)
                names = [f["name"] for f in js["fields"]]
                self.assertEqual(names, list(js["units"]), "one unit per field, same order")
                for f in js["fields"]:
                    self.assertEqual(js["units"][f["name"]], f["unit"])
                    if f["unit"]:
                        self.assertIn("(%s)" % f["unit"], f["title"])
                    self.assertTrue(f["meaning"], f["name"])
                byname = {f["name"]: f for f in js["fields"]}
                self.assertEqual(byname["score"]["better"], "higher")
                self.assertEqual(byname["rank"]["type"], "integer")
        dec = {f["name"] for f in self.summary("decision")["fields"]}
        self.assertTrue(set(test_decision.DECISION_FIELDS) <= dec)


class T5DistinctAndClasses(Base):
    """distinct_options and score_classes agree with the ranked sites."""

    def test_distinct_by_substation(self):
        js = self.summary("all")
        self.assertEqual(js["distinct"], {"by": "substation_id", "min_spacing_km": 0})
        opts, sites = js["distinct_options"], js["sites"]
        self.assertTrue(0 < len(opts) <= 10)
        self.assertEqual(opts[0]["site_id"], sites[0]["site_id"], "the top site comes first")
        ranks = [o["rank"] for o in opts]
        self.assertEqual(ranks, sorted(ranks))
        groups = [o["substation_id"] for o in opts]
        self.assertEqual(len(set(groups)), len(groups), "one option per substation")
        seen = set()
        for s in sites:  # greedy in rank order: the first site of each new group
            g = s["metrics"]["substation_id"]
            if g not in seen and len(seen) < len(opts):
                seen.add(g)
                o = opts[len(seen) - 1]
                self.assertEqual((o["site_id"], o["rank"], o["score"], o["lon"], o["lat"]),
                                 (s["site_id"], s["rank"], s["score"], s["lon"], s["lat"]))

    def test_distinct_by_spacing_only(self):
        js = self.summary("spaced")
        self.assertEqual(js["distinct"], {"by": None, "min_spacing_km": 3})
        for o in js["distinct_options"]:
            self.assertEqual(set(o), {"rank", "site_id", "score", "lon", "lat"})

    def test_score_classes(self):
        js = self.summary("all")
        c = js["score_classes"]
        scores = [s["score"] for s in js["sites"]]
        self.assertEqual(c["method"], "quantile")
        self.assertEqual(len(c["breaks"]), len(c["colours"]) + 1)
        self.assertTrue(3 <= len(c["colours"]) <= 5, c)
        self.assertEqual(c["breaks"], sorted(c["breaks"]))
        self.assertEqual((c["breaks"][0], c["breaks"][-1]), (min(scores), max(scores)))
        self.assertEqual(c["excluded_colour"], "#bdbdbd")


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
