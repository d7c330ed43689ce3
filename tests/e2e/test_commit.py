#!/usr/bin/python3
"""Nothing lost, whatever happens (issue 29, the outputs): an output never
replaces an input, the reports are committed as a set, every temporary goes.

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_commit.py

Each test builds its inputs in a fresh temporary directory (the end-to-end
fixture GeoPackage of test_e2e.py, Shapefiles and shard files made from
it with osgeo.ogr and dcsite) and asserts the exit code, that the message
names the paths involved, and what the folder holds afterwards, compared
by SHA-256 of every file (never against an earlier dcsite output kept in
the repository).  Every case has a row in the table "Bad input: messages
and exit codes" of docs/cli.md.

Faults: a rename that fails is the LD_PRELOAD shim tests/fault/renamefail.c
(<build>/tests/librenamefail.so: the K-th rename under a directory fails
with EACCES); a full disk is tests/fault/enospc.c (libenospc.so); signals
are sent to a run of 20,000 sites while it writes its reports.  tests/run.sh
runs this suite against build/ and build-asan/ (ASan and UBSan).
"""
import hashlib
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

import tapkit
import test_e2e as base

from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

DCSITE = base.DCSITE
NAME = base.SCENARIO_NAME
SHIMS = os.path.join(os.path.dirname(DCSITE), "tests")
RENAME_SHIM = os.path.join(SHIMS, "librenamefail.so")
ENOSPC_SHIM = os.path.join(SHIMS, "libenospc.so")
# an ASan build wants its runtime first in the list of loaded libraries;
# the shims only wrap rename() or the writes
ASAN = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}


class Tmp:
    dir = None


def setUpModule():
    Tmp.dir = tempfile.mkdtemp(prefix="dcsite-commit-")
    unittest.addModuleCleanup(lambda: shutil.rmtree(Tmp.dir, ignore_errors=True))
    base.Fixture.tmp = Tmp.dir
    base.build_gpkg(path("fixture.gpkg"))


def path(*parts):
    return os.path.join(Tmp.dir, *parts)


def write(name, data):
    p = name if os.path.isabs(name) else path(name)
    with open(p, "w") as fp:
        json.dump(data, fp, indent=2)
    return p


def scenario(**changes):
    return base.scenario(path("fixture.gpkg"), **changes)


def changed_scenario():
    s = scenario()
    s["criteria"][0]["weight"] = 7  # other scores: other report bytes
    return write("changed.json", s)


def dcsite(*args, env=None, timeout=600):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([DCSITE, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=Tmp.dir, env=full_env)


def sha(p):
    if os.path.isdir(p):
        return {n: sha(os.path.join(p, n)) for n in sorted(os.listdir(p))}
    with open(p, "rb") as fp:
        return hashlib.sha256(fp.read()).hexdigest()


def hashes(d):
    """{name: SHA-256} of every entry of d (directories as a dict)."""
    return {n: sha(os.path.join(d, n)) for n in sorted(os.listdir(d))}


def leftovers(d):
    return [n for n in os.listdir(d) if ".part-" in n or ".old-" in n]


def errors(r):
    return [ln for ln in r.stderr.splitlines() if ln.startswith("dcsite: ERROR: ")]


def good_outputs(name, *args):
    """A directory holding a good run's reports (args: --format ...)."""
    d = path(name)
    r = dcsite("run", write("good.json", scenario()), "-o", d, "-q", *args)
    assert r.returncode == 0, r.stderr
    return d


class Case(unittest.TestCase):

    def assertFails(self, r, code, *needles):
        msg = "rc=%s\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout, r.stderr)
        self.assertEqual(r.returncode, code, msg)
        errs = errors(r)
        self.assertTrue(errs, "no 'dcsite: ERROR:' line\n" + msg)
        for n in needles:
            self.assertIn(n, errs[0], msg)

    def assertIntact(self, d, before):
        self.assertEqual(leftovers(d), [], "temporary or set-aside files left")
        self.assertEqual(hashes(d), before)


# --------------------------------------------------------------------------
# an output never replaces an input
# --------------------------------------------------------------------------

def input_dir(name):
    """A directory holding a copy of the fixture GeoPackage."""
    d = path(name)
    os.mkdir(d)
    shutil.copy(path("fixture.gpkg"), os.path.join(d, "fixture.gpkg"))
    return d


class C1InputsNeverReplaced(Case):

    def test_scenario_named_like_its_dataset(self):
        # name "fixture" and -o the input's folder: fixture.gpkg would be
        # the candidates GeoPackage
        d = input_dir("in-same")
        gpkg = os.path.join(d, "fixture.gpkg")
        before = hashes(d)
        s = base.scenario(gpkg, name="fixture")
        r = dcsite("run", write("same.json", s), "-o", d)
        self.assertFails(r, 5, "output '%s' would replace the input '%s'" % (gpkg, gpkg))
        self.assertIntact(d, before)

    def test_through_a_symbolic_link(self):
        d = input_dir("in-link")
        os.symlink(d, path("link-to-in"))
        before = hashes(d)
        s = base.scenario(os.path.join(d, "fixture.gpkg"), name="fixture")
        r = dcsite("run", write("link.json", s), "-o", path("link-to-in"))
        self.assertFails(r, 5, "output '%s/fixture.gpkg'" % path("link-to-in"),
                         "the input '%s/fixture.gpkg'" % d)
        self.assertIntact(d, before)

    def test_hard_link_under_another_name(self):
        # same device and inode, different names: out/e2e_dallas.gpkg is the input
        d = input_dir("in-hard")
        out = path("out-hard")
        os.mkdir(out)
        os.link(os.path.join(d, "fixture.gpkg"), os.path.join(out, NAME + ".gpkg"))
        before = hashes(d)
        s = base.scenario(os.path.join(d, "fixture.gpkg"))
        r = dcsite("run", write("hard.json", s), "-o", out)
        self.assertFails(r, 5, "output '%s/%s.gpkg' would replace the input '%s/fixture.gpkg'"
                         % (out, NAME, d))
        self.assertIntact(d, before)

    def test_a_sidecar_of_a_shapefile_input(self):
        # the overlay is the Shapefile <name>_map.shp: the map's .prj
        # (<name>_map.prj) would replace the Shapefile's .prj
        d = input_dir("in-shp")
        src = ogr.Open(os.path.join(d, "fixture.gpkg"))
        shp = os.path.join(d, NAME + "_map.shp")
        ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(shp).CopyLayer(
            src.GetLayerByName("flood"), NAME + "_map")
        src = None
        before = hashes(d)
        s = base.scenario(os.path.join(d, "fixture.gpkg"))
        s["overlays"][0]["dataset"] = shp
        s["overlays"][0]["layer"] = NAME + "_map"
        r = dcsite("run", write("shp.json", s), "-o", d)
        self.assertFails(r, 5, "would replace the input '%s/%s_map.prj'" % (d, NAME))
        self.assertIntact(d, before)

    def test_the_scenario_file_itself(self):
        # -o the scenario's folder, scenario file <name>.json: the JSON summary
        d = input_dir("in-json")
        scn = write(os.path.join(d, NAME + ".json"),
                    base.scenario(os.path.join(d, "fixture.gpkg")))
        before = hashes(d)
        r = dcsite("run", scn, "-o", d)
        self.assertFails(r, 5, "output '%s' would replace the input '%s'" % (scn, scn))
        self.assertIntact(d, before)

    def test_a_shard_file(self):
        d = path("in-shard")
        os.mkdir(d)
        shard = os.path.join(d, "shard-0-of-2.gpkg")
        shutil.copy(path("fixture.gpkg"), shard)
        before = hashes(d)
        r = dcsite("run", write("shard.json", base.scenario(shard)), "--shard", "0/2",
                   "-o", d)
        self.assertFails(r, 5, "output '%s' would replace the input '%s'" % (shard, shard))
        self.assertIntact(d, before)


# --------------------------------------------------------------------------
# output paths: refused before the run, never cut
# --------------------------------------------------------------------------

class C2OutputPaths(Case):

    def test_empty_output_dir(self):
        r = dcsite("run", write("good.json", scenario()), "-o", "")
        self.assertFails(r, 5, "the output directory is empty (-o '')")

    def test_output_dir_is_a_file(self):
        f = path("a-file")
        with open(f, "w") as fp:
            fp.write("keep me\n")
        r = dcsite("run", write("good.json", scenario()), "-o", f)
        self.assertFails(r, 5, "output directory '%s' exists and is not a directory" % f)
        # refused before the analysis: no progress line of the run
        self.assertNotIn("reading sites", r.stderr)
        self.assertNotIn("measuring", r.stderr)
        with open(f) as fp:
            self.assertEqual(fp.read(), "keep me\n")

    def test_output_path_too_long(self):
        # the 4,082-byte -o: its temporary names would have been cut
        top = path("long")
        d = top + "/" + "/".join(["d" * 200] * 40)
        d = d[:4082]
        self.assertEqual(len(d), 4082)
        r = dcsite("run", write("good.json", scenario()), "-o", d)
        self.assertFails(r, 5, "is too long (4082 bytes")
        self.assertFalse(os.path.exists(top), "nothing created")

    def test_final_name_taken_by_a_directory(self):
        d = good_outputs("out-dir-in-way")
        os.remove(os.path.join(d, NAME + ".json"))
        os.mkdir(os.path.join(d, NAME + ".json"))
        with open(os.path.join(d, NAME + ".json", "keep"), "w") as fp:
            fp.write("mine\n")
        before = hashes(d)
        r = dcsite("run", changed_scenario(), "-o", d)
        self.assertFails(r, 5, "'%s/%s.json'" % (d, NAME), "Is a directory",
                         "no report replaced")
        self.assertIntact(d, before)


# --------------------------------------------------------------------------
# the reports are committed as a set
# --------------------------------------------------------------------------

def fingerprint_of_json(d):
    with open(os.path.join(d, NAME + ".json")) as fp:
        return json.load(fp)["fingerprint"]


class C3CommitSet(Case):

    def commit_renames(self, d, *args):
        """The renames of a successful run over the reports in a copy of d
        (the shim logs them, failing none)."""
        probe = d + "-probe"
        shutil.copytree(d, probe)
        log = path("renames.log")
        if os.path.exists(log):
            os.remove(log)
        env = dict(ASAN, LD_PRELOAD=RENAME_SHIM, DCS_FAULT_DIR=probe, DCS_FAULT_RENAME="0",
                   DCS_FAULT_LOG=log)
        r = dcsite("run", changed_scenario(), "-o", probe, "-q", *args, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(log) as fp:
            lines = fp.read().splitlines()
        shutil.rmtree(probe)
        return lines

    def fail_rename(self, d, k, *args):
        """Run over a copy of d with the k-th rename failing."""
        dk = "%s-fail-%d" % (d, k)
        shutil.copytree(d, dk)
        env = dict(ASAN, LD_PRELOAD=RENAME_SHIM, DCS_FAULT_DIR=dk, DCS_FAULT_RENAME=str(k))
        return dk, dcsite("run", changed_scenario(), "-o", dk, "-q", *args, env=env)

    def check_every_rename(self, name, ks_of, *args):
        self.assertTrue(os.path.exists(RENAME_SHIM), "built by make: %s" % RENAME_SHIM)
        d = good_outputs(name, *args)
        old = hashes(d)
        renames = self.commit_renames(d, *args)
        # every earlier report moved aside, then every new one moved in
        self.assertEqual(len(renames), 2 * len(old), "\n".join(renames))
        for k in ks_of(len(renames)):
            with self.subTest(failing_rename=k, of=len(renames)):
                dk, r = self.fail_rename(d, k, *args)
                self.assertFails(r, 5, "cannot rename", "Permission denied",
                                 "no report replaced")
                self.assertIntact(dk, old)
        # no failure: the complete new set, every report of the new run
        dk, r = self.fail_rename(d, 0, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        new = hashes(dk)
        self.assertEqual(sorted(new), sorted(old))
        self.assertEqual(leftovers(dk), [])
        self.assertNotEqual(fingerprint_of_json(dk), fingerprint_of_json(d))
        ds = gdal.OpenEx(os.path.join(dk, NAME + "." + ("shp" if args else "gpkg")))
        self.assertEqual(ds.GetMetadataItem("DCSITE_FINGERPRINT") if not args else
                         fingerprint_of_json(dk), fingerprint_of_json(dk))
        changed = [n for n in new if new[n] != old[n]]
        for must in (NAME + ".json", NAME + ".xlsx", NAME + "_map.png"):
            self.assertIn(must, changed)

    def test_each_rename_failing_in_turn(self):
        # GeoPackage, workbook, JSON, map PNG (+ .pgw .prj .aux.xml), PDF:
        # 8 files, 16 renames; each one fails in its own run
        self.check_every_rename("out-set", lambda n: range(1, n + 1))

    def test_shapefile_set_first_and_last_of_each_phase(self):
        # 19 files: the first and last moved aside, the first and last moved in
        self.check_every_rename("out-set-shp", lambda n: (1, n // 2, n // 2 + 1, n),
                                "--format", "ESRI Shapefile")


# --------------------------------------------------------------------------
# every temporary removed: signals, formats, full disk
# --------------------------------------------------------------------------

BIG_N = 20000


def big_scenario():
    """The fixture's scenario (same name) on 20,000 small sites, so that
    writing the reports lasts long enough to be interrupted."""
    p = path("big.json")
    if os.path.exists(p):
        return p
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path("big.gpkg"))
    lyr = ds.CreateLayer("sites", base.srs(32614), ogr.wkbPolygon)
    for name, t in (("site_id", ogr.OFTString), ("zoning", ogr.OFTString),
                    ("land_cost", ogr.OFTReal)):
        lyr.CreateField(ogr.FieldDefn(name, t))
    lyr.StartTransaction()
    side = int(math.sqrt(BIG_N)) + 1
    for i in range(BIG_N):
        x, y = 700000 + (i % side) * 150, 3630000 + (i // side) * 150
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("site_id", "B%06d" % i)
        f.SetField("zoning", "industrial")
        f.SetField("land_cost", 10.0)
        f.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))" % (
            x, y, x + 100, y, x + 100, y + 100, x, y + 100, x, y)))
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None
    s = scenario()
    s["sites"]["dataset"] = path("big.gpkg")
    return write(p, s)


def wait_for(p, text):
    seen = []
    for line in p.stderr:
        seen.append(line)
        if text in line:
            return
    raise AssertionError("dcsite ended before printing %r:\n%s" % (text, "".join(seen)))


class C4Temporaries(Case):

    def kill_while_writing(self, name, sig, *args, close_stderr=False):
        d = good_outputs(name, *args)
        before = hashes(d)
        p = subprocess.Popen([DCSITE, "run", big_scenario(), "-o", d, *args], cwd=Tmp.dir,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen = []
        try:
            wait_for(p, "writing reports")
            while p.poll() is None and not seen:
                seen = [n for n in os.listdir(d) if ".part-" in n]
                time.sleep(0.001)
            if close_stderr:
                # the reader of stderr goes away: the next progress line
                # raises SIGPIPE; sent by hand if none comes in 5 s
                p.stderr.close()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.send_signal(sig)
            else:
                p.send_signal(sig)
            p.wait(timeout=600)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertTrue(seen, "could not catch dcsite while it wrote its reports")
        # main.c: while writing, the handler removes the temporaries and
        # re-raises the signal
        self.assertEqual(p.returncode, -sig)
        self.assertIntact(d, before)
        return seen

    def test_sighup_while_writing(self):
        self.kill_while_writing("out-hup", signal.SIGHUP)

    def test_sigpipe_while_writing(self):
        self.kill_while_writing("out-pipe", signal.SIGPIPE, close_stderr=True)

    def test_sigterm_shapefile_many_temporaries(self):
        # candidates and points: .shp .shx .dbf .prj .cpg .fields.csv each,
        # the workbook, the map and its sidecars, the JSON: more than the
        # 8 temporaries once tracked
        self.kill_while_writing("out-term-shp", signal.SIGTERM, "--format", "ESRI Shapefile")

    def test_sigterm_openfilegdb_directory(self):
        self.kill_while_writing("out-term-gdb", signal.SIGTERM, "--format", "OpenFileGDB")

    def test_sigterm_gml(self):
        self.kill_while_writing("out-term-gml", signal.SIGTERM, "--format", "GML")

    def test_gml_points_at_its_final_schema(self):
        d = good_outputs("out-gml", "--format", "GML")
        self.assertEqual(leftovers(d), [])
        for stem in (NAME, NAME + "_points"):
            with open(os.path.join(d, stem + ".gml")) as fp:
                head = fp.read(2000)
            self.assertIn('xsi:schemaLocation="http://ogr.maptools.org/ %s.xsd"' % stem, head)
            self.assertTrue(os.path.isfile(os.path.join(d, stem + ".xsd")))
        # GDAL reads the candidates back through that schema
        ds = ogr.Open(os.path.join(d, NAME + ".gml"))
        self.assertEqual(ds.GetLayer(0).GetFeatureCount(), len(base.SITES))
        ds = None
        self.assertFalse(os.path.exists(os.path.join(d, NAME + ".gfs")))

    def test_openfilegdb_replaced_as_a_whole(self):
        d = good_outputs("out-gdb", "--format", "OpenFileGDB")
        r = dcsite("run", changed_scenario(), "-o", d, "-q", "--format", "OpenFileGDB")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(leftovers(d), [])
        self.assertTrue(os.path.isdir(os.path.join(d, NAME + ".gdb")))
        ds = gdal.OpenEx(os.path.join(d, NAME + ".gdb"))
        self.assertEqual(ds.GetMetadataItem("DCSITE_FINGERPRINT") or fingerprint_of_json(d),
                         fingerprint_of_json(d))
        self.assertEqual(ds.GetLayerByName("candidates").GetFeatureCount(), len(base.SITES))

    def full_disk(self, d, match, budget, *args):
        env = dict(ASAN, LD_PRELOAD=ENOSPC_SHIM, DCS_FAULT_DIR=d, DCS_FAULT_BYTES=str(budget),
                   DCS_FAULT_MATCH=match)
        return dcsite("run", changed_scenario(), "-o", d, *args, env=env)

    def test_full_disk_new_formats(self):
        # the disk fills in the GIS file (first written) or in the JSON
        # summary (last: every other temporary is complete by then)
        for fmt in ("OpenFileGDB", "GML", "ESRI Shapefile"):
            for match, budget in ((".part-", 2000), (".json", 0)):
                with self.subTest(format=fmt, fills=match):
                    d = path("out-full-%s-%s" % (fmt.replace(" ", ""), match.strip(".")))
                    os.mkdir(d)
                    r = self.full_disk(d, match, budget, "--format", fmt)
                    self.assertFails(r, 5, ".part-")
                    self.assertEqual(os.listdir(d), [], "nothing left behind")


# --------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------

class C5Messages(Case):

    def test_truncated_shard(self):
        d = path("shards")
        scn = write("shards.json", scenario())
        for i in range(2):
            r = dcsite("run", scn, "--shard", "%d/2" % i, "-o", d, "-q")
            self.assertEqual(r.returncode, 0, r.stderr)
        shard = os.path.join(d, "shard-1-of-2.gpkg")
        size = os.path.getsize(shard)
        with open(shard, "r+b") as fp:
            fp.truncate(5000)
        r = dcsite("merge", scn, "-o", d, "-q")
        self.assertFails(r, 4, "shard 1/2 ('%s') is truncated: 5000 bytes, its header says %d"
                         % (shard, size))
        self.assertNotIn("missing", r.stderr)

    def test_geopackage_with_a_hot_journal(self):
        # a copy taken while a program was writing: the database file and
        # its non-empty rollback journal
        d = path("hot")
        os.mkdir(d)
        src = os.path.join(d, "src.gpkg")
        shutil.copy(path("fixture.gpkg"), src)
        c = sqlite3.connect(src, isolation_level=None)
        c.execute("PRAGMA journal_mode=DELETE")
        c.execute("PRAGMA cache_size=1")
        c.execute("BEGIN")
        c.execute("UPDATE gpkg_contents SET description = 'being edited'")
        c.execute("CREATE TABLE filler(x)")
        c.execute("INSERT INTO filler WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                  "FROM n WHERE i < 2000) SELECT randomblob(1000) FROM n")
        hot = os.path.join(d, "hot.gpkg")
        shutil.copy(src, hot)
        shutil.copy(src + "-journal", hot + "-journal")
        c.execute("ROLLBACK")
        c.close()
        self.assertGreater(os.path.getsize(hot + "-journal"), 0)
        r = dcsite("run", write("hot.json", base.scenario(hot)), "-o", path("out-hot"))
        self.assertFails(r, 4, "sites: cannot open '%s'" % hot,
                         "it has a hot journal '%s-journal'" % hot, "write access")

    def test_output_driver_without_a_reason(self):
        # GDAL's MapInfo driver refuses the name (.out) without a message
        d = path("out-mapinfo")
        r = dcsite("run", write("good.json", scenario()), "-o", d, "--format", "MapInfo File")
        self.assertFails(r, 5, "(MapInfo File): the GDAL driver gave no reason")
        self.assertEqual(os.listdir(d), [])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
