#!/usr/bin/python3
"""End-to-end tests of PostgreSQL/PostGIS input and output (issue 9).

A throw-away PostgreSQL 15 + PostGIS 3 server is started for the suite by
tools/pg_test_server.sh (initdb in a temporary directory, 127.0.0.1 on a
free port, an unprivileged server user, random passwords) and stopped at the
end, also when a test fails.  The Dallas sample (data/dallas/dallas.gpkg and
the electricity-price CSV) is loaded into schema `gis` with GDAL.

References:
  - the same scenario run on the GeoPackage and CSV files: every field of
    every candidate (and of every eligible point) read back from the tables
    dcsite wrote must equal the GeoPackage run's value (numbers within 1e-9
    relative, texts and geometries exactly), and the JSON summaries must
    agree on everything but the inputs' names and the timing;
  - the server's own catalogue (pg_class, pg_stat_activity) for what tables
    exist and what a connection is waiting on;
  - the passwords the server was started with, which must appear in no
    output: stdout, stderr, JSON, the workbook's XML, the tables written.
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_postgis.py
"""
import atexit
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import tapkit
from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DCSITE = os.path.abspath(os.environ.get("DCSITE", os.path.join(REPO, "build", "dcsite")))
SERVER = os.path.join(REPO, "tools", "pg_test_server.sh")
PSQL = "/usr/lib/postgresql/15/bin/psql"
SAMPLE = os.path.join(REPO, "data", "dallas")
REL = 1e-9

TMP = None
ENV = {}
OUTPUTS = []      # (label, text) of every dcsite run, checked for passwords at the end
RESULTS = {}      # shared results of the two full runs


# ---- server -------------------------------------------------------------------

def stop_server():
    if TMP and os.path.exists(os.path.join(TMP, "pg", "env")):
        subprocess.run([SERVER, "stop", os.path.join(TMP, "pg")], check=False)


def clean_up():
    stop_server()
    if TMP:
        shutil.rmtree(TMP, ignore_errors=True)


def start_server():
    subprocess.run([SERVER, "start", os.path.join(TMP, "pg")], check=True)
    with open(os.path.join(TMP, "pg", "env")) as fh:
        for line in fh:
            k, _, v = line.strip().partition("=")
            ENV[k] = v


def uri(role):
    """The same connection as a libpq URI (postgresql://user:password@host:port/db)."""
    return ("postgresql://%s:%s@%s:%s/%s"
            % (ENV["DCS_PG_" + role], ENV["DCS_PG_%s_PASSWORD" % role], ENV["PGHOST"],
               ENV["PGPORT"], ENV["PGDATABASE"]))


def dsn(role):
    """A GDAL connection string for role 'OWNER' or 'READER', with its password."""
    return ("PG:dbname=%s host=%s port=%s user=%s password=%s"
            % (ENV["PGDATABASE"], ENV["PGHOST"], ENV["PGPORT"], ENV["DCS_PG_" + role],
               ENV["DCS_PG_%s_PASSWORD" % role]))


def sql(query):
    """Run SQL as the superuser over the Unix socket; rows as lists of text."""
    r = subprocess.run([PSQL, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                        "-h", ENV["DCS_PG_SOCKET_DIR"], "-p", ENV["PGPORT"], "-U", "postgres",
                        "-d", ENV["PGDATABASE"], "-c", query],
                       capture_output=True, text=True, check=True)
    return [ln.split("\t") for ln in r.stdout.splitlines() if ln]


def load_sample():
    owner = dsn("OWNER")
    lco = ["SCHEMA=gis", "GEOMETRY_NAME=geom", "FID=fid"]
    gdal.VectorTranslate(owner, os.path.join(SAMPLE, "dallas.gpkg"), format="PostgreSQL",
                         layerCreationOptions=lco)
    gdal.VectorTranslate(owner, os.path.join(SAMPLE, "county_electricity_prices.csv"),
                         format="PostgreSQL", layerName="county_electricity_prices",
                         layerCreationOptions=lco)
    # a table the read-only role may not read
    sql("CREATE TABLE gis.secret AS SELECT * FROM gis.sites; "
        "ALTER TABLE gis.secret OWNER TO dcs_owner; REVOKE ALL ON gis.secret FROM dcs_reader")


# ---- scenarios ------------------------------------------------------------------

def file_scenario():
    """data/scenarios/dallas.json with absolute paths."""
    return tapkit.absolute_scenario(os.path.join(REPO, "data", "scenarios", "dallas.json"))


def pg_scenario(conn, sites_layer="gis.sites", where=None):
    """The same scenario with every vector layer and the CSV read from PostGIS
    (the DEM and the weather files stay files)."""
    scn = file_scenario()

    def fix(o):
        if isinstance(o, dict):
            ds = o.get("dataset")
            if isinstance(ds, str) and ds.endswith(".gpkg"):
                o["dataset"] = conn
                o["layer"] = "gis." + o["layer"]
            elif isinstance(ds, str) and ds.endswith(".csv"):
                o["dataset"] = conn
                o["layer"] = "gis.county_electricity_prices"
            for v in o.values():
                fix(v)
        elif isinstance(o, list):
            for v in o:
                fix(v)
    fix(scn)
    scn["sites"]["layer"] = sites_layer
    if where:
        scn["sites"]["where"] = where
    return scn


def small_scenario(conn):
    """40 sites and the substations from PostGIS, one criterion: quick runs for the tests
    of replacing tables and of file outputs."""
    full = pg_scenario(conn)
    return {
        "name": "small",
        "facility": {"it_load_mw": 100},
        "sites": dict(full["sites"], where="fid <= 40"),
        "substations": full["substations"],
        "criteria": [{"name": "interconnection", "metric": "interconnect_cost_musd",
                      "weight": 1, "value": {"type": "linear", "worst": 40, "best": 0}}],
    }


def write_scenario(name, scn):
    path = os.path.join(TMP, name + ".json")
    with open(path, "w") as fh:
        json.dump(scn, fh, indent=1)
    return path


def dcsite(label, *args, wait=True):
    cmd = [DCSITE, *args]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    OUTPUTS.append((label + " stdout", r.stdout))
    OUTPUTS.append((label + " stderr", r.stderr))
    return r


# ---- comparisons -------------------------------------------------------------------

def same_number(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= REL * max(abs(a), abs(b))


def read_layer(ds_name, layer):
    """{site_id: (fields, geometry WKB)} of a layer."""
    ds = gdal.OpenEx(ds_name, gdal.OF_VECTOR)
    lyr = ds.GetLayerByName(layer)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows = {}
    for f in lyr:
        vals = {n: (f.GetField(n) if f.IsFieldSetAndNotNull(n) else None) for n in names}
        g = f.GetGeometryRef()
        rows[vals["site_id"]] = (vals, g.ExportToIsoWkb() if g else None)
    ds = None
    return rows


def table_checksum(table):
    return sql("SELECT count(*), sum(score), string_agg(site_id, ',' ORDER BY fid) FROM %s"
               % table)[0]


def leftover_tables(prefix):
    return sql("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE n.nspname = 'results' AND relname LIKE '%s%%tmp%%'" % prefix)


# ---- suite set-up -------------------------------------------------------------------

def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcs_postgis_")
    os.chmod(TMP, 0o711)           # the server runs as another user, in TMP/pg
    atexit.register(clean_up)      # also when the suite dies half-way
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    start_server()
    load_sample()
    gpkg_out = os.path.join(TMP, "gpkg_run")
    r = dcsite("gpkg run", "run", write_scenario("files", file_scenario()), "-o", gpkg_out,
               "--quiet")
    assert r.returncode == 0, r.stderr
    pg_out = os.path.join(TMP, "pg_run")
    r = dcsite("pg run", "run", write_scenario("pg", pg_scenario(dsn("READER"))), "-o", pg_out,
               "--quiet", "--db", dsn("OWNER"), "--table", "results.dallas")
    assert r.returncode == 0, r.stderr
    RESULTS.update(gpkg_out=gpkg_out, pg_out=pg_out, pg_stdout=r.stdout)


def tearDownModule():
    clean_up()


# ---- tests ----------------------------------------------------------------------------

class PostgisMatchesGeoPackage(unittest.TestCase):
    """The scenario read from PostGIS and written back gives the GeoPackage run's results."""

    def compare_layers(self, gpkg_layer, table):
        want = read_layer(os.path.join(RESULTS["gpkg_out"], "dallas_100mw.gpkg"), gpkg_layer)
        got = read_layer(dsn("OWNER"), table)
        self.assertEqual(sorted(got), sorted(want))
        self.assertGreater(len(want), 100)
        fields = set(next(iter(want.values()))[0])
        self.assertEqual(set(next(iter(got.values()))[0]) - {"fid"}, fields)
        compared = 0
        for sid, (wvals, wgeom) in want.items():
            gvals, ggeom = got[sid]
            self.assertEqual(ggeom, wgeom, "geometry of %s" % sid)
            for name, w in wvals.items():
                g = gvals[name]
                if isinstance(w, float) or isinstance(g, float):
                    self.assertTrue(same_number(g, w), "%s.%s: %r != %r" % (sid, name, g, w))
                else:
                    self.assertEqual(g, w, "%s.%s" % (sid, name))
                compared += 1
        return compared

    def test_every_candidate_value(self):
        n = self.compare_layers("candidates", "results.dallas")
        self.assertGreater(n, 1987 * 40)   # every field of every candidate

    def test_every_eligible_point(self):
        self.compare_layers("eligible_points", "results.dallas_points")

    def assertJsonClose(self, a, b, path):
        """Equal, numbers within REL: GDAL reads a PostgreSQL float8 back
        through text with 15 significant digits, so a value read from a
        table (a joined price, say) can differ from the file's in the 16th
        or 17th digit (0.02700737865127993 becomes 0.0270073786512799)."""
        if isinstance(a, dict) and isinstance(b, dict):
            self.assertEqual(sorted(a), sorted(b), path)
            for k in a:
                self.assertJsonClose(a[k], b[k], "%s.%s" % (path, k))
        elif isinstance(a, list) and isinstance(b, list):
            self.assertEqual(len(a), len(b), path)
            for i, (x, y) in enumerate(zip(a, b)):
                self.assertJsonClose(x, y, "%s[%d]" % (path, i))
        elif isinstance(a, float) or isinstance(b, float):
            self.assertTrue(same_number(a, b), "%s: %r != %r" % (path, a, b))
        else:
            self.assertEqual(a, b, path)

    def test_json_summaries_agree(self):
        def load(d):
            with open(os.path.join(d, "dallas_100mw.json")) as fh:
                return json.load(fh)
        a, b = load(RESULTS["gpkg_out"]), load(RESULTS["pg_out"])
        for key in ("counts", "top_sites", "criteria", "energy", "substations", "aggregation",
                    "facility"):
            self.assertJsonClose(a[key], b[key], key)
        self.assertEqual([i["features"] for i in a["inputs"]],
                         [i["features"] for i in b["inputs"]])
        self.assertEqual(b["outputs"]["gis_tables"], ["results.dallas", "results.dallas_points"])
        self.assertIn("password=***", b["outputs"]["gis"])
        self.assertTrue(all("password=***" in i["dataset"] for i in b["inputs"]
                            if i["dataset"].startswith("PG:")))

    def test_stdout_names_the_tables(self):
        self.assertIn("tables results.dallas, results.dallas_points", RESULTS["pg_stdout"])

    def test_file_outputs_from_database_input(self):
        """Database input, file output: the GeoPackage of 40 sites (searched for the
        passwords with the other reports at the end)."""
        scn = write_scenario("small_files", small_scenario(dsn("READER")))
        out = os.path.join(TMP, "small_files")
        r = dcsite("small files", "run", scn, "-o", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), ["small.gpkg", "small.json", "small.xlsx",
                                                   "small_map.pdf", "small_map.pgw",
                                                   "small_map.png", "small_map.png.aux.xml",
                                                   "small_map.prj"])
        rows = read_layer(os.path.join(out, "small.gpkg"), "candidates")
        self.assertEqual(len(rows), 40)

    def test_check_reads_the_database(self):
        r = dcsite("check", "check", os.path.join(TMP, "pg.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("[layer gis.sites]", r.stdout)
        self.assertIn("1987 features", r.stdout)
        self.assertIn("password=***", r.stdout)


class ReplaceWhenComplete(unittest.TestCase):
    """A run replaces the tables of an earlier one only once the new ones are complete."""

    @classmethod
    def setUpClass(cls):
        cls.scenario = write_scenario("small", small_scenario(dsn("READER")))

    def run_small(self, table, out, label, wait=True):
        return dcsite(label, "run", self.scenario, "-o", os.path.join(TMP, out), "--quiet",
                      "--db", dsn("OWNER"), "--table", table, wait=wait)

    def test_rerun_replaces_with_final_names(self):
        r = self.run_small("results.again", "again1", "again 1")
        self.assertEqual(r.returncode, 0, r.stderr)
        sql("UPDATE results.again SET score = -1")
        r = self.run_small("results.again", "again2", "again 2")
        self.assertEqual(r.returncode, 0, r.stderr)
        count, total, _ = table_checksum("results.again")
        self.assertEqual(int(count), 40)
        self.assertGreater(float(total), 0)      # the new rows, not the -1 ones
        names = {row[0] for row in sql(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'results' AND relname LIKE 'again%'")}
        self.assertEqual(names, {"again", "again_pkey", "again_geom_geom_idx", "again_fid_seq",
                                 "again_points", "again_points_pkey",
                                 "again_points_geom_geom_idx", "again_points_fid_seq"})

    def test_uri_forms_and_default_table(self):
        scn = write_scenario("small_uri", small_scenario(uri("READER")))
        r = dcsite("uri", "run", scn, "-o", os.path.join(TMP, "uri"), "--quiet",
                   "--db", uri("OWNER"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("postgresql://dcs_owner:***@127.0.0.1:%s/dcsite_test tables "
                      "public.small, public.small_points" % ENV["PGPORT"], r.stdout)
        self.assertEqual(table_checksum("public.small")[0], "40")
        with open(os.path.join(TMP, "uri", "small.json")) as fh:
            inputs = json.load(fh)["inputs"]
        self.assertEqual(inputs[0]["dataset"],
                         "postgresql://dcs_reader:***@127.0.0.1:%s/dcsite_test" % ENV["PGPORT"])

    def test_failure_at_the_swap_keeps_the_old_tables(self):
        r = self.run_small("results.kept", "kept1", "kept 1")
        self.assertEqual(r.returncode, 0, r.stderr)
        # a view on the old table makes the DROP fail after the new table is written
        sql("CREATE VIEW results.kept_view AS SELECT site_id FROM results.kept; "
            "ALTER VIEW results.kept_view OWNER TO dcs_owner; UPDATE results.kept SET score = -1")
        before = table_checksum("results.kept")
        out = os.path.join(TMP, "kept2")
        r = self.run_small("results.kept", "kept2", "kept 2")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("cannot replace table results.kept", r.stderr)
        self.assertIn("depends on", r.stderr)
        self.assertEqual(table_checksum("results.kept"), before)
        self.assertEqual(leftover_tables("kept"), [])
        self.assertEqual(os.listdir(out) if os.path.isdir(out) else [], [])

    def test_killed_while_replacing_leaves_old_tables(self):
        r = self.run_small("results.killed", "killed1", "killed 1")
        self.assertEqual(r.returncode, 0, r.stderr)
        sql("UPDATE results.killed SET score = -1")
        before = table_checksum("results.killed")
        # another session reads the old table: dcsite's DROP has to wait for it
        holder = subprocess.Popen(
            [PSQL, "-X", "-q", "-h", ENV["DCS_PG_SOCKET_DIR"], "-p", ENV["PGPORT"],
             "-U", "postgres", "-d", ENV["PGDATABASE"]],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            text=True)
        holder.stdin.write("BEGIN; LOCK TABLE results.killed IN ACCESS SHARE MODE; "
                           "SELECT pg_sleep(300);\n")
        holder.stdin.flush()
        out = os.path.join(TMP, "killed2")
        proc = None
        try:
            deadline = time.monotonic() + 120
            while not sql("SELECT 1 FROM pg_locks WHERE relation = 'results.killed'::regclass "
                          "AND granted"):
                self.assertLess(time.monotonic(), deadline, "the lock holder never got its lock")
                time.sleep(0.1)
            proc = self.run_small("results.killed", "killed2", "killed 2", wait=False)
            waiting = []
            while not waiting:
                self.assertIsNone(proc.poll(), "dcsite ended before waiting for the lock")
                self.assertLess(time.monotonic(), deadline, "dcsite never reached the swap")
                time.sleep(0.1)
                waiting = sql("SELECT pid FROM pg_stat_activity WHERE usename = 'dcs_owner' "
                              "AND wait_event_type = 'Lock' AND query LIKE 'DROP TABLE%'")
            # the new table, written but not committed, is invisible to others
            self.assertEqual(leftover_tables("killed"), [])
            proc.send_signal(signal.SIGTERM)
            stdout, stderr = proc.communicate(timeout=60)
            OUTPUTS.append(("killed 2 stdout", stdout))
            OUTPUTS.append(("killed 2 stderr", stderr))
            self.assertNotEqual(proc.returncode, 0)
        finally:
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
            sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE '%pg_sleep(300)%' AND pid <> pg_backend_pid()")
            holder.kill()
            holder.wait()
        deadline = time.monotonic() + 60
        while sql("SELECT pid FROM pg_stat_activity WHERE usename = 'dcs_owner' "
                  "AND pid = %s" % waiting[0][0]):
            self.assertLess(time.monotonic(), deadline, "dcsite's session never ended")
            time.sleep(0.1)
        self.assertEqual(table_checksum("results.killed"), before)
        self.assertEqual(leftover_tables("killed"), [])
        self.assertEqual(os.listdir(out) if os.path.isdir(out) else [], [])


class ClearMessages(unittest.TestCase):
    """Connection failures, missing tables and permission errors: message and exit code."""

    def run_scenario(self, name, scn, *extra):
        out = os.path.join(TMP, "msg_" + name)
        r = dcsite(name, "run", write_scenario(name, scn), "-o", out, "--quiet", *extra)
        return r, out

    def test_connection_refused(self):
        conn = dsn("READER").replace("port=%s" % ENV["PGPORT"], "port=1")
        r, out = self.run_scenario("refused", pg_scenario(conn))
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("cannot open 'PG:dbname=dcsite_test host=127.0.0.1 port=1", r.stderr)
        self.assertIn("Connection refused", r.stderr)
        self.assertEqual(r.stderr.count("\n"), 1)    # one line, for all layers of that database
        self.assertFalse(os.path.exists(out))

    def test_wrong_password(self):
        conn = dsn("READER").replace(ENV["DCS_PG_READER_PASSWORD"], "Wrong-Pw-31415")
        r, _ = self.run_scenario("wrong_pw", pg_scenario(conn))
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn('password authentication failed for user "dcs_reader"', r.stderr)
        self.assertNotIn("Wrong-Pw-31415", r.stderr)

    def test_missing_table(self):
        r, _ = self.run_scenario("missing", pg_scenario(dsn("READER"), sites_layer="gis.nosuch"))
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("sites: layer 'gis.nosuch' not found in 'PG:", r.stderr)
        self.assertIn("gis.sites", r.stderr)         # the tables that do exist

    def test_table_not_readable(self):
        r, _ = self.run_scenario("secret", pg_scenario(dsn("READER"), sites_layer="gis.secret"))
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("cannot read layer 'gis.secret'", r.stderr)
        self.assertIn("permission denied for table secret", r.stderr)

    def test_read_only_role_cannot_write(self):
        t0 = time.monotonic()
        r, out = self.run_scenario("ro_write", pg_scenario(dsn("READER")), "--db", dsn("READER"),
                                   "--table", "results.nope")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("permission denied: role 'dcs_reader' may not create tables in schema "
                      "'results'", r.stderr)
        self.assertLess(time.monotonic() - t0, 60)   # found before the run, not after
        self.assertFalse(os.path.exists(out))
        self.assertEqual(sql("SELECT count(*) FROM pg_class WHERE relname LIKE 'nope%'"),
                         [["0"]])

    def test_missing_schema_and_refused_output(self):
        r, _ = self.run_scenario("no_schema", pg_scenario(dsn("READER")), "--db", dsn("OWNER"),
                                 "--table", "nosuch.t")
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("schema 'nosuch' does not exist", r.stderr)
        conn = dsn("OWNER").replace("port=%s" % ENV["PGPORT"], "port=1")
        r, _ = self.run_scenario("db_refused", pg_scenario(dsn("READER")), "--db", conn)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn("--db: cannot connect to 'PG:", r.stderr)

    def test_usage_errors(self):
        scn = write_scenario("usage", pg_scenario(dsn("READER")))
        cases = ((("--table", "results.x"), "--table names a table for --db"),
                 (("--format", "PostgreSQL"), "writes to a database"),
                 (("--db", dsn("OWNER"), "--format", "GeoJSON"), "writes files"),
                 (("--db", "dbname=x"), "not a PostgreSQL connection string"),
                 (("--db", dsn("OWNER"), "--table", "results.Bad-Name"), "Bad-Name"))
        for extra, words in cases:
            r = dcsite("usage", "run", scn, "-o", os.path.join(TMP, "usage"), *extra)
            self.assertEqual(r.returncode, 2, (extra, r.stderr))
            self.assertIn(words, r.stderr)


class ZPasswordsNeverShown(unittest.TestCase):
    """Runs last: every output of the suite is searched for the passwords."""

    def passwords(self):
        pw = [ENV["DCS_PG_OWNER_PASSWORD"], ENV["DCS_PG_READER_PASSWORD"]]
        self.assertTrue(all(len(p) >= 16 for p in pw))
        return pw

    def test_stdout_and_stderr(self):
        self.assertGreater(len(OUTPUTS), 20)
        for label, text in OUTPUTS:
            for p in self.passwords():
                self.assertNotIn(p, text, label)

    def test_report_files(self):
        files = 0
        for root, _, names in os.walk(TMP):
            if os.path.join(TMP, "pg") in root or root == TMP:
                continue        # the server's own files and the scenarios hold them
            for n in names:
                path = os.path.join(root, n)
                blobs = [open(path, "rb").read()]
                if n.endswith(".xlsx"):
                    with zipfile.ZipFile(path) as z:
                        blobs += [z.read(i) for i in z.namelist()]
                for b in blobs:
                    for p in self.passwords():
                        self.assertNotIn(p.encode(), b, path)
                files += 1
        self.assertGreater(files, 5)

    def test_workbook_names_the_database_without_password(self):
        with zipfile.ZipFile(os.path.join(RESULTS["pg_out"], "dallas_100mw.xlsx")) as z:
            strings = z.read("xl/sharedStrings.xml").decode()
        self.assertIn("user=dcs_reader password=***", strings)
        self.assertIn("database tables: no file to fingerprint", strings)

    def test_tables_written(self):
        rows = sql("SELECT t::text FROM results.dallas t")
        self.assertEqual(len(rows), 1987)
        for p in self.passwords():
            self.assertFalse(any(p in r[0] for r in rows))


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
