#!/usr/bin/python3
"""End-to-end tests of dcsite's Excel workbook (<name>.xlsx).

Run with Debian's interpreter (python3-openpyxl, python3-gdal; nothing else
outside the standard library), after `make`:

    DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_workbook.py

It runs the real binary, into a temporary directory removed at the end, on
  1. the Dallas sample region (data/scenarios/dallas.json and the data it
     names, read from the repository), read back with openpyxl and as raw
     zip and XML: every sheet, chart, link, format and fingerprint;
  2. the same workbook through LibreOffice (headless conversion of every
     sheet to CSV: it must open without complaint and show the same values);
  3. a square grid over the City of Dallas (about 25,000 candidates) large
     enough for the workbook to be streamed in constant-memory mode;
  4. small grids (about 200 cells): AHP weights, no eligible site, and
     outputs.xlsx_rows (the first 5 sites on Ranking and Excluded).
It takes about 17 s (25 s under ASan).

Output is TAP: "ok N - name" or "not ok N - name" followed by "# " lines,
then the plan "1..N"; the exit status is 0 only when every test passed.
No test is skipped: without /usr/bin/soffice (Debian package
libreoffice-calc-nogui) the LibreOffice tests fail, saying so.

Where the reference values come from
------------------------------------
* The JSON summary of the same run (counts, excluded_by_rule, top_sites,
  energy.stations, energy.parameters, criteria, inputs): the workbook must
  show the same figures.
* The GeoPackage of the same run (layer `candidates`): every eligible site
  in rank order with every field, every excluded site with its reasons.
* `dcsite --version` for the software versions, and hashlib.sha256 of the
  input files for their fingerprints.
Numbers: libxlsxwriter writes 16 significant digits and LibreOffice exports
15, so values are compared within 1e-12 (relative, or absolute near zero);
map links carry 6 decimals of a degree, so within 5e-7 degrees.
"""

import csv
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
import xml.etree.ElementTree as ET

import tapkit
from report_run import ReportRun

import openpyxl
from openpyxl.utils.cell import range_boundaries
from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


DCSITE = tapkit.dcsite_path()
DALLAS = os.path.join(REPO, "data", "scenarios", "dallas.json")
DALLAS_GPKG = os.path.join(REPO, "data", "dallas", "dallas.gpkg")
SOFFICE = "/usr/bin/soffice"
# LibreOffice 7.4 CSV filter: comma, double quote, UTF-8, from line 1, raw
# values (not as shown), every sheet to FILE-SheetName.csv (the final -1).
CSV_FILTER = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
# Summary is the one-page brief (tests/e2e/test_print.py checks it as printed);
# Details holds what Summary held before it (run, counts, top sites with each
# criterion's contribution and their chart, inputs, weights); Fields says
# what every Ranking and GIS column means.
SHEETS = ["Summary", "Details", "Ranking", "Excluded", "Grid", "Energy", "Assumptions", "Fields"]
# the demo's portfolio section adds these to every site, after the fixed columns
PORTFOLIO = ["portfolio_status", "portfolio_substation", "portfolio_cost_musd",
             "feasible_alone", "portfolio_note"]
SMALL_SHEETS = ["Summary", "Details", "Ranking", "Excluded", "Assumptions", "Fields"]
TOL = 1e-12
# Details' top-sites table: its fixed columns, then the criteria
TOP_HEADER = ("rank", "site_id", "score", "lon", "lat", "centroid_lon", "centroid_lat", "map")
TOP_FIRST_CRIT = len(TOP_HEADER)
# The workbook streams (constant-memory mode) above this many cells on
# Ranking + Excluded (XLSX_MEMORY_CELLS in reports/report_xlsx.c).
MEMORY_CELLS = 250000

_TMP = []


def workdir():
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="dcsite_workbook_"))
    return _TMP[0]


def tearDownModule():
    for d in _TMP:
        shutil.rmtree(d, ignore_errors=True)


def close(a, b):
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# ---------------------------------------------------------------------------
# running dcsite and reading its reports
# ---------------------------------------------------------------------------

class Run(ReportRun):
    """One `dcsite run` and its reports, each read once."""

    def __init__(self, scenario, tag, cwd):
        super().__init__(DCSITE, scenario, os.path.join(workdir(), "out-" + tag), cwd)
        self.cwd = cwd
        self._wb = self._gpkg = self._csv = None

    def wb(self):
        if self._wb is None:
            self._wb = openpyxl.load_workbook(self.path("xlsx"))
        return self._wb

    def gpkg(self):
        """{site_id: {field: value}} of layer `candidates`."""
        if self._gpkg is None:
            ds = ogr.Open(self.path("gpkg"))
            lyr = ds.GetLayerByName("candidates")
            assert lyr is not None, "layer 'candidates' missing"
            defn = lyr.GetLayerDefn()
            names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
            self._gpkg = {}
            for f in lyr:
                row = {n: (None if f.IsFieldNull(n) else f.GetField(n)) for n in names}
                self._gpkg[row["site_id"]] = row
            ds = None
        return self._gpkg

    def csv(self):
        """LibreOffice's CSV export of every sheet: (process, {sheet: rows})."""
        if self._csv is None:
            self._csv = libreoffice_csv(self.path("xlsx"), self.outdir + "-csv")
        return self._csv


_RUNS = {}


def dallas():
    if "dallas" not in _RUNS:
        _RUNS["dallas"] = Run(DALLAS, "dallas", REPO)
    return _RUNS["dallas"]


def big_grid():
    """Square 4 ha cells over the City of Dallas (about 25,000 candidates,
    14 Ranking columns): well above MEMORY_CELLS."""
    if "big" not in _RUNS:
        scen = {
            "name": "big_grid",
            "facility": {"it_load_mw": 50},
            "sites": {"grid": {"shape": "square", "cell_area_ha": 4,
                               "aoi": {"dataset": DALLAS_GPKG, "layer": "city_boundary"}}},
            "substations": {"dataset": DALLAS_GPKG, "layer": "substations",
                            "id_field": "sub_id", "voltage_field": "voltage_kv",
                            "headroom_field": "headroom_mw", "min_voltage_kv": 138},
            "constraints": [{"name": "near_grid", "metric": "substation_km", "max": 8}],
            "criteria": [{"name": "interconnection", "metric": "interconnect_cost_musd",
                          "weight": 1, "value": {"type": "linear", "worst": 40, "best": 0}}],
        }
        path = os.path.join(workdir(), "big_grid.json")
        with open(path, "w") as fp:
            json.dump(scen, fp, indent=2)
        _RUNS["big"] = Run(path, "big", workdir())
    return _RUNS["big"]


def libreoffice_csv(xlsx, outdir):
    os.makedirs(outdir, exist_ok=True)
    profile = "file://" + os.path.join(workdir(), "lo-profile")
    proc = subprocess.run([SOFFICE, "-env:UserInstallation=" + profile, "--headless",
                           "--convert-to", CSV_FILTER, "--outdir", outdir, xlsx],
                          capture_output=True, text=True, timeout=300)
    stem = os.path.splitext(os.path.basename(xlsx))[0]
    sheets = {}
    for f in os.listdir(outdir):
        if f.startswith(stem + "-") and f.endswith(".csv"):
            with open(os.path.join(outdir, f), newline="", encoding="utf-8") as fp:
                sheets[f[len(stem) + 1:-4]] = list(csv.reader(fp))
    return proc, sheets


def version_lines():
    """`dcsite --version`: {"dcsite": version, library: version}."""
    r = subprocess.run([DCSITE, "--version"], capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    out = {"dcsite": lines[0].split(None, 1)[1].strip()}
    for ln in lines[1:]:
        name, version = ln.split(None, 1)
        out[name] = version.strip()
    return out


# ---------------------------------------------------------------------------
# reading sheets
# ---------------------------------------------------------------------------

def rows_of(ws):
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def blank(row):
    return all(v is None or v == "" for v in row)


def find_row(rows, first, start=0):
    """Index of the first row from start whose leading cells are `first`."""
    n = len(first)
    for i in range(start, len(rows)):
        if tuple(rows[i][:n]) == tuple(first):
            return i
    raise AssertionError("no row starting with %r" % (first,))


def table_after(rows, header_start):
    """(header, data rows) of the table whose header row starts with
    header_start; the data run to the first blank row."""
    h = find_row(rows, header_start)
    data = []
    for r in rows[h + 1:]:
        if blank(r):
            break
        data.append(r)
    return rows[h], data


def section_rows(rows, title):
    """Rows after a section title up to the next blank row."""
    s = find_row(rows, (title,))
    out = []
    for r in rows[s + 1:]:
        if blank(r):
            break
        out.append(r)
    return out


UNIT = re.compile(r"^(.*) \(([^()]*)\)$")


def field_names(fields_rows):
    """{title: name} from the Fields sheet's rows (header first): the
    Ranking sheet's headers are the fields' titles with their units."""
    head = list(fields_rows[0])
    n, t = head.index("name"), head.index("title")
    return {r[t]: r[n] for r in fields_rows[1:] if r and r[n]}


def ranking_fields(header, fields_rows):
    """The field names of the Ranking sheet's header (its titles)."""
    names = field_names(fields_rows)
    return [names.get(h, h) for h in header]


def strip_unit(header):
    m = UNIT.match(header)
    return (m.group(1), m.group(2)) if m else (header, "")


def parse_ref(ref):
    """'Sheet'!$A$1:$B$3 -> (sheet, min_col, min_row, max_col, max_row)."""
    sheet, cells = ref.rsplit("!", 1)
    sheet = sheet.strip("'").replace("''", "'")
    return (sheet,) + tuple(range_boundaries(cells.replace("$", "")))


def ref_values(wb, ref):
    sheet, c0, r0, c1, r1 = parse_ref(ref)
    assert sheet in wb.sheetnames, "%s refers to a missing sheet" % ref
    ws = wb[sheet]
    return [ws.cell(row=r, column=c).value for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]


def series_refs(series):
    name = series.tx.strRef.f if series.tx is not None and series.tx.strRef is not None else None
    cat = None
    if series.cat is not None:
        cat = (series.cat.strRef or series.cat.numRef).f
    return name, series.val.numRef.f, cat


def csv_number(text):
    try:
        return float(text)
    except ValueError:
        return None


# ---------------------------------------------------------------------------
# 1: the Dallas workbook read with openpyxl and as zip/XML
# ---------------------------------------------------------------------------

class T1DallasWorkbook(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.run_ = dallas()

    def setUp(self):
        self.run_.check(self)
        self.wb = self.run_.wb()
        self.js = self.run_.js()

    def test_sheets_and_properties(self):
        self.assertEqual(self.wb.sheetnames, SHEETS)
        p = self.wb.properties
        self.assertEqual(p.creator, "dcsite")
        self.assertIn(self.js["scenario"]["name"], p.title)
        self.assertTrue(p.subject, "no subject")
        self.assertIn(self.js["scenario"]["file"], p.description)  # the comments field
        self.assertIn(self.js["run"]["started_utc"], p.description)

    def test_zip_and_every_xml_part_parse(self):
        with zipfile.ZipFile(self.run_.path("xlsx")) as z:
            self.assertIsNone(z.testzip())
            names = z.namelist()
            for n in names:
                if n.endswith(".xml") or n.endswith(".rels"):
                    ET.fromstring(z.read(n))  # raises on malformed XML
            sheets = [n for n in names if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
            self.assertEqual(len(sheets), len(SHEETS))
            self.assertEqual(len([n for n in names if n.startswith("xl/charts/chart")]), 2)

    def test_summary_scenario_facility_and_run(self):
        rows = rows_of(self.wb["Details"])
        top = find_row(rows, ("Rule", "Sites failing it"))
        kv = {r[0]: r[1] for r in rows[:top] if r[0] is not None}
        js = self.js
        self.assertEqual(kv["Scenario"], js["scenario"]["name"])
        self.assertEqual(kv["Description"], js["scenario"].get("description", ""))
        self.assertEqual(kv["Scenario file"], js["scenario"]["file"])
        self.assertEqual(kv["Working CRS"], js["run"]["working_crs"])
        self.assertEqual(kv["Run started (UTC)"], js["run"]["started_utc"])
        self.assertTrue(close(kv["Run duration (s)"], js["run"]["seconds"]))
        self.assertEqual(kv["dcsite version"], js["dcsite_version"])
        for label, key in (("IT load (MW)", "it_load_mw"), ("Design PUE", "design_pue"),
                           ("Peak demand (MW)", "peak_demand_mw"), ("Land needed (ha)", "land_ha")):
            self.assertTrue(close(kv[label], js["facility"][key]), label)

    def test_summary_counts_equal_json(self):
        rows = rows_of(self.wb["Details"])
        c = self.js["counts"]
        kv = {r[0]: r[1] for r in section_rows(rows, "Counts")}
        self.assertEqual(kv["Candidates"], c["candidates"])
        self.assertEqual(kv["Eligible"], c["eligible"])
        self.assertEqual(kv["Excluded"], c["excluded"])
        self.assertEqual(kv["Outside some coverage"], c["outside_some_coverage"])
        _, rules = table_after(rows, ("Rule", "Sites failing it"))
        self.assertEqual([(r[0], r[1]) for r in rules], list(c["excluded_by_rule"].items()))

    def top_table(self):
        rows = rows_of(self.wb["Details"])
        header, data = table_after(rows, TOP_HEADER)
        return find_row(rows, header[:TOP_FIRST_CRIT]), header, data

    def test_summary_top_sites_equal_json(self):
        _, header, data = self.top_table()
        top = self.js["top_sites"]
        self.assertEqual(len(top), 10)
        self.assertEqual(len(data), len(top))
        crits = [c["name"] for c in self.js["criteria"]]
        self.assertEqual(list(header[TOP_FIRST_CRIT:TOP_FIRST_CRIT + len(crits)]), crits)
        for r, t in zip(data, top):
            self.assertEqual(r[1], t["site_id"])
            self.assertEqual(r[0], t["rank"])
            for k, key in ((2, "score"), (3, "lon"), (4, "lat"), (5, "centroid_lon"),
                           (6, "centroid_lat")):
                self.assertTrue(close(r[k], t[key]), "%s %s: %r != %r"
                                % (t["site_id"], key, r[k], t[key]))
            for j, name in enumerate(crits):
                self.assertTrue(close(r[TOP_FIRST_CRIT + j], t["criteria"][name]["contribution"]),
                                "%s %s" % (t["site_id"], name))

    def test_map_links_are_openstreetmap_at_the_site(self):
        h, _, data = self.top_table()
        ws = self.wb["Details"]
        url = re.compile(r"^https://www\.openstreetmap\.org/\?mlat=(-?[\d.]+)&mlon=(-?[\d.]+)"
                         r"#map=15/(-?[\d.]+)/(-?[\d.]+)$")
        for k, t in enumerate(self.js["top_sites"]):
            cell = ws.cell(row=h + 2 + k, column=TOP_FIRST_CRIT)  # the map, 1-based
            self.assertIsNotNone(cell.hyperlink, "no link for %s" % t["site_id"])
            link = cell.hyperlink.target
            if cell.hyperlink.location:  # the fragment is stored apart
                link += "#" + cell.hyperlink.location
            m = url.match(link)
            self.assertIsNotNone(m, link)
            mlat, mlon, zlat, zlon = (float(g) for g in m.groups())
            for got, want in ((mlat, t["lat"]), (mlon, t["lon"]), (zlat, t["lat"]),
                              (zlon, t["lon"])):
                self.assertAlmostEqual(got, want, delta=5e-7, msg=link)

    def test_summary_inputs_and_criteria(self):
        rows = rows_of(self.wb["Details"])
        _, inputs = table_after(rows, ("Role", "Layer", "Features", "Geometry", "CRS", "Dataset"))
        js_in = self.js["inputs"]
        self.assertEqual([(r[0], r[1], r[2], r[3], r[4], r[5]) for r in inputs[:len(js_in)]],
                         [(i["role"], i["layer"], i["features"], i["geometry_type"], i["crs"],
                           i["dataset"]) for i in js_in])
        stations = [(r[1], r[5]) for r in inputs[len(js_in):]]
        self.assertEqual(stations, [(s["name"], s["file"])
                                    for s in self.js["energy"]["stations"]])
        _, crits = table_after(rows, ("Criterion", "Metric", "Weight"))
        self.assertEqual(len(crits), len(self.js["criteria"]))
        for r, c in zip(crits, self.js["criteria"]):
            self.assertEqual((r[0], r[1]), (c["name"], c["metric"]))
            self.assertTrue(close(r[2], c["weight"]), c["name"])

    def test_every_chart_series_refers_to_cells_with_data(self):
        nseries = 0
        for ws in self.wb.worksheets:
            for ch in ws._charts:
                for s in ch.series:
                    name, val, cat = series_refs(s)
                    self.assertIsNotNone(name, "series without a name on %s" % ws.title)
                    self.assertIsInstance(ref_values(self.wb, name)[0], str, name)
                    vals = ref_values(self.wb, val)
                    self.assertTrue(vals and all(is_number(v) for v in vals), "%s: %r"
                                    % (val, vals))
                    self.assertIsNotNone(cat, "series %s has no categories" % val)
                    cats = ref_values(self.wb, cat)
                    self.assertEqual(len(cats), len(vals), cat)
                    self.assertTrue(all(isinstance(v, str) and v for v in cats), "%s: %r"
                                    % (cat, cats))
                    nseries += 1
        self.assertGreater(nseries, 0)

    def test_summary_chart_stacks_top_sites_by_criterion(self):
        charts = self.wb["Details"]._charts
        self.assertEqual(len(charts), 1)
        ch = charts[0]
        self.assertEqual(ch.tagname, "barChart")
        self.assertEqual(ch.grouping, "stacked")
        top = self.js["top_sites"][:10]
        crits = [c["name"] for c in self.js["criteria"]]
        self.assertEqual(len(ch.series), len(crits))
        for s, name in zip(ch.series, crits):
            tx, val, cat = series_refs(s)
            self.assertEqual(ref_values(self.wb, tx), [name])
            self.assertEqual(ref_values(self.wb, cat), [t["site_id"] for t in top])
            got = ref_values(self.wb, val)
            want = [t["criteria"][name]["contribution"] for t in top]
            self.assertTrue(all(close(a, b) for a, b in zip(got, want)), name)

    def test_ranking_equals_geopackage(self):
        rows = rows_of(self.wb["Ranking"])
        header, body = rows[0], rows[1:]
        gp = self.run_.gpkg()
        ranked = sorted((g for g in gp.values() if g["rank"]), key=lambda g: g["rank"])
        self.assertEqual(len(body), len(ranked))
        self.assertEqual(len(body), self.js["counts"]["eligible"])
        fields = ranking_fields(header, rows_of(self.wb["Fields"]))
        self.assertEqual(fields[:3], ["rank", "site_id", "score"])
        self.assertEqual(fields[-10:], ["coverage_gaps", "lon", "lat", "centroid_lon",
                                        "centroid_lat"] + PORTFOLIO)
        # every criterion's value and contribution, and every metric
        metrics = list(self.js["top_sites"][0]["metrics"])
        want = ["rank", "site_id", "score"]
        for c in self.js["criteria"]:
            want += [c["name"] + "_value", c["name"] + "_contrib"]
        self.assertEqual(fields, want + metrics + ["coverage_gaps", "lon", "lat", "centroid_lon",
                                                   "centroid_lat"] + PORTFOLIO)
        for r, g in zip(body, ranked):
            for f, v in zip(fields, r):
                w = g[f]
                if w is None or isinstance(w, str):
                    self.assertEqual(v, w, "%s %s" % (g["site_id"], f))
                else:
                    self.assertTrue(v is not None and close(v, w), "%s %s: %r != %r"
                                    % (g["site_id"], f, v, w))

    def test_ranking_units_formats_table_and_colour_scale(self):
        ws = self.wb["Ranking"]
        header = [c.value for c in ws[1]]
        names = ranking_fields(header, rows_of(self.wb["Fields"]))
        col = {f: (k + 1, strip_unit(h)[1]) for k, (f, h) in enumerate(zip(names, header))}
        # metric: (unit in the header, number format)
        expect = {"area_ha": ("ha", "0.0"), "substation_km": ("km", "0.00"),
                  "flood100_pct": ("%", "0.0"), "interconnect_cost_musd": ("M$", "0.0"),
                  "substation_headroom_mw": ("MW", "0.0"), "peak_demand_mw": ("MW", "0.0"),
                  "wue_l_kwh": ("L/kWh", "0.00"), "energy_cost_usd_yr": ("$", "#,##0"),
                  "energy_mwh_yr": ("MWh", "#,##0"), "substation_kv": ("kV", "0"),
                  "pue_annual": ("", "0.000")}
        for m, (unit, fmt) in expect.items():
            c, u = col[m]
            self.assertEqual(u, unit, m)
            self.assertEqual(ws.cell(row=2, column=c).number_format, fmt, m)
        # no number is left in General, and the units of the others are there too
        expect = {"population_2km": "#,##0", "industrial_price_usd_kwh": "0.0000",
                  "rank": "0", "score": "0.0000", "lon": "0.00000"}
        for m, fmt in expect.items():
            self.assertEqual(ws.cell(row=2, column=col[m][0]).number_format, fmt, m)
        for k, h in enumerate(header):
            for r in range(2, ws.max_row + 1):
                cell = ws.cell(row=r, column=k + 1)
                if is_number(cell.value):
                    self.assertNotEqual(cell.number_format, "General", h)
                    break
        n = self.js["counts"]["eligible"]
        self.assertEqual(ws.freeze_panes, "C2")
        tables = list(ws.tables.values())
        self.assertEqual(len(tables), 1, "Ranking is not an Excel table")
        last = openpyxl.utils.get_column_letter(len(header))
        self.assertEqual(tables[0].ref, "A1:%s%d" % (last, n + 1))
        self.assertIsNotNone(tables[0].autoFilter)
        rules = [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]
        scales = [(ref, r) for ref, r in rules if r.type == "colorScale"]
        self.assertEqual(len(scales), 1, rules)
        self.assertEqual(scales[0][0], "C2:C%d" % (n + 1))
        self.assertEqual(len(scales[0][1].colorScale.color), 3)

    def test_excluded_equals_geopackage(self):
        rows = rows_of(self.wb["Excluded"])
        self.assertEqual(list(rows[0][:3]), ["site_id", "rules_failed", "reasons"])
        got = {r[0]: (r[1], r[2]) for r in rows[1:]}
        want = {sid: (len(g["reasons"].split("; ")), g["reasons"])
                for sid, g in self.run_.gpkg().items() if g["status"] == "excluded"}
        self.assertEqual(got, want)

    def test_energy_sheet_equals_json(self):
        rows = rows_of(self.wb["Energy"])
        header, data = table_after(rows, ("name", "file"))
        stations = self.js["energy"]["stations"]
        self.assertEqual(len(data), len(stations))
        keys = [strip_unit(h)[0] for h in header if h is not None]
        for r, s in zip(data, stations):
            for k, v in zip(keys, r):
                if isinstance(s[k], str):
                    self.assertEqual(v, s[k], k)
                else:
                    self.assertTrue(close(v, s[k]), "%s %s: %r != %r" % (s["name"], k, v, s[k]))
        mh, months = table_after(rows, ("month", "month_name"))
        self.assertEqual([r[0] for r in months], list(range(1, 13)))
        col = {h: k for k, h in enumerate(mh) if h}
        for s in stations:
            for m, r in zip(s["monthly"], months):
                for label, key in (("energy (MWh)", "energy_mwh"), ("PUE", "pue"),
                                   ("water (m3)", "water_m3")):
                    v = r[col["%s %s" % (s["name"], label)]]
                    self.assertTrue(close(v, m[key]), "%s %s month %d" % (s["name"], key,
                                                                          m["month"]))

    def test_energy_chart_monthly_pue_of_top_sites_stations(self):
        charts = self.wb["Energy"]._charts
        self.assertEqual(len(charts), 1)
        ch = charts[0]
        self.assertEqual(ch.tagname, "lineChart")
        stations = {s["name"]: s for s in self.js["energy"]["stations"]}
        top_stations = []
        for t in self.js["top_sites"]:
            if t["metrics"]["weather_station"] not in top_stations:
                top_stations.append(t["metrics"]["weather_station"])
        names = []
        for s in ch.series:
            tx, val, cat = series_refs(s)
            name = ref_values(self.wb, tx)[0]
            names.append(name)
            got = ref_values(self.wb, val)
            want = [m["pue"] for m in stations[name]["monthly"]]
            self.assertTrue(all(close(a, b) for a, b in zip(got, want)), name)
            self.assertEqual(len(ref_values(self.wb, cat)), 12)
        self.assertEqual(names, top_stations)

    def test_assumptions_parameters_versions_and_fingerprints(self):
        rows = rows_of(self.wb["Assumptions"])
        # every cooling parameter, with the value the run used
        _, params = table_after(rows, ("cooling parameter", "value"))
        got = {r[0]: r[1] for r in params}
        want = self.js["energy"]["parameters"]
        self.assertEqual(set(got), set(want))
        for k, v in want.items():
            self.assertTrue(close(got[k], v), k)
        kv = {r[0]: r[1] for r in rows if r[0] is not None}
        self.assertEqual(kv["cooling"], self.js["energy"]["cooling"])
        self.assertTrue(close(kv["accelerator_kw"], self.js["energy"]["accelerator_kw"]))
        # defaults the scenario does not set are listed too
        for k in ("min_voltage_kv", "require_headroom", "upgrade_musd", "design_pue",
                  "interconnection class 5", "aggregation", "neutral value"):
            self.assertIn(k, kv)
        self.assertEqual(kv["upgrade_musd"], 25)
        # every rule, with the count of the JSON summary
        _, rules = table_after(rows, ("rule", "metric", "test", "limit", "sites failing"))
        self.assertEqual([(r[0], r[4]) for r in rules],
                         list(self.js["counts"]["excluded_by_rule"].items()))
        # every criterion: normalised weight and value function
        _, crits = table_after(rows, ("criterion", "metric", "weight (normalised)"))
        self.assertEqual([r[0] for r in crits], [c["name"] for c in self.js["criteria"]])
        for r, c in zip(crits, self.js["criteria"]):
            self.assertTrue(close(r[2], c["weight"]), c["name"])
            self.assertEqual(r[4], c["value_function"]["type"], c["name"])
        # every context layer
        _, layers = table_after(rows, ("name", "kind", "dataset", "layer"))
        with open(DALLAS) as fp:
            scen = json.load(fp)
        self.assertEqual([r[0] for r in layers],
                         [c["name"] for k in ("overlays", "distances", "zones", "area_weighted",
                                              "rasters") for c in scen[k]])
        # software: the versions `dcsite --version` prints
        _, soft = table_after(rows, ("software", "version"))
        self.assertEqual({r[0]: r[1] for r in soft}, version_lines())
        # fingerprints: SHA-256 of every local input file
        _, files = table_after(rows, ("file", "sha256", "bytes"))
        by_path = {}
        for r in files:
            p = r[0] if os.path.isabs(r[0]) else os.path.join(self.run_.cwd, r[0])
            by_path[os.path.realpath(p)] = r
        gpkg = os.path.realpath(DALLAS_GPKG)
        self.assertIn(gpkg, by_path)
        with open(gpkg, "rb") as fp:
            data = fp.read()
        self.assertEqual(by_path[gpkg][1], hashlib.sha256(data).hexdigest())
        self.assertEqual(by_path[gpkg][2], len(data))
        self.assertIn(os.path.realpath(DALLAS), by_path)
        for s in self.js["energy"]["stations"]:
            p = s["file"] if os.path.isabs(s["file"]) else os.path.join(self.run_.cwd, s["file"])
            self.assertIn(os.path.realpath(p), by_path)
        for p, r in by_path.items():
            with open(p, "rb") as fp:
                self.assertEqual(r[1], hashlib.sha256(fp.read()).hexdigest(), p)


# ---------------------------------------------------------------------------
# 2: the Dallas workbook through LibreOffice
# ---------------------------------------------------------------------------

def require_soffice(case):
    if not os.path.exists(SOFFICE):
        case.fail("LibreOffice is not installed (%s is missing): install the Debian package "
                  "libreoffice-calc-nogui" % SOFFICE)


class T2DallasLibreOffice(unittest.TestCase):

    def setUp(self):
        require_soffice(self)
        self.run_ = dallas()
        self.run_.check(self)
        self.proc, self.sheets = self.run_.csv()
        self.js = self.run_.js()

    def test_libreoffice_opens_every_sheet(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(sorted(self.sheets), sorted(SHEETS))
        for name, rows in self.sheets.items():
            self.assertTrue(rows and any(any(c for c in r) for r in rows), "empty %s" % name)

    def test_summary_values_equal_json(self):
        rows = self.sheets["Details"]
        kv = {r[0]: r[1] for r in rows if r and r[0]}
        c = self.js["counts"]
        self.assertEqual(kv["Scenario"], self.js["scenario"]["name"])
        self.assertEqual(kv["Run started (UTC)"], self.js["run"]["started_utc"])
        for label, key in (("Candidates", "candidates"), ("Eligible", "eligible"),
                           ("Excluded", "excluded")):
            self.assertEqual(csv_number(kv[label]), c[key], label)
        for rule, n in c["excluded_by_rule"].items():
            self.assertEqual(csv_number(kv[rule]), n, rule)
        h = find_row(rows, list(TOP_HEADER))
        crits = [k["name"] for k in self.js["criteria"]]
        for r, t in zip(rows[h + 1:], self.js["top_sites"]):
            self.assertEqual((csv_number(r[0]), r[1]), (t["rank"], t["site_id"]))
            for k, key in ((2, "score"), (3, "lon"), (4, "lat"), (5, "centroid_lon"),
                           (6, "centroid_lat")):
                self.assertTrue(close(csv_number(r[k]), t[key]), "%s %s" % (t["site_id"], key))
            for j, name in enumerate(crits):
                self.assertTrue(close(csv_number(r[TOP_FIRST_CRIT + j]),
                                      t["criteria"][name]["contribution"]), name)

    def test_ranking_values_equal_json_and_openpyxl(self):
        rows = [r for r in self.sheets["Ranking"] if any(r)]
        xl = rows_of(self.run_.wb()["Ranking"])
        self.assertEqual(rows[0], list(xl[0]))
        self.assertEqual(len(rows) - 1, self.js["counts"]["eligible"])
        fields = ranking_fields(rows[0], self.sheets["Fields"])
        col = {f: k for k, f in enumerate(fields)}
        for r, t in zip(rows[1:], self.js["top_sites"]):
            self.assertEqual(r[col["site_id"]], t["site_id"])
            self.assertEqual(csv_number(r[col["rank"]]), t["rank"])
            self.assertTrue(close(csv_number(r[col["score"]]), t["score"]))
            for m, v in t["metrics"].items():
                if v is None:
                    self.assertEqual(r[col[m]], "", m)
                elif isinstance(v, str):
                    self.assertEqual(r[col[m]], v, m)
                else:
                    self.assertTrue(close(csv_number(r[col[m]]), v), "%s %s" % (t["site_id"], m))
            for name, cv in t["criteria"].items():
                self.assertTrue(close(csv_number(r[col[name + "_contrib"]]), cv["contribution"]))
        # every cell as openpyxl reads it
        for r, x in zip(rows[1:], xl[1:]):
            for a, b in zip(r, x):
                if b is None:
                    self.assertEqual(a, "")
                elif isinstance(b, str):
                    self.assertEqual(a, b)
                else:
                    self.assertTrue(close(csv_number(a), b), "%r != %r" % (a, b))


# ---------------------------------------------------------------------------
# 3: a large run, streamed in constant-memory mode
# ---------------------------------------------------------------------------

class T3StreamedWorkbook(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.run_ = big_grid()

    def setUp(self):
        self.run_.check(self)
        self.js = self.run_.js()

    def test_large_run_is_streamed_and_complete(self):
        c = self.js["counts"]
        wb = self.run_.wb()
        self.assertEqual(wb.sheetnames, SMALL_SHEETS)
        ws = wb["Ranking"]
        rows = rows_of(ws)
        ncols = len(rows[0])
        self.assertGreater(c["eligible"] * ncols + c["excluded"] * 3, MEMORY_CELLS,
                           "the fixture is too small to be streamed")
        self.assertEqual(len(rows) - 1, c["eligible"])
        self.assertEqual([r[0] for r in rows[1:]], list(range(1, c["eligible"] + 1)))
        self.assertEqual([r[1] for r in rows[1:len(self.js["top_sites"]) + 1]],
                         [t["site_id"] for t in self.js["top_sites"]])
        scores = [r[2] for r in rows[1:]]
        self.assertTrue(all(a >= b for a, b in zip(scores, scores[1:])))
        # no Excel table in this mode: an autofilter over every row instead
        self.assertEqual(len(ws.tables), 0)
        last = openpyxl.utils.get_column_letter(ncols)
        self.assertEqual(ws.auto_filter.ref, "A1:%s%d" % (last, c["eligible"] + 1))
        self.assertEqual(ws.freeze_panes, "C2")
        excl = rows_of(wb["Excluded"])
        self.assertEqual(len(excl) - 1, c["excluded"])
        kv = {r[0]: r[1] for r in section_rows(rows_of(wb["Details"]), "Counts")}
        self.assertEqual((kv["Candidates"], kv["Eligible"], kv["Excluded"]),
                         (c["candidates"], c["eligible"], c["excluded"]))
        with zipfile.ZipFile(self.run_.path("xlsx")) as z:
            self.assertIsNone(z.testzip())
            for n in z.namelist():
                if n.endswith(".xml") or n.endswith(".rels"):
                    ET.fromstring(z.read(n))

    def test_chart_categories_are_numeric_ranks(self):
        # Without a data cache a text category range would be read as
        # numbers, so in this mode the chart's categories are the ranks.
        wb = self.run_.wb()
        ch = wb["Details"]._charts[0]
        for s in ch.series:
            tx, val, cat = series_refs(s)
            self.assertEqual(ref_values(wb, tx), ["interconnection"])
            self.assertEqual(ref_values(wb, cat), list(range(1, 11)))
            vals = ref_values(wb, val)
            want = [t["criteria"]["interconnection"]["contribution"]
                    for t in self.js["top_sites"][:10]]
            self.assertTrue(all(close(a, b) for a, b in zip(vals, want)))

    def test_libreoffice_opens_streamed_workbook(self):
        require_soffice(self)
        proc, sheets = self.run_.csv()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(sheets), sorted(SMALL_SHEETS))
        ranking = [r for r in sheets["Ranking"] if any(r)]
        self.assertEqual(len(ranking) - 1, self.js["counts"]["eligible"])
        for r, t in zip(ranking[1:], self.js["top_sites"]):
            self.assertEqual(r[1], t["site_id"])
            self.assertTrue(close(csv_number(r[2]), t["score"]))


# ---------------------------------------------------------------------------
# 4: small runs: AHP weights, and no eligible site at all
# ---------------------------------------------------------------------------

def small_grid(name, **extra):
    """500 ha square cells over the City of Dallas (about 200 candidates)
    scored on three substation criteria."""
    scen = {
        "name": name,
        "facility": {"it_load_mw": 50},
        "sites": {"grid": {"shape": "square", "cell_area_ha": 500,
                           "aoi": {"dataset": DALLAS_GPKG, "layer": "city_boundary"}}},
        "substations": {"dataset": DALLAS_GPKG, "layer": "substations", "id_field": "sub_id",
                        "voltage_field": "voltage_kv", "headroom_field": "headroom_mw",
                        "min_voltage_kv": 138},
        "criteria": [
            {"name": "cost", "metric": "interconnect_cost_musd",
             "value": {"type": "linear", "worst": 40, "best": 0}},
            {"name": "distance", "metric": "substation_km",
             "value": {"type": "step", "points": [[0, 1], [5, 0.5], [10, 0]]}},
            {"name": "headroom", "metric": "substation_headroom_mw",
             "value": {"type": "piecewise", "points": [[65, 0], [400, 1]]}}],
    }
    scen.update(extra)
    if "ahp" not in scen:
        for c in scen["criteria"]:
            c["weight"] = 1
    path = os.path.join(workdir(), name + ".json")
    with open(path, "w") as fp:
        json.dump(scen, fp, indent=2)
    if name not in _RUNS:
        _RUNS[name] = Run(path, name, workdir())
    return _RUNS[name]


class T4SmallRuns(unittest.TestCase):

    def test_ahp_matrix_and_consistency(self):
        run = small_grid("ahp_grid", aggregation="weighted_product",
                         ahp={"matrix": [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]})
        run.check(self)
        js, wb = run.js(), run.wb()
        rows = rows_of(wb["Assumptions"])
        kv = {r[0]: r[1] for r in rows if r[0] is not None}
        self.assertEqual(kv["aggregation"], "weighted_product")
        for key in ("lambda_max", "consistency_index", "consistency_ratio"):
            self.assertTrue(close(kv[key], js["ahp"][key]), key)
        names = [c["name"] for c in js["criteria"]]
        h = find_row(rows, (None,) + tuple(names))
        for i, name in enumerate(names):
            r = rows[h + 1 + i]
            self.assertEqual(r[0], name)
            self.assertTrue(all(close(a, b) for a, b in zip(r[1:4], js["ahp"]["matrix"][i])))
        _, crits = table_after(rows, ("criterion", "metric", "weight (normalised)"))
        for r, c in zip(crits, js["criteria"]):
            self.assertTrue(close(r[2], c["weight"]), c["name"])
        summary = {r[0]: r[1] for r in rows_of(wb["Details"]) if r[0] is not None}
        self.assertTrue(close(summary["AHP consistency ratio"], js["ahp"]["consistency_ratio"]))
        self.assertEqual(wb.sheetnames, SMALL_SHEETS)

    def test_no_eligible_site(self):
        run = small_grid("none_grid", constraints=[{"name": "impossible", "metric": "area_ha",
                                                    "max": -1}])
        run.check(self)
        js, wb = run.js(), run.wb()
        self.assertEqual(js["counts"]["eligible"], 0)
        self.assertEqual(len(wb["Details"]._charts), 0)
        ranking = rows_of(wb["Ranking"])
        self.assertEqual(ranking_fields(ranking[0][:3], rows_of(wb["Fields"])),
                         ["rank", "site_id", "score"])
        self.assertEqual(len(wb["Ranking"].tables), 0)
        excl = rows_of(wb["Excluded"])
        self.assertEqual(len(excl) - 1, js["counts"]["candidates"])
        self.assertTrue(all(r[2] and "impossible" in r[2] for r in excl[1:]))
        require_soffice(self)
        proc, sheets = run.csv()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(sorted(sheets), sorted(SMALL_SHEETS))


class T5RowsAsked(unittest.TestCase):
    """outputs.xlsx_rows: the Ranking and Excluded sheets hold the first N
    sites, say so on the sheet and in Details, and raise no warning (the
    scenario asked for it); the GeoPackage and the JSON keep every site."""

    def test_first_rows_only(self):
        run = small_grid("rows_grid", outputs={"xlsx_rows": 5},
                         constraints=[{"name": "near", "metric": "substation_km", "max": 4}])
        run.check(self)
        js, wb = run.js(), run.wb()
        c = js["counts"]
        self.assertGreater(c["eligible"], 5)
        self.assertGreater(c["excluded"], 5)
        ranking = rows_of(wb["Ranking"])
        data = [r for r in ranking[1:] if r[0] is not None]
        self.assertEqual([r[0] for r in data], [1, 2, 3, 4, 5])
        self.assertEqual([r[1] for r in data], [t["site_id"] for t in js["top_sites"][:5]])
        self.assertIn("This sheet lists the first 5 of %d eligible sites (outputs.xlsx_rows)"
                      % c["eligible"], [v for v in ranking[0] if isinstance(v, str)][-1])
        excl = rows_of(wb["Excluded"])
        self.assertEqual(len([r for r in excl[1:] if r[0] is not None]), 5)
        self.assertIn("the first 5 of %d excluded sites (outputs.xlsx_rows)" % c["excluded"],
                      " ".join(v for v in excl[0] if isinstance(v, str)))
        kv = {r[0]: r[1] for r in section_rows(rows_of(wb["Details"]), "Counts")}
        self.assertEqual(kv["Ranking sheet"], "the first 5 of %d eligible sites "
                         "(outputs.xlsx_rows); the GIS report has all" % c["eligible"])
        self.assertNotIn("workbook_rows", [w["code"] for w in js["warnings"]])
        self.assertEqual(len(run.gpkg()), c["candidates"])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
