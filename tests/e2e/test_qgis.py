#!/usr/bin/python3
"""End-to-end test of the GeoPackage as QGIS opens it: the default styles
of both layers, the score classes they draw, the field aliases, the field
descriptions (gpkg_data_columns) and the run's warnings in the metadata.

The demo (data/scenarios/dallas.json) runs into a temporary directory;
then a PyQGIS script (PYQGIS below) runs with Debian's /usr/bin/python3
under `xvfb-run -a` (and QT_QPA_PLATFORM=offscreen), opens both layers
with QgsVectorLayer(path|layername=..., "ogr") as QGIS does, reports what
it loaded as JSON, and renders each layer and both together to 1200-pixel
PNGs, whose pixels are read here with osgeo.gdal.  The demo prints no
warning, so a copy of it with design_pue 1.3 (below Love Field's modelled
peak PUE) is run too, for the warnings in the metadata.

References: the JSON summary of the same run (warnings, counts, top N);
ColorBrewer's YlGnBu scheme as published at colorbrewer2.org (Cynthia A.
Brewer, Penn State) for the class colours; the grey of excluded sites is
#bdbdbd; the title of interconnect_cost_musd is "Interconnection cost
(M$)".  QGIS (python3-qgis, xvfb, xauth) is a test package of
tools/install-deps.sh: without it every test fails, none is skipped.
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_qgis.py
(DCSITE_KEEP_TMP=1 keeps the temporary directory and its PNGs.)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import tapkit
from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DCSITE = os.path.abspath(os.environ.get("DCSITE", os.path.join(REPO, "build", "dcsite")))
SCENARIO = os.path.join(REPO, "data", "scenarios", "dallas.json")
QGIS_PYTHON = "/usr/bin/python3"
LAYERS = ("candidates", "eligible_points")
GREY = "#bdbdbd"
ALIAS = ("interconnect_cost_musd", "Interconnection cost (M$)")
YLGNBU = {  # colorbrewer2.org, sequential YlGnBu, light to dark
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
}

TMP = None
GPKG = None
SUMMARY = None
QGIS = None  # what the PyQGIS script reported

# Runs in QGIS's Python: argv = gpkg, output dir.  Prints one JSON object.
PYQGIS = r'''
import json, sys
from qgis.core import (QgsApplication, QgsVectorLayer, QgsMapSettings, QgsRenderContext,
                       QgsMapRendererParallelJob, QgsExpressionContextUtils)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

gpkg, out = sys.argv[1], sys.argv[2]
app = QgsApplication([], False)
app.initQgis()


def rules_of(renderer):
    if renderer.type() != "RuleRenderer":
        return []
    return [{"key": r.ruleKey(), "label": r.label(), "filter": r.filterExpression(),
             "colour": r.symbol().color().name() if r.symbol() else None}
            for r in renderer.rootRule().children()]


def legend_counts(layer):
    """Features per legend key, as the renderer itself assigns them."""
    renderer = layer.renderer().clone()
    ctx = QgsRenderContext()
    ctx.expressionContext().appendScopes(
        QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    renderer.startRender(ctx, layer.fields())
    root = renderer.rootRule().ruleKey() if renderer.type() == "RuleRenderer" else None
    counts, unmatched, multiple, ranges = {}, 0, 0, {}
    for f in layer.getFeatures():
        ctx.expressionContext().setFeature(f)
        keys = [k for k in renderer.legendKeysForFeature(f, ctx) if k != root]
        unmatched += not keys
        multiple += len(keys) > 1
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
            s = f["score"]
            if s is not None and not hasattr(s, "isNull"):
                lo, hi = ranges.get(k, (s, s))
                ranges[k] = (min(lo, s), max(hi, s))
            if f["status"] == "excluded" and k != "excluded":
                multiple += 1  # an excluded site outside the excluded rule
    renderer.stopRender(ctx)
    return counts, unmatched, multiple, ranges


def labels_of(layer):
    lab = layer.labeling()
    if lab is None or lab.type() != "rule-based":
        return {"enabled": layer.labelsEnabled(), "type": lab and lab.type(), "rules": []}
    rules = []
    for r in lab.rootRule().children():
        s = r.settings()
        rules.append({"filter": r.filterExpression(), "field": s.fieldName,
                      "is_expression": s.isExpression})
    return {"enabled": layer.labelsEnabled(), "type": lab.type(), "rules": rules}


def render(layers, extent, path):
    ms = QgsMapSettings()
    ms.setLayers(layers)  # first on top
    ms.setDestinationCrs(layers[-1].crs())
    ms.setBackgroundColor(QColor(255, 255, 255))
    height = round(1200 * extent.height() / extent.width())
    ms.setOutputSize(QSize(1200, height))
    ms.setExtent(extent)
    job = QgsMapRendererParallelJob(ms)
    job.start()
    job.waitForFinished()
    return job.renderedImage().save(path, "png")


report, opened = {}, {}
for name in ("candidates", "eligible_points"):
    layer = QgsVectorLayer(gpkg + "|layername=" + name, name, "ogr")
    opened[name] = layer
    n, ids, names, descriptions, err = layer.listStylesInDatabase()
    msg, reloaded = layer.loadDefaultStyle()
    renderer = layer.renderer()
    counts, unmatched, multiple, ranges = legend_counts(layer)
    fields = layer.fields()
    report[name] = {
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "renderer": renderer.type(),
        "styles_in_db": list(names), "style_default_reloaded": reloaded,
        "rules": rules_of(renderer),
        "counts": counts, "unmatched": unmatched, "misplaced": multiple,
        "ranges": ranges,
        "labels": labels_of(layer),
        "aliases": {fields[i].name(): layer.attributeAlias(i) for i in range(fields.count())},
    }
extent = opened["candidates"].extent()
report["png"] = {
    "candidates": render([opened["candidates"]], extent, out + "/candidates.png"),
    "eligible_points": render([opened["eligible_points"]], extent, out + "/points.png"),
    "both": render([opened["eligible_points"], opened["candidates"]], extent, out + "/both.png"),
}
print(json.dumps(report))
sys.stdout.flush()
del layer, renderer, opened  # before QGIS goes: layers outliving it crash on exit
app.exitQgis()
'''


def qgis_missing():
    """Why PyQGIS cannot run here, or None."""
    if not shutil.which("xvfb-run"):
        return "xvfb-run is missing (package xvfb)"
    r = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True)
    if r.returncode != 0:
        return "PyQGIS is missing (package python3-qgis): %s" % r.stderr.strip()[-300:]
    return None


def run_qgis():
    script = os.path.join(TMP, "qgis_check.py")
    with open(script, "w") as fh:
        fh.write(PYQGIS)
    home = os.path.join(TMP, "home")  # QGIS writes its profile and caches here
    os.makedirs(home, mode=0o700)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=home, XDG_RUNTIME_DIR=home,
               XDG_CONFIG_HOME=home, XDG_DATA_HOME=home, XDG_CACHE_HOME=home)
    r = subprocess.run(["xvfb-run", "-a", QGIS_PYTHON, script, GPKG, TMP], capture_output=True,
                       text=True, timeout=120, env=env)
    if r.returncode != 0:
        raise AssertionError("the PyQGIS script failed (%d):\n%s" % (r.returncode, r.stderr[-3000:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def setUpModule():
    global TMP, GPKG, SUMMARY, QGIS
    why = qgis_missing()
    if why:
        raise AssertionError("%s; QGIS is one of the test packages: run tools/install-deps.sh "
                             "test" % why)
    TMP = tempfile.mkdtemp(prefix="dcsite-qgis-")
    out = os.path.join(TMP, "demo")
    r = subprocess.run([DCSITE, "run", SCENARIO, "-o", out, "--quiet"], capture_output=True,
                       text=True, cwd=TMP, timeout=300)
    if r.returncode != 0:
        raise AssertionError("the demo failed (%d): %s" % (r.returncode, r.stderr))
    SUMMARY = json.load(open(os.path.join(out, "dallas_100mw.json")))
    GPKG = SUMMARY["outputs"]["gis"]
    QGIS = run_qgis()


def run_warned_demo():
    """The demo with design_pue 1.25, from a copy of its scenario in
    TMP/scenarios beside links to data/dallas and data/weather (so its
    relative paths resolve): (GeoPackage path, summary)."""
    os.makedirs(os.path.join(TMP, "scenarios"), exist_ok=True)
    for d in ("dallas", "weather"):
        if not os.path.exists(os.path.join(TMP, d)):
            os.symlink(os.path.join(REPO, "data", d), os.path.join(TMP, d))
    with open(SCENARIO) as fp:
        scn = json.load(fp)
    scn["facility"]["design_pue"] = 1.25
    path = os.path.join(TMP, "scenarios", "warned.json")
    with open(path, "w") as fp:
        json.dump(scn, fp)
    out = os.path.join(TMP, "warned")
    r = subprocess.run([DCSITE, "run", path, "-o", out, "--quiet"], capture_output=True,
                       text=True, cwd=TMP, timeout=300)
    if r.returncode != 0:
        raise AssertionError("the warned demo failed (%d): %s" % (r.returncode, r.stderr))
    summary = json.load(open(os.path.join(out, "dallas_100mw.json")))
    return summary["outputs"]["gis"], summary


def tearDownModule():
    if TMP and os.environ.get("DCSITE_KEEP_TMP"):  # to look at the PNGs
        sys.stdout.write("# kept %s\n" % TMP)
    elif TMP:
        shutil.rmtree(TMP, ignore_errors=True)


def colour_counts(path):
    """{'#rrggbb': pixels} of a PNG's (fully opaque) pixels."""
    ds = gdal.Open(path)
    bands = [ds.GetRasterBand(b + 1).ReadRaster() for b in range(ds.RasterCount)]
    if len(bands) == 4:
        px = ("#%02x%02x%02x" % (r, g, b) for r, g, b, a in zip(*bands) if a == 255)
    else:
        px = ("#%02x%02x%02x" % p[:3] for p in zip(*bands[:3]))
    counts = {}
    for c in px:
        counts[c] = counts.get(c, 0) + 1
    return counts


def colours_in_png(path):
    """The set of '#rrggbb' colours of a PNG's pixels (fully opaque ones)."""
    return set(colour_counts(path))


class T1GeoPackage(unittest.TestCase):
    """What the file holds, read with SQLite and GDAL."""

    def query(self, sql):
        con = sqlite3.connect(GPKG)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def test_default_style_rows_as_qgis_looks_them_up(self):
        rows = self.query("select f_table_catalog, f_table_schema, f_table_name, "
                          "f_geometry_column, styleName, useAsDefault, description, styleQML "
                          "from layer_styles order by f_table_name")
        self.assertEqual([r[2] for r in rows], sorted(LAYERS))
        for cat, schema, table, geom, name, default, desc, qml in rows:
            self.assertEqual((cat, schema, geom, default), ("", "", "geom", 1), table)
            self.assertTrue(name and desc, table)
            self.assertIn("RuleRenderer", qml)

    def test_field_titles_and_descriptions(self):
        ext = self.query("select table_name, column_name, definition, scope from "
                         "gpkg_extensions where extension_name = 'gpkg_schema'")
        # both tables of the schema extension (GeoPackage 1.2.1, requirement 141)
        self.assertEqual(sorted(ext), [(t, None,
                                        "http://www.geopackage.org/spec121/#extension_schema",
                                        "read-write")
                                       for t in ("gpkg_data_column_constraints",
                                                 "gpkg_data_columns")])
        ds = ogr.Open(GPKG)
        for layer in LAYERS:
            defn = ds.GetLayerByName(layer).GetLayerDefn()
            fields = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
            rows = {r[0]: r[1:] for r in self.query(
                "select column_name, name, title, description from gpkg_data_columns "
                "where table_name = '%s'" % layer)}
            self.assertEqual(sorted(rows), sorted(fields), layer)
            self.assertEqual(rows[ALIAS[0]][:2], (ALIAS[1], ALIAS[1]))
            self.assertTrue(all(r[1] and r[2] for r in rows.values()), layer)
            names = [r[0] for r in rows.values()]
            self.assertEqual(len(set(names)), len(names), layer)
            self.assertIn("source:", rows["score"][2])

    def test_warnings_in_the_metadata(self):
        # the demo prints no warning (two notes on weather files): a copy with
        # design_pue 1.25, below every station's modelled peak PUE (1.27 to
        # 1.28), has one
        gpkg, summary = run_warned_demo()
        ds = gdal.OpenEx(gpkg, gdal.OF_VECTOR)
        md = ds.GetMetadata()
        self.assertEqual(md["DCSITE_FINGERPRINT"], summary["fingerprint"])
        every = json.loads(md["DCSITE_WARNINGS"])
        got = [w for w in every if w["severity"] == "warning"]
        self.assertEqual([w["code"] for w in got], ["design_pue_below_peak"])
        keep = ("code", "layer", "message", "severity")
        self.assertEqual([{k: w[k] for k in keep} for w in every],
                         [{k: w[k] for k in keep} for w in summary["warnings"]])
        own = json.loads(gdal.OpenEx(GPKG, gdal.OF_VECTOR).GetMetadata()["DCSITE_WARNINGS"])
        self.assertEqual([w for w in own if w["severity"] != "note"], [])  # the demo's own
        r = subprocess.run(["ogrinfo", "-so", "-ro", gpkg], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("DCSITE_WARNINGS=[{\"code\":", r.stdout)


class T2Qgis(unittest.TestCase):
    """What QGIS 3 loads and draws."""

    def classes(self, layer):
        return [r for r in QGIS[layer]["rules"] if r["key"] != "excluded"]

    def test_default_style_loaded_on_open(self):
        for layer in LAYERS:
            got = QGIS[layer]
            self.assertTrue(got["valid"], layer)
            self.assertEqual(got["renderer"], "RuleRenderer", layer)  # not singleSymbol
            self.assertIn("dcsite score", got["styles_in_db"], layer)
            self.assertTrue(got["style_default_reloaded"], layer)
            self.assertEqual(got["rules"][0]["key"], "excluded", layer)

    def test_more_than_two_classes_in_use_in_score_order(self):
        for layer in LAYERS:
            got = QGIS[layer]
            self.assertEqual((got["unmatched"], got["misplaced"]), (0, 0), layer)
            used = [r["key"] for r in self.classes(layer) if got["counts"].get(r["key"])]
            self.assertGreater(len(used), 2, got["counts"])
            self.assertEqual(sum(got["counts"].get(k, 0) for k in used),
                             SUMMARY["counts"]["eligible"], layer)
            highs = [got["ranges"][k] for k in used]  # classes do not overlap
            for (lo1, hi1), (lo2, hi2) in zip(highs, highs[1:]):
                self.assertLess(hi1, lo2, layer)
        self.assertEqual(QGIS["candidates"]["counts"]["excluded"],
                         SUMMARY["counts"]["excluded"])

    def test_colours(self):
        for layer in LAYERS:
            rules = QGIS[layer]["rules"]
            self.assertEqual(rules[0]["colour"], GREY, layer)
            classes = self.classes(layer)
            self.assertIn(len(classes), YLGNBU)
            self.assertEqual([r["colour"] for r in classes], YLGNBU[len(classes)], layer)

    def test_top_n_labelled_by_rank(self):
        with open(SCENARIO) as fh:
            top = json.load(fh)["outputs"]["top_n"]
        for layer in LAYERS:
            lab = QGIS[layer]["labels"]
            self.assertTrue(lab["enabled"], layer)
            self.assertEqual(lab["type"], "rule-based", layer)
            self.assertEqual([(r["filter"], r["field"]) for r in lab["rules"]],
                             [('"rank" <= %d' % top, "rank")], layer)

    def test_field_alias(self):
        for layer in LAYERS:
            self.assertEqual(QGIS[layer]["aliases"][ALIAS[0]], ALIAS[1], layer)
            self.assertEqual(QGIS[layer]["aliases"]["score"], "Score (0-1)", layer)

    def test_rendered_colours(self):
        self.assertTrue(all(QGIS["png"].values()), QGIS["png"])
        top = self.classes("candidates")[-1]["colour"]
        polygons = colours_in_png(os.path.join(TMP, "candidates.png"))
        self.assertIn(top, polygons)
        self.assertIn(GREY, polygons)
        points = colour_counts(os.path.join(TMP, "points.png"))
        self.assertIn(top, points)
        # eligible sites only: no grey symbol.  The exact grey may still turn
        # up on a few anti-aliased pixels of the rank labels' text and halos,
        # so it must be rare: under 1 % of the pixels of the class colours.
        symbols = sum(points.get(c, 0) for r in self.classes("eligible_points")
                      for c in [r["colour"]])
        self.assertLess(points.get(GREY, 0), 0.01 * symbols, (points.get(GREY), symbols))
        both = colours_in_png(os.path.join(TMP, "both.png"))
        self.assertTrue({top, GREY} <= both)


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
