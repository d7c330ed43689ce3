#!/usr/bin/python3
"""End-to-end tests of multi-threaded measuring and of the progress report
(issue 6).

Reference: the same scenario measured by one thread.  The sites are
measured independently, so any number of threads must give the same
reports value for value (compared exactly: every attribute of every site
in the GeoPackage, and the JSON summary except the run's start time and
duration, with report paths taken relative to the output directory).  The scenario is the shipped Dallas demo,
which uses every kind of metric (nearest, overlays, zones, area-weighted
sums, rasters, joins, energy).
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_threads.py
"""
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile
import tty
import unittest

import tapkit
from osgeo import ogr

ogr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DCSITE = os.path.abspath(os.environ.get("DCSITE", os.path.join(REPO, "build", "dcsite")))
SCENARIO = os.path.join(REPO, "data", "scenarios", "dallas.json")
TMP = None
RUN_KEYS = ("started_utc", "seconds", "threads")


def run(outdir, *extra, env=None):
    e = dict(os.environ)
    e.pop("DCSITE_THREADS", None)
    e.update(env or {})
    return subprocess.run([DCSITE, "run", SCENARIO, "-o", outdir, *extra], cwd=REPO,
                          capture_output=True, text=True, env=e, timeout=600)


def gpkg_rows(outdir):
    path = [f for f in os.listdir(outdir) if f.endswith(".gpkg")][0]
    ds = ogr.Open(os.path.join(outdir, path))
    out = {}
    for name in ("candidates", "eligible_points"):
        layer = ds.GetLayerByName(name)
        defn = layer.GetLayerDefn()
        fields = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
        for f in layer:
            g = f.GetGeometryRef()
            out[(name, f.GetField("site_id"))] = (
                tuple(f.GetField(k) for k in fields), g.ExportToWkb() if g else None)
    return out


def summary(outdir):
    path = [f for f in os.listdir(outdir) if f.endswith(".json")][0]
    with open(os.path.join(outdir, path)) as fp:
        doc = json.load(fp)

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in RUN_KEYS}
        if isinstance(node, list):
            return [strip(v) for v in node]
        if isinstance(node, str) and node.startswith(outdir):
            return node[len(outdir):]  # report paths
        return node
    return strip(doc)


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-threads-")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class SameResultsWhateverTheThreads(unittest.TestCase):
    """Three runs in all: 1 thread (--quiet), 2 threads from the environment,
    3 threads from the option with progress on stderr (not a terminal)."""

    @classmethod
    def setUpClass(cls):
        cls.ref_dir = os.path.join(TMP, "t1")
        cls.ref_run = run(cls.ref_dir, "--threads", "1", "--quiet")
        assert cls.ref_run.returncode == 0, cls.ref_run.stderr
        cls.ref_rows = gpkg_rows(cls.ref_dir)
        cls.ref_summary = summary(cls.ref_dir)
        cls.t3_dir = os.path.join(TMP, "t3")
        cls.t3_run = run(cls.t3_dir, "--threads", "3", env={"DCSITE_THREADS": "junk"})

    def check_same(self, outdir):
        rows = gpkg_rows(outdir)
        self.assertEqual(set(rows), set(self.ref_rows))
        differing = [k for k in rows if rows[k] != self.ref_rows[k]]
        self.assertEqual(differing, [], "sites whose attributes or geometry differ")
        self.assertEqual(summary(outdir), self.ref_summary)

    def test_three_threads_from_the_option(self):
        self.assertGreater(len(self.ref_rows), 1000)  # enough sites for many chunks
        # the option wins over a DCSITE_THREADS that would be a usage error
        self.assertEqual(self.t3_run.returncode, 0, self.t3_run.stderr)
        self.check_same(self.t3_dir)

    def test_two_threads_from_the_environment(self):
        out = os.path.join(TMP, "env2")
        r = run(out, "--quiet", env={"DCSITE_THREADS": "2"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_same(out)

    def test_progress_lines_end_at_100_percent_with_rate(self):
        lines = [ln for ln in self.t3_run.stderr.splitlines()
                 if ln.startswith("dcsite: measuring sites")]
        self.assertGreaterEqual(len(lines), 2, self.t3_run.stderr)
        n = len([k for k in self.ref_rows if k[0] == "candidates"])
        self.assertIn("measuring sites %d/%d (100%%)" % (n, n), lines[-1])
        self.assertRegex(lines[-1], r", \d+/s, ETA 0:00$")
        self.assertNotIn("\r", self.t3_run.stderr)  # not a terminal: no bar redrawing

    def test_quiet_prints_nothing(self):
        self.assertEqual(self.ref_run.stderr, "")


def run_on_terminal(outdir):
    """Run the demo with stderr on a pseudo-terminal (raw, so the bytes are
    the program's own); returns (exit status, what it wrote to stderr)."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    env = dict(os.environ)
    env.pop("DCSITE_THREADS", None)
    p = subprocess.Popen([DCSITE, "run", SCENARIO, "-o", outdir], cwd=REPO, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        got += chunk
    rc = p.wait(timeout=600)
    os.close(master)
    return rc, got.decode()


class ProgressBarOnATerminal(unittest.TestCase):
    """On a terminal each counted phase is one line redrawn in place
    (carriage return, then erase to the end of the line) with a
    24-character bar, ending with a newline at 100 % (the throttling and
    the exact lines: tests/unit/test_progress.c)."""

    PHASES = ("reading sites", "measuring sites", "writing candidates", "writing eligible points")

    @classmethod
    def setUpClass(cls):
        cls.rc, cls.err = run_on_terminal(os.path.join(TMP, "tty"))

    def draws(self, phase):
        return re.findall(r"\rdcsite: %s \[([#.]*)\] (\d+)/(\d+) \( *(\d+)%%\)([^\r\n]*?)"
                          r"\x1b\[K(\n?)" % phase, self.err)

    def test_each_phase_bar_ends_at_100_percent_with_rate(self):
        self.assertEqual(self.rc, 0, self.err)
        for phase in self.PHASES:
            with self.subTest(phase=phase):
                d = self.draws(phase)
                self.assertGreaterEqual(len(d), 2, repr(self.err[-2000:]))
                bar, done, total, pct, tail, newline = d[-1]
                self.assertEqual(bar, "#" * 24)
                self.assertEqual(done, total)
                self.assertEqual(pct, "100")
                self.assertRegex(tail, r"^, \d+/s, ETA 0:00$")
                self.assertEqual(newline, "\n")
                # the earlier draws stay on the line, with a bar of the same width
                for b, dn, tot, p, _, nl in d[:-1]:
                    self.assertEqual(len(b), 24)
                    self.assertLessEqual(int(dn), int(tot))
                    self.assertEqual(nl, "")

    def test_sites_counted_alike_in_every_phase(self):
        totals = {phase: self.draws(phase)[-1][2] for phase in self.PHASES[:3]}
        self.assertEqual(len(set(totals.values())), 1, totals)


class ThreadCountErrors(unittest.TestCase):
    def test_bad_counts_are_usage_errors(self):
        for extra, env, word in ((("--threads", "0"), None, '--threads: "0"'),
                                 (("--threads", "many"), None, '--threads: "many"'),
                                 (("--threads", "65"), None, '--threads: "65"'),
                                 ((), {"DCSITE_THREADS": "-2"}, 'DCSITE_THREADS: "-2"')):
            out = os.path.join(TMP, "bad")
            r = run(out, *extra, env=env)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(word, r.stderr)
            self.assertFalse(os.path.exists(out))


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
