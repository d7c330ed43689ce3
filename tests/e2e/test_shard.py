#!/usr/bin/python3
"""End-to-end tests of split runs, merging, batches and resuming (issue 7).

On the Dallas sample (data/scenarios/dallas.json, 1,987 candidate cells):
* 4 shards (`run --shard I/N`) merged (`merge`) give the same reports as a
  single run, compared value by value (compare_runs.py: JSON summary key by
  key, every GeoPackage feature field by field, geometries as WKB); a
  deliberately altered value is caught (the comparison can fail);
* a shard killed (SIGKILL) mid-measuring leaves no shard file; running the
  shards again skips the complete ones (their files untouched, "skipped" in
  their output) and redoes the killed one; the merge equals the single run;
* the run fingerprint is in every output, changes with the scenario's
  content and with any input file's bytes, not with the JSON's whitespace;
  merge refuses a missing shard and shards of another fingerprint;
* `batch`: one report set per scenario, a comparison workbook and JSON
  whose figures are those of each scenario's own summary, exit code 6 when
  one scenario fails (the others' results kept), and on a re-run the
  complete scenarios are skipped and a changed one is redone.
The reference for "same result" is always an ordinary single run.
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_shard.py
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

import openpyxl
import tapkit
import compare_runs
from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DCSITE = os.path.abspath(os.environ.get("DCSITE", os.path.join(REPO, "build", "dcsite")))
DALLAS = os.path.join(REPO, "data", "scenarios", "dallas.json")
NAME = "dallas_100mw"
TMP = None
SINGLE = None


def _grid5():
    """Dallas's constraints with grid_reachable at 5 km instead of 15."""
    with open(DALLAS) as fp:
        cons = json.load(fp)["constraints"]
    for c in cons:
        if c["name"] == "grid_reachable":
            c["max"] = 5
    return cons


GRID5 = _grid5()


def dcsite(*args, check=None):
    p = subprocess.run([DCSITE] + list(args), capture_output=True, text=True, cwd=REPO)
    if check is not None and p.returncode != check:
        raise AssertionError("dcsite %s: exit %d (wanted %d)\n%s%s"
                             % (" ".join(args), p.returncode, check, p.stdout, p.stderr))
    return p


def absolute_scenario(path, out, **changes):
    """A copy of the Dallas scenario at out, with absolute data paths and
    top-level keys replaced by changes."""
    with open(path) as fp:
        scn = json.load(fp)
    base = os.path.dirname(path)

    def fix(o):
        if isinstance(o, dict):
            return {k: (os.path.normpath(os.path.join(base, v))
                        if k == "dataset" and isinstance(v, str) else fix(v))
                    for k, v in o.items()}
        if isinstance(o, list):
            return [fix(v) for v in o]
        return o
    scn = fix(scn)
    scn["energy"]["stations"] = [os.path.normpath(os.path.join(base, s))
                                 for s in scn["energy"]["stations"]]
    scn.update(changes)
    with open(out, "w") as fp:
        json.dump(scn, fp, indent=2)
    return out


def run_shards(scenario, outdir, n, procs=2):
    """Run shards 0..n-1, `procs` at a time; returns their outputs."""
    out = {}
    pending = list(range(n))
    while pending:
        batch, pending = pending[:procs], pending[procs:]
        ps = {i: subprocess.Popen([DCSITE, "run", scenario, "--shard", "%d/%d" % (i, n), "-o",
                                   outdir, "--quiet"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=REPO) for i in batch}
        for i, p in ps.items():
            so, se = p.communicate()
            out[i] = (p.returncode, so, se)
    return out


def shard_meta(path):
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    md = ds.GetMetadata()
    lyr = ds.GetLayerByName("rows")
    idx = [f.GetField("dcs_site_index") for f in lyr]
    return md, idx


def setUpModule():
    global TMP, SINGLE
    TMP = tempfile.mkdtemp(prefix="dcsite-shard-")
    SINGLE = os.path.join(TMP, "single")
    dcsite("run", DALLAS, "-o", SINGLE, "--quiet", check=0)


def tearDownModule():
    if TMP:
        shutil.rmtree(TMP, ignore_errors=True)


class MergeEqualsSingleRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shards = os.path.join(TMP, "shards4")
        cls.merged = os.path.join(TMP, "merged4")
        cls.runs = run_shards(DALLAS, cls.shards, 4)
        cls.merge = dcsite("merge", DALLAS, "--shards", cls.shards, "-o", cls.merged, "--quiet")
        with open(os.path.join(SINGLE, NAME + ".json")) as fp:
            cls.single_js = json.load(fp)

    def test_shards_and_merge_succeed(self):
        for i, (rc, so, se) in self.runs.items():
            self.assertEqual(rc, 0, se)
            self.assertIn("Shard %d/4" % i, so)
        self.assertEqual(self.merge.returncode, 0, self.merge.stderr)

    def test_merged_reports_equal_single_run_value_by_value(self):
        diffs = compare_runs.compare(SINGLE, self.merged, NAME)
        self.assertEqual(diffs, [])
        # the comparison covered every candidate and all of its fields
        self.assertGreater(compare_runs.count_values(SINGLE, NAME), 1987 * 50)

    def test_comparison_catches_an_altered_value(self):
        altered = os.path.join(TMP, "altered")
        shutil.copytree(self.merged, altered)
        ds = ogr.Open(os.path.join(altered, NAME + ".gpkg"), 1)
        ds.ExecuteSQL("UPDATE candidates SET score = score + 1e-12 WHERE rank = 7")
        ds = None
        diffs = compare_runs.compare(SINGLE, altered, NAME)
        self.assertEqual(len(diffs), 1, diffs)
        self.assertIn("field score", diffs[0])

    def test_shard_files_partition_the_sites_by_index_mod_n(self):
        seen = []
        for i in range(4):
            md, idx = shard_meta(os.path.join(self.shards, "shard-%d-of-4.gpkg" % i))
            self.assertEqual(md["DCSITE_SHARD"], "%d/4" % i)
            self.assertEqual(md["DCSITE_FINGERPRINT"], self.single_js["fingerprint"])
            self.assertEqual(md["DCSITE_VERSION"], self.single_js["dcsite_version"])
            self.assertEqual(int(md["DCSITE_ROWS"]), len(idx))
            self.assertTrue(all(k % 4 == i for k in idx))
            seen += idx
        self.assertEqual(sorted(seen), list(range(self.single_js["counts"]["candidates"])))

    def test_fingerprint_in_every_output(self):
        fp = self.single_js["fingerprint"]
        self.assertRegex(fp, "^[0-9a-f]{64}$")
        ds = gdal.OpenEx(os.path.join(SINGLE, NAME + ".gpkg"), gdal.OF_VECTOR)
        self.assertEqual(ds.GetMetadataItem("DCSITE_FINGERPRINT"), fp)
        wb = openpyxl.load_workbook(os.path.join(SINGLE, NAME + ".xlsx"), read_only=True)
        rows = [r for r in wb["Assumptions"].iter_rows(values_only=True)
                if r and r[0] == "run fingerprint"]
        self.assertEqual([r[1] for r in rows], [fp])

    def test_rerun_of_a_complete_shard_is_skipped(self):
        path = os.path.join(self.shards, "shard-1-of-4.gpkg")
        before = os.stat(path).st_mtime_ns
        p = dcsite("run", DALLAS, "--shard", "1/4", "-o", self.shards, "--quiet", check=0)
        self.assertIn("skipped", p.stdout)
        self.assertEqual(os.stat(path).st_mtime_ns, before)

    def test_merge_refuses_a_missing_shard(self):
        partial = os.path.join(TMP, "partial")
        os.makedirs(partial)
        for i in (0, 1, 3):
            shutil.copy(os.path.join(self.shards, "shard-%d-of-4.gpkg" % i), partial)
        p = dcsite("merge", DALLAS, "--shards", partial, "-o", os.path.join(TMP, "m2"))
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("shard 2/4 is missing", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(TMP, "m2", NAME + ".json")))

    def test_merge_refuses_shards_of_another_scenario_version(self):
        changed = absolute_scenario(DALLAS, os.path.join(TMP, "changed.json"),
                                    description="another version")
        p = dcsite("merge", changed, "--shards", self.shards, "-o", os.path.join(TMP, "m3"))
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("another version of the scenario or its inputs", p.stderr)
        # and a shard run of the changed scenario is redone, not skipped
        out = os.path.join(TMP, "m3shards")
        shutil.copytree(self.shards, out)
        p = dcsite("run", changed, "--shard", "0/4", "-o", out, "--quiet", check=0)
        self.assertNotIn("skipped", p.stdout)
        md, _ = shard_meta(os.path.join(out, "shard-0-of-4.gpkg"))
        self.assertNotEqual(md["DCSITE_FINGERPRINT"], self.single_js["fingerprint"])


class Fingerprint(unittest.TestCase):
    """The fingerprint follows content: read from the metadata of shard
    0/1000 (two sites measured: quick)."""

    def fingerprint(self, scenario, tag):
        out = os.path.join(TMP, "fp-" + tag)
        dcsite("run", scenario, "--shard", "0/1000", "-o", out, "--quiet", check=0)
        md, _ = shard_meta(os.path.join(out, "shard-0-of-1000.gpkg"))
        return md["DCSITE_FINGERPRINT"]

    def test_whitespace_no_content_yes(self):
        with open(os.path.join(SINGLE, NAME + ".json")) as fp:
            reference = json.load(fp)["fingerprint"]
        base = absolute_scenario(DALLAS, os.path.join(TMP, "fp_a.json"))
        with open(base) as fp:
            scn = json.load(fp)
        compact = os.path.join(TMP, "fp_b.json")
        with open(compact, "w") as fp:
            json.dump(scn, fp, separators=(",", ":"))
        a, b = self.fingerprint(base, "a"), self.fingerprint(compact, "b")
        self.assertEqual(a, b)
        self.assertNotEqual(a, reference)  # other dataset paths: other scenario text
        scn["criteria"][0]["weight"] = 0.21
        weights = os.path.join(TMP, "fp_c.json")
        with open(weights, "w") as fp:
            json.dump(scn, fp)
        self.assertNotEqual(self.fingerprint(weights, "c"), a)
        # one byte more in a weather file: another fingerprint
        scn["criteria"][0]["weight"] = 0.20
        weather = os.path.join(TMP, "station.tmy3.gz")
        shutil.copy(scn["energy"]["stations"][0], weather)
        scn["energy"]["stations"][0] = weather
        with open(os.path.join(TMP, "fp_d.json"), "w") as fp:
            json.dump(scn, fp)
        d1 = self.fingerprint(os.path.join(TMP, "fp_d.json"), "d1")
        os.utime(weather, (1, 1))  # a new date alone: same fingerprint
        self.assertEqual(self.fingerprint(os.path.join(TMP, "fp_d.json"), "d2"), d1)
        self.assertNotEqual(d1, a)  # the same bytes under another name: another scenario text
        data = os.path.join(TMP, "prices.csv")
        src = scn["joins"][0]["dataset"]
        shutil.copy(src, data)
        shutil.copy(src + "t", data + "t")
        scn["joins"][0]["dataset"] = data
        with open(os.path.join(TMP, "fp_e.json"), "w") as fp:
            json.dump(scn, fp)
        e1 = self.fingerprint(os.path.join(TMP, "fp_e.json"), "e1")
        with open(data, "rb") as fp:
            text = fp.read()
        with open(data, "wb") as fp:
            fp.write(text + b"\n")  # a blank line: same rows, other bytes
        self.assertNotEqual(self.fingerprint(os.path.join(TMP, "fp_e.json"), "e2"), e1)


class KillAndResume(unittest.TestCase):
    def test_killed_shard_is_redone_the_others_skipped(self):
        out = os.path.join(TMP, "killed")
        victim = 2
        ps = {}
        for i in range(4):
            ps[i] = subprocess.Popen([DCSITE, "run", DALLAS, "--shard", "%d/4" % i, "-o", out],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     cwd=REPO)
        # kill the victim when it reports measuring (256 of its 497 sites)
        seen = []
        for line in ps[victim].stderr:
            seen.append(line)
            if "measuring sites" in line:
                ps[victim].kill()
                break
        ps[victim].communicate()
        self.assertEqual(ps[victim].returncode, -signal.SIGKILL, "".join(seen))
        for i in range(4):
            if i != victim:
                self.assertEqual(ps[i].wait(), 0)
        path = lambda i: os.path.join(out, "shard-%d-of-4.gpkg" % i)
        self.assertFalse(os.path.exists(path(victim)))
        mtimes = {i: os.stat(path(i)).st_mtime_ns for i in range(4) if i != victim}
        # merge now: refused, the killed shard is missing
        p = dcsite("merge", DALLAS, "-o", out)
        self.assertEqual(p.returncode, 4)
        self.assertIn("shard %d/4 is missing" % victim, p.stderr)
        # re-run every shard: the complete ones are skipped, the killed one redone
        runs = run_shards(DALLAS, out, 4)
        for i, (rc, so, se) in runs.items():
            self.assertEqual(rc, 0, se)
            if i == victim:
                self.assertIn("sites measured", so)
            else:
                self.assertIn("skipped", so)
                self.assertEqual(os.stat(path(i)).st_mtime_ns, mtimes[i])
        merged = os.path.join(TMP, "killed-merged")
        dcsite("merge", DALLAS, "--shards", out, "-o", merged, "--quiet", check=0)
        self.assertEqual(compare_runs.compare(SINGLE, merged, NAME), [])


class Batch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = os.path.join(TMP, "batch")
        cls.variant = absolute_scenario(DALLAS, os.path.join(TMP, "variant.json"),
                                        name="dallas_grid5", constraints=GRID5)
        cls.broken = os.path.join(TMP, "broken.json")
        with open(cls.broken, "w") as fp:
            fp.write('{"name": "broken", "facility": ')
        cls.listfile = os.path.join(TMP, "scenarios.txt")
        with open(cls.listfile, "w") as fp:
            fp.write("# the batch\n%s\n\nvariant.json\nbroken.json\n" % DALLAS)
        cls.first = dcsite("batch", cls.listfile, "-o", cls.out, "--quiet")
        with open(os.path.join(cls.out, "batch.json")) as fp:
            cls.cmp = json.load(fp)

    def test_exit_code_says_some_failed(self):
        self.assertEqual(self.first.returncode, 6, self.first.stderr)
        self.assertIn("broken.json", self.first.stderr)

    def test_each_scenario_has_its_reports_equal_to_a_single_run(self):
        self.assertEqual(compare_runs.compare(SINGLE, os.path.join(self.out, NAME), NAME), [])
        for ext in ("json", "gpkg", "xlsx"):
            self.assertTrue(os.path.exists(os.path.join(self.out, "dallas_grid5",
                                                        "dallas_grid5." + ext)))
        self.assertFalse(os.path.exists(os.path.join(self.out, "broken")))

    def test_comparison_json_matches_each_summary(self):
        s = self.cmp["scenarios"]
        self.assertEqual([e["status"] for e in s], ["ran", "ran", "failed"])
        self.assertEqual(self.cmp["counts"], {"ran": 2, "skipped": 0, "failed": 1})
        self.assertIn("broken.json", s[2]["scenario"])
        self.assertTrue(s[2]["error"])
        for e in s[:2]:
            with open(os.path.join(self.out, e["name"], e["name"] + ".json")) as fp:
                js = json.load(fp)
            top = js["top_sites"][0]
            self.assertEqual(e["candidates"], js["counts"]["candidates"])
            self.assertEqual(e["eligible"], js["counts"]["eligible"])
            self.assertEqual(e["top_site"], top["site_id"])
            self.assertEqual(e["top_score"], top["score"])
            self.assertEqual(e["top_metrics"]["pue_annual"], top["metrics"]["pue_annual"])
            self.assertEqual(e["top_metrics"]["energy_mwh_yr"], top["metrics"]["energy_mwh_yr"])
            self.assertEqual(e["fingerprint"], js["fingerprint"])
            self.assertEqual([t["site_id"] for t in e["top10"]],
                             [t["site_id"] for t in js["top_sites"][:10]])
        # a substation within 5 km instead of 15: fewer eligible cells
        self.assertLess(s[1]["eligible"], s[0]["eligible"])

    def test_comparison_workbook(self):
        wb = openpyxl.load_workbook(os.path.join(self.out, "batch.xlsx"), read_only=True)
        self.assertEqual(wb.sheetnames, ["Comparison", "Top 10"])
        rows = list(wb["Comparison"].iter_rows(values_only=True))
        head = rows[0]
        by = {r[0]: dict(zip(head, r)) for r in rows[1:] if r[0]}
        e = self.cmp["scenarios"][0]
        self.assertEqual(by[NAME]["status"], "ran")
        self.assertEqual(by[NAME]["top site"], e["top_site"])
        # numbers in the workbook's XML carry 16 significant digits (libxlsxwriter
        # writes %.16g): relative tolerance 1e-15 against the JSON's doubles
        self.assertAlmostEqual(by[NAME]["top score"] / e["top_score"], 1, delta=1e-15)
        self.assertEqual(by[NAME]["eligible"], e["eligible"])
        self.assertAlmostEqual(by[NAME]["pue_annual"] / e["top_metrics"]["pue_annual"], 1,
                               delta=1e-15)
        top = [r for r in wb["Top 10"].iter_rows(values_only=True) if r[0] == NAME]
        self.assertEqual([r[2] for r in top], [t["site_id"] for t in e["top10"]])
        self.assertEqual(len(top), 10)

    def test_rerun_skips_complete_and_redoes_changed(self):
        js = lambda n: os.path.join(self.out, n, n + ".json")
        before = {n: os.stat(js(n)).st_mtime_ns for n in (NAME, "dallas_grid5")}
        p = dcsite("batch", self.listfile, "-o", self.out, "--quiet")
        self.assertEqual(p.returncode, 6)
        self.assertEqual(p.stdout.count("skipped"), 2, p.stdout)
        for n, t in before.items():
            self.assertEqual(os.stat(js(n)).st_mtime_ns, t)
        with open(os.path.join(self.out, "batch.json")) as fp:
            self.assertEqual(json.load(fp)["counts"], {"ran": 0, "skipped": 2, "failed": 1})
        # change the variant: it runs again, Dallas is still skipped
        absolute_scenario(DALLAS, self.variant, name="dallas_grid5", description="changed",
                          constraints=GRID5)
        p = dcsite("batch", DALLAS, self.variant, "-o", self.out, "--quiet", check=0)
        with open(os.path.join(self.out, "batch.json")) as fp:
            self.assertEqual([e["status"] for e in json.load(fp)["scenarios"]],
                             ["skipped", "ran"])
        self.assertEqual(os.stat(js(NAME)).st_mtime_ns, before[NAME])
        self.assertNotEqual(os.stat(js("dallas_grid5")).st_mtime_ns, before["dallas_grid5"])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
