#!/usr/bin/python3
"""End-to-end tests of the HTML web map report (reports/report_html.c,
reports/web/report.js; issue 30), opened in real headless Chromium.

Runs the Dallas demo (data/scenarios/dallas.json, with outputs.html and an
OpenStreetMap basemap turned on) into a temporary directory, then drives
Debian's /usr/bin/chromium with puppeteer-core (npm, pinned in
package-lock.json, installed by `make` into <build>/npm/node_modules; no
browser download) through tests/e2e/html_check.mjs: once online (tile
requests are recorded and aborted, never sent) and once with the browser in
offline mode.  A small fixture generated here (four parcels near Dallas,
ids and a description full of <, quotes, & and non-ASCII, one parcel a
2,000-vertex circle) checks the escaping and the simplification; a batch
of two scenarios checks the index page.

References, none taken from the HTML writer: the run's JSON summary
(counts.candidates, counts.excluded_by_rule, top_sites: ids, ranks,
scores), the fixture's own geometry (GDAL), the ColorBrewer YlGnBu
colours (colorbrewer2.org) and the page background of report.css.
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_html.py
"""
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import tapkit
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

REPO = tapkit.REPO
DCSITE = tapkit.dcsite_path()
NODE_MODULES = os.path.join(os.path.dirname(DCSITE), "npm", "node_modules")
CHECK = os.path.join(REPO, "tests", "e2e", "html_check.mjs")
DEMO = os.path.join(REPO, "data", "scenarios", "dallas.json")
NAME = "dallas_100mw"
BASEMAP = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
YLGNBU5 = [0xffffcc, 0xa1dab4, 0x41b6c4, 0x2c7fb8, 0x253494]  # colorbrewer2.org
MAP_BG = 0xf4f4f0  # report.css #map background
TOP_ROW = 5        # the table row clicked (rank 5 in the default order)
# the fixture's nasty texts
IDS = ['<b>bold</b>', 'a"b\'c&d', 'Zürich – 北京 \u2028', '</script><img src=x onerror="window.__pwned=1">']
DESCRIPTION = 'Sites <i>near</i> "Dallas" & Fort Worth </script> – ünïcode'
SIMPLIFY_M = 5.0   # report_html.h DCS_HTML_SIMPLIFY_M
ROUND_M = 1.2      # 5 decimals of a degree: at most 0.5e-5 deg = 0.56 m per axis, 0.8 m in all
TMP = None
RUN = {}


def dcsite(*args, cwd=None):
    return subprocess.run([DCSITE, *args], capture_output=True, text=True, cwd=cwd or TMP,
                          timeout=600)


def browse(**args):
    env = dict(os.environ, DCS_NODE_MODULES=NODE_MODULES)
    r = subprocess.run(["node", CHECK, json.dumps(args)], capture_output=True, text=True,
                       env=env, timeout=600)
    if r.returncode != 0 or not r.stdout.strip():
        raise AssertionError("html_check.mjs failed (%d): %s" % (r.returncode, r.stderr[-3000:]))
    return json.loads(r.stdout)


def demo_variant(path, **outputs):
    scn = tapkit.absolute_scenario(DEMO)
    scn["outputs"].update(outputs)
    with open(path, "w") as fh:
        json.dump(scn, fh, ensure_ascii=False)
    return path


def page_data(path):
    """The JSON document the page carries, parsed as the page parses it."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    m = re.search(r'<script id="dcs-data" type="application/json">\n(.*?)\n</script>', text, re.S)
    return text, json.loads(m.group(1))


def utm(epsg=32614):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


X0, Y0 = 700000.0, 3630000.0
CIRCLE = (X0 + 2500.0, Y0 + 500.0, 300.0, 2000)  # centre, radius, vertices


def circle_wkt():
    cx, cy, r, n = CIRCLE
    pts = ["%.3f %.3f" % (cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n))
           for k in range(n)]
    return "POLYGON((%s,%s))" % (",".join(pts), pts[0])


def build_fixture(tmp):
    path = os.path.join(tmp, "fixture.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    sites = ds.CreateLayer("sites", utm(), ogr.wkbPolygon)
    sites.CreateField(ogr.FieldDefn("site_id", ogr.OFTString))
    for k, sid in enumerate(IDS):
        x = X0 + 600.0 * k
        wkt = circle_wkt() if k == 3 else "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
            x, Y0, x + 400, Y0, x + 400, Y0 + 400, x, Y0 + 400, x, Y0)
        f = ogr.Feature(sites.GetLayerDefn())
        f.SetField("site_id", sid)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        sites.CreateFeature(f)
    subs = ds.CreateLayer("substations", utm(), ogr.wkbPoint)
    for name, typ in (("sub_id", ogr.OFTString), ("kv", ogr.OFTReal), ("mw", ogr.OFTReal)):
        subs.CreateField(ogr.FieldDefn(name, typ))
    f = ogr.Feature(subs.GetLayerDefn())
    f.SetField("sub_id", "S<1>")
    f.SetField("kv", 345)
    f.SetField("mw", 500)
    f.SetGeometry(ogr.CreateGeometryFromWkt("POINT(%f %f)" % (X0 - 500, Y0 + 200)))
    subs.CreateFeature(f)
    ds = None
    scenario = {
        "name": "html_fixture",
        "description": DESCRIPTION,
        "facility": {"it_load_mw": 50, "land_ha": 10},
        "working_crs": "EPSG:32614",
        "sites": {"dataset": "fixture.gpkg", "layer": "sites", "id_field": "site_id"},
        "substations": {"dataset": "fixture.gpkg", "layer": "substations", "id_field": "sub_id",
                        "voltage_field": "kv", "headroom_field": "mw", "min_voltage_kv": 138},
        # the first three parcels lie 0.3 to 1.7 km from the substation, the circle 2.7 km
        "constraints": [{"name": "near_grid", "metric": "substation_km", "max": 2.5}],
        "criteria": [{"name": "grid", "metric": "substation_km", "weight": 1,
                      "value": {"type": "linear", "worst": 5, "best": 0}}],
        "outputs": {"xlsx": False, "gpkg": False, "html": True},
    }
    path = os.path.join(tmp, "fixture.json")
    with open(path, "w") as fh:
        json.dump(scenario, fh, ensure_ascii=False)
    return path


def read_candidates(gpkg):
    """{site_id: {field: value}} of the GeoPackage's candidates layer."""
    ds = ogr.Open(gpkg)
    lyr = ds.GetLayerByName("candidates")
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    return {f.GetField("site_id"): {n: f.GetField(n) for n in names} for f in lyr}


def nearly_rules(row, scn):
    """The rules a site passes within 10 % of the limit (docs/outputs.md), from
    the scenario's min/max constraints and the facility's land rule."""
    rules = [("facility_land", "area_ha", "min", scn["facility"]["land_ha"])]
    for c in scn["constraints"]:
        for op in ("min", "max"):
            if op in c:
                rules.append((c["name"], c["metric"], op, c[op]))
    out = set()
    for name, metric, op, lim in rules:
        v = row.get(metric)
        band = 0.1 * abs(lim)
        if v is None or band == 0:
            continue
        if (op == "max" and lim - band < v <= lim) or (op == "min" and lim <= v < lim + band):
            out.add(name)
    return out


def pick_probes(rows, scn):
    """(site_id, failed rule names, nearly rule names) of the excluded site
    failing the most rules and of the best-ranked site that nearly fails one."""
    excluded = max((r for r in rows.values() if r["status"] == "excluded"),
                   key=lambda r: (len(r["reasons"].split("; ")), r["site_id"]))
    failed = {part.split(":")[0] for part in excluded["reasons"].split("; ")}
    near = min((r for r in rows.values() if r["status"] == "eligible" and nearly_rules(r, scn)),
               key=lambda r: r["rank"])
    return [(excluded["site_id"], failed, set()),
            (near["site_id"], set(), nearly_rules(near, scn))]


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-html-")
    scn = demo_variant(os.path.join(TMP, "demo.json"), html=True, xlsx=False, gpkg=True,
                       html_basemap=BASEMAP, html_basemap_attribution="© OpenStreetMap contributors")
    out = os.path.join(TMP, "demo")
    RUN["demo"] = (dcsite("run", scn, "-o", out, "--quiet"), out)
    RUN["summary"] = json.load(open(os.path.join(out, NAME + ".json")))
    summary = RUN["summary"]
    by_rule = summary["counts"]["excluded_by_rule"]
    # a rule that excludes some sites, but not all the excluded ones
    RUN["rule"] = next(k for k, (n, c) in enumerate(by_rule.items())
                       if 0 < c < summary["counts"]["excluded"])
    RUN["gpkg"] = read_candidates(os.path.join(out, NAME + ".gpkg"))
    RUN["probes"] = pick_probes(RUN["gpkg"], json.load(open(scn)))
    common = dict(html=os.path.join(out, NAME + ".html"),
                  top_id=summary["top_sites"][0]["site_id"], rule=RUN["rule"], row=TOP_ROW,
                  probe_ids=[p[0] for p in RUN["probes"]])
    RUN["online"] = browse(shot=os.path.join(TMP, "online.png"), offline=False, **common)
    RUN["offline"] = browse(shot=os.path.join(TMP, "offline.png"), offline=True, **common)


def tearDownModule():
    if os.environ.get("DCS_KEEP_TMP"):
        sys.stderr.write("kept %s\n" % TMP)
        return
    shutil.rmtree(TMP, ignore_errors=True)


class Png:
    """A PNG's RGB bands read with GDAL."""

    def __init__(self, path):
        ds = gdal.Open(path)
        self.w, self.h = ds.RasterXSize, ds.RasterYSize
        self.b = [bytes(ds.GetRasterBand(k + 1).ReadRaster()) for k in range(3)]

    def count_near(self, rgb, tol, x0, x1):
        r0, g0, b0 = (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255
        n = 0
        for y in range(self.h):
            row = y * self.w
            for x in range(x0, x1):
                i = row + x
                if abs(self.b[0][i] - r0) <= tol and abs(self.b[1][i] - g0) <= tol and \
                        abs(self.b[2][i] - b0) <= tol:
                    n += 1
        return n


def blend(rgb, alpha, bg):
    out = 0
    for s in (16, 8, 0):
        c, b = (rgb >> s) & 255, (bg >> s) & 255
        out |= int(round(alpha * c + (1 - alpha) * b)) << s
    return out


class T1Demo(unittest.TestCase):
    """The demo's report, online (basemap requested, requests aborted) and offline."""

    def setUp(self):
        r, self.out = RUN["demo"]
        self.assertEqual(r.returncode, 0, r.stderr)
        self.s = RUN["summary"]

    def test_report_written_listed_and_self_contained(self):
        path = os.path.join(self.out, NAME + ".html")
        self.assertEqual(self.s["outputs"]["html"], path)
        self.assertEqual([f for f in os.listdir(self.out) if ".part-" in f], [])
        text, data = page_data(path)
        self.assertIn("Leaflet 1.9.4", text)               # the pinned library, pasted in
        self.assertNotRegex(text, r'<script[^>]+src=|<link[^>]+href=')  # nothing loaded from outside
        self.assertEqual(len(re.findall(r"</script", text, re.I)), 3)   # Leaflet, data, report
        self.assertEqual(data["counts"]["candidates"], self.s["counts"]["candidates"])
        self.assertEqual(data["classes"]["colours"], ["#%06x" % c for c in YLGNBU5])
        self.assertEqual(data["classes"]["breaks"], [round(b, 6) for b in data["classes"]["breaks"]])

    def test_every_site_drawn(self):
        for mode in ("online", "offline"):
            b = RUN[mode]
            self.assertNotIn("error", b, b.get("error"))
            self.assertEqual(b["page_errors"], [], mode)
            self.assertEqual(b["features"], self.s["counts"]["candidates"], mode)
            self.assertEqual(b["drawn"], self.s["counts"]["candidates"], mode)
            self.assertEqual(b["shown_text"], "%d of %d sites shown" % ((self.s["counts"]["candidates"],) * 2))

    def test_top_site_popup_and_row(self):
        top = self.s["top_sites"][0]
        for mode in ("online", "offline"):
            p = RUN[mode]["popup"]
            self.assertEqual(p["rank"], "Rank 1", mode)
            self.assertEqual(p["id"], top["site_id"], mode)
            # shown with 4 decimals: within half a unit of the 4th
            self.assertLessEqual(abs(float(p["score"]) - top["score"]), 0.5e-4 + 1e-12, mode)
            self.assertEqual(p["criteria"], len(self.s["criteria"]), mode)
            for c in self.s["criteria"]:
                self.assertIn(c["name"], p["text"])
            self.assertEqual(RUN[mode]["selected_row"], top["site_id"], mode)

    def test_filter_by_one_rule(self):
        label, count = list(self.s["counts"]["excluded_by_rule"].items())[RUN["rule"]]
        for mode in ("online", "offline"):
            b = RUN[mode]
            self.assertIn("filter-rule-%d" % RUN["rule"], b["filter_boxes"])
            self.assertEqual(b["filtered_drawn"], count, "%s: sites failing %s" % (mode, label))
            self.assertEqual(b["filtered_text"], str(count), mode)
            self.assertLess(b["filtered_drawn"], self.s["counts"]["excluded"])
            self.assertEqual(b["restored_drawn"], self.s["counts"]["candidates"], mode)

    def test_row_click_zooms_to_the_site(self):
        site = self.s["top_sites"][TOP_ROW - 1]
        for mode in ("online", "offline"):
            b = RUN[mode]
            self.assertEqual(b["row_id"], site["site_id"], mode)
            self.assertGreater(b["zoom_after"], b["zoom_before"] + 1, mode)
            self.assertTrue(b["row_view"]["inside"], mode)
            self.assertLess(b["row_view"]["span_deg"], 0.1, mode)  # ~11 km or less of latitude
            self.assertEqual(b["row_popup_rank"], "Rank %d" % TOP_ROW, mode)
            self.assertEqual(b["row_selected"], site["site_id"], mode)

    def test_popups_list_failed_and_nearly_failed_rules(self):
        for mode in ("online", "offline"):
            probes = RUN[mode]["probes"]
            for sid, failed, nearly in RUN["probes"]:
                p = probes[sid]
                self.assertEqual({t.split(":")[0] for t in p["failed"]}, failed, (mode, sid))
                self.assertEqual({t.split(":")[0] for t in p["nearly"]}, nearly, (mode, sid))
                self.assertEqual(p["rank"], "Excluded" if failed else
                                 "Rank %d" % RUN["gpkg"][sid]["rank"], (mode, sid))
        self.assertGreaterEqual(len(RUN["probes"][0][1]), 2)  # a site failing several rules
        self.assertGreaterEqual(len(RUN["probes"][1][2]), 1)  # a site nearly failing one

    def test_table_sorts_by_a_criterion(self):
        crit = self.s["criteria"][0]["name"]
        values = [r[crit + "_value"] for r in RUN["gpkg"].values() if r["status"] == "eligible"]
        for mode in ("online", "offline"):
            b = RUN[mode]
            desc = [float(v) for v in b["sorted_desc"]]
            asc = [float(v) for v in b["sorted_asc"]]
            self.assertEqual(len(desc), min(100, self.s["counts"]["eligible"]))  # one page
            self.assertEqual(desc, sorted(desc, reverse=True), mode)
            self.assertEqual(asc, sorted(asc), mode)
            # shown with 3 decimals: within half a unit of the 3rd of the GeoPackage's
            self.assertLessEqual(abs(desc[0] - max(values)), 0.5e-3 + 1e-12, mode)
            self.assertLessEqual(abs(asc[0] - min(values)), 0.5e-3 + 1e-12, mode)
            self.assertIn("asc", b["sort_heading"])

    def test_basemap_only_when_online_and_nothing_else_leaves_file(self):
        on, off = RUN["online"], RUN["offline"]
        self.assertTrue(on["online"])
        self.assertFalse(off["online"])
        self.assertGreater(len(on["requests"]), 0, "the basemap is asked for when online")
        for u in on["requests"]:
            self.assertTrue(u.startswith("https://tile.openstreetmap.org/"), u)
        self.assertEqual(off["requests"], [], "offline: no request leaves file://")

    def test_screenshot_is_a_map(self):
        for mode in ("online", "offline"):
            img = Png(os.path.join(TMP, mode + ".png"))
            self.assertEqual((img.w, img.h), (1400, 900))
            x1 = int(img.w * 0.55)  # the map is the left 3/5 of the page
            # the darkest class at the report's fill opacity over the map background
            dark = img.count_near(blend(YLGNBU5[-1], 0.85, MAP_BG), 6, 0, x1)
            grey = img.count_near(0xbdbdbd, 30, 0, x1)  # the hatched excluded sites
            red = img.count_near(0xe31a1c, 30, 0, x1)   # top-N outlines and labels
            self.assertGreater(dark, 200, mode)
            self.assertGreater(grey, 20000, mode)
            self.assertGreater(red, 200, mode)


class T2Fixture(unittest.TestCase):
    """Escaping of ids and texts; the simplification tolerance."""

    @classmethod
    def setUpClass(cls):
        cls.scn = build_fixture(TMP)
        cls.out = os.path.join(TMP, "fixture")
        cls.r = dcsite("run", cls.scn, "-o", cls.out, "--quiet")
        cls.html = os.path.join(cls.out, "html_fixture.html")
        cls.summary = json.load(open(os.path.join(cls.out, "html_fixture.json")))
        top = cls.summary["top_sites"][0]
        rule = list(cls.summary["counts"]["excluded_by_rule"]).index("near_grid")
        cls.b = browse(html=cls.html, shot=os.path.join(TMP, "fixture.png"), offline=True,
                       top_id=top["site_id"], rule=rule, row=1)

    def setUp(self):
        self.assertEqual(self.r.returncode, 0, self.r.stderr)

    def test_ids_survive_the_page_data(self):
        text, data = page_data(self.html)
        ids = [f["properties"]["id"] for f in data["sites"]["features"]]
        self.assertEqual(sorted(ids), sorted(IDS))
        self.assertEqual(data["description"], DESCRIPTION)
        self.assertEqual([r["name"] for r in data["rules"]],
                         list(self.summary["counts"]["excluded_by_rule"]))
        self.assertEqual([r["sites"] for r in data["rules"]],
                         list(self.summary["counts"]["excluded_by_rule"].values()))
        self.assertNotIn("<b>bold", text)
        self.assertNotIn("<img", text)
        self.assertNotIn("<i>near", text)
        self.assertIn(html.escape(DESCRIPTION, quote=True).replace("&#x27;", "&#39;"), text)
        self.assertIn("\\u2028", text)  # a raw U+2028 would end a JavaScript line

    def test_browser_shows_the_texts_as_text(self):
        b = self.b
        self.assertNotIn("error", b, b.get("error"))
        self.assertEqual(b["page_errors"], [])
        self.assertEqual(b["requests"], [])
        self.assertEqual(b["drawn"], 4)
        top = self.summary["top_sites"][0]
        self.assertEqual(b["popup"]["id"], top["site_id"])
        self.assertEqual(b["selected_row"], top["site_id"])
        self.assertEqual(b["filtered_drawn"], 1)  # the circle, beyond 2.5 km
        check = subprocess.run(
            ["node", "-e", """
const {createRequire} = require('node:module');
const r = createRequire(process.env.DCS_NODE_MODULES + '/');
const p = r('puppeteer-core');
(async () => {
  const b = await p.launch({executablePath: '/usr/bin/chromium', headless: true,
                            args: ['--no-sandbox', '--disable-gpu']});
  const g = await b.newPage();
  await g.setOfflineMode(true);
  await g.goto('file://' + process.argv[1]);
  await g.waitForSelector('body[data-ready="1"]');
  const o = await g.evaluate(() => ({
    pwned: window.__pwned === 1, bold: document.querySelectorAll('#ranking b, #map b').length,
    imgs: document.querySelectorAll('#side img, #map .leaflet-popup img').length,
    title: document.title, h1: document.querySelector('h1').textContent,
    description: document.getElementById('description').textContent,
    cells: [...document.querySelectorAll('#ranking td.id')].map(e => e.textContent)}));
  console.log(JSON.stringify(o));
  await b.close();
})();""", self.html], capture_output=True, text=True, timeout=300,
            env=dict(os.environ, DCS_NODE_MODULES=NODE_MODULES))
        self.assertEqual(check.returncode, 0, check.stderr[-2000:])
        o = json.loads(check.stdout)
        self.assertFalse(o["pwned"])
        self.assertEqual(o["bold"], 0)
        self.assertEqual(o["imgs"], 0)
        self.assertEqual(o["description"], DESCRIPTION)
        self.assertEqual(o["h1"], "html_fixture")
        self.assertEqual(sorted(o["cells"]), sorted(IDS[:3]))  # the eligible ones

    def test_circle_simplified_within_the_tolerance(self):
        _, data = page_data(self.html)
        f = next(f for f in data["sites"]["features"] if f["properties"]["id"] == IDS[3])
        ring = f["geometry"]["coordinates"][0]
        self.assertLess(len(ring), CIRCLE[3] / 4)  # 2,000 vertices 0.94 m apart: most go
        self.assertGreater(len(ring), 8)
        for lon, lat in ring:  # 5 decimals
            self.assertEqual(round(lon, 5), lon)
            self.assertEqual(round(lat, 5), lat)
        ll = osr.SpatialReference()
        ll.ImportFromEPSG(4326)
        ll.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        ct = osr.CoordinateTransformation(ll, utm())
        simp = ogr.Geometry(ogr.wkbLinearRing)
        for lon, lat in ring:
            x, y, _ = ct.TransformPoint(lon, lat)
            simp.AddPoint_2D(x, y)
        simp_line = ogr.CreateGeometryFromWkt(simp.ExportToWkt().replace("LINEARRING", "LINESTRING"))
        poly = ogr.CreateGeometryFromWkt(circle_wkt())  # kept: orig points into it
        orig = poly.GetGeometryRef(0)
        orig_line = ogr.CreateGeometryFromWkt(orig.ExportToWkt().replace("LINEARRING", "LINESTRING"))
        # every original vertex within tolerance + rounding of the simplified outline
        worst = max(simp_line.Distance(ogr.CreateGeometryFromWkt("POINT(%f %f)" % orig.GetPoint_2D(k)))
                    for k in range(0, orig.GetPointCount(), 7))
        self.assertLessEqual(worst, SIMPLIFY_M + ROUND_M)
        # every kept vertex on the original outline but for rounding
        worst = max(orig_line.Distance(ogr.CreateGeometryFromWkt("POINT(%f %f)" % simp.GetPoint_2D(k)))
                    for k in range(simp.GetPointCount()))
        self.assertLessEqual(worst, ROUND_M)


class T3Options(unittest.TestCase):
    def test_no_html_unless_asked(self):
        scn = tapkit.absolute_scenario(DEMO)  # the demo asks for it: drop the key
        scn["outputs"] = {k: v for k, v in scn["outputs"].items() if k != "html"}
        scn["outputs"].update(xlsx=False, gpkg=False)
        path = os.path.join(TMP, "plain.json")
        with open(path, "w") as fh:
            json.dump(scn, fh, ensure_ascii=False)
        scn = path
        out = os.path.join(TMP, "plain")
        r = dcsite("run", scn, "-o", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), [NAME + ".json"])

    def test_bad_basemap_named(self):
        scn = demo_variant(os.path.join(TMP, "bad.json"), html=True,
                           html_basemap="tile.openstreetmap.org/{z}/{x}.png")
        r = dcsite("run", scn, "-o", os.path.join(TMP, "bad"), "--quiet")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("outputs.html_basemap", r.stderr)
        self.assertIn("{y}", r.stderr)


class T4Batch(unittest.TestCase):
    def test_index_links_each_report(self):
        a = demo_variant(os.path.join(TMP, "batch_a.json"), html=True, xlsx=False, gpkg=False)
        with open(a) as fh:
            scn = json.load(fh)
        scn["name"] = "second_run"
        scn["outputs"]["html"] = False
        b = os.path.join(TMP, "batch_b.json")
        with open(b, "w") as fh:
            json.dump(scn, fh)
        out = os.path.join(TMP, "batch")
        r = dcsite("batch", a, b, "-o", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(out, "index.html"), encoding="utf-8") as fh:
            page = fh.read()
        links = re.findall(r'<a href="([^"]+)">([^<]*)</a>', page)
        targets = {html.unescape(t): h for h, t in links}
        self.assertEqual(targets[NAME], NAME + "/" + NAME + ".html")
        self.assertTrue(os.path.exists(os.path.join(out, targets[NAME])))
        second = "second_run"
        self.assertIn(second, targets)
        self.assertTrue(targets[second].endswith(".json"))  # no HTML report: its summary
        from urllib.parse import unquote
        self.assertTrue(os.path.exists(os.path.join(out, unquote(targets[second]))))
        comparison = json.load(open(os.path.join(out, "batch.json")))
        self.assertTrue(comparison["scenarios"][0]["html"].endswith(NAME + ".html"))
        self.assertNotIn("html", comparison["scenarios"][1])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
