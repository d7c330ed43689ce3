#!/usr/bin/python3
"""End-to-end tests of dcsite's map (reports/report_map.c): the PNG with its
world file and .prj, and the PDF, written by `dcsite run` beside the other
reports whenever the GIS layers or the workbook are asked for.

Runs the Dallas demo (data/scenarios/dallas.json) into a temporary
directory, and variants of it (no attribution; JSON only; an obstacle in
place of a sidecar).  The PNG's pixels and geotransform are read with GDAL
(no PIL, no numpy); the PDF's text with poppler's pdftotext.

References, none taken from the map code:
  * where a site is: its lon/lat in the GeoPackage's candidates layer,
    projected with osr to the working CRS named in the JSON summary
    (run.working_crs), then to a pixel with the geotransform GDAL reads
    from the world file;
  * what colour it must be: its class, recomputed here from the eligible
    scores with the rule documented in analysis/decision/classes.h
    (quantile breaks, a score belongs to the first class whose upper break
    it does not exceed), and the 5-class ColorBrewer YlGnBu colours listed
    in analysis/decision/classes.c (outputs.classes defaults to 5); the
    grey DCS_CLASS_EXCLUDED (0xbdbdbd) for excluded sites;
  * the layout constants documented in reports/report_map.c (the legend
    panel is the right 400 px inside a 24 px margin; rank labels and their
    leader lines stay within 155 px beyond a site's extent plus the label).
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_map.py
"""
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

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DCSITE = os.path.abspath(os.environ.get("DCSITE", os.path.join(REPO, "build", "dcsite")))
SCENARIO = os.path.join(REPO, "data", "scenarios", "dallas.json")
# the full-disk shim (tests/fault/enospc.c), built by make tests-build
SHIM = os.path.join(os.path.dirname(DCSITE), "tests", "libenospc.so")
NAME = "dallas_100mw"
# analysis/decision/classes.c: ColorBrewer YlGnBu, 5 classes, light to dark
YLGNBU5 = [0xffffcc, 0xa1dab4, 0x41b6c4, 0x2c7fb8, 0x253494]
EXCLUDED = 0xbdbdbd  # classes.h DCS_CLASS_EXCLUDED
TOP_OUTLINE = 0xe31a1c  # report_map.c TOP_RGB
# report_map.c: the legend panel, right of x = 1600 - 24 - 400 at 1600 px
PANEL_X0 = 1600 - 24 - 400
# report_map.c: a label lies at most 155 px beyond its site's extent (half
# diagonal ~8 px for a 0.5 km2 hexagon at ~56 m/px), plus the label box
# (two digits in bold 29 px with a 4 px pad: under 50 px): 230 px bounds it
LABEL_REACH_PX = 230
TMP = None
RUN = {}


def dcsite(*args, cwd=None):
    return subprocess.run([DCSITE, *args], capture_output=True, text=True,
                          cwd=cwd or TMP, timeout=300)


def absolute_paths(node, base):
    """The scenario with every dataset and station path made absolute, so a
    variant written elsewhere reads the same files."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "dataset" and isinstance(v, str):
                out[k] = os.path.normpath(os.path.join(base, v))
            elif k == "stations" and isinstance(v, list):
                out[k] = [os.path.normpath(os.path.join(base, p)) for p in v]
            else:
                out[k] = absolute_paths(v, base)
        return out
    if isinstance(node, list):
        return [absolute_paths(v, base) for v in node]
    return node


def variant(name, edit):
    with open(SCENARIO) as fh:
        scn = absolute_paths(json.load(fh), os.path.dirname(SCENARIO))
    edit(scn)
    path = os.path.join(TMP, name + ".json")
    with open(path, "w") as fh:
        json.dump(scn, fh)
    return path


def run(key, scenario, outdir):
    r = dcsite("run", scenario, "-o", outdir, "--quiet")
    RUN[key] = (r, outdir)
    return r


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-map-")
    run("demo", SCENARIO, os.path.join(TMP, "demo"))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class Image:
    """The PNG's pixels (three Byte bands read as bytes) and geotransform."""

    def __init__(self, path):
        ds = gdal.Open(path)
        self.w, self.h, self.nbands = ds.RasterXSize, ds.RasterYSize, ds.RasterCount
        self.gt = ds.GetGeoTransform()
        self.bands = [ds.GetRasterBand(k + 1).ReadRaster() for k in range(min(3, self.nbands))]
        self.files = ds.GetFileList()

    def rgb(self, col, row):
        i = row * self.w + col
        return (self.bands[0][i] << 16) | (self.bands[1][i] << 8) | self.bands[2][i]

    def pixel_of(self, x, y):
        """Column and row of the pixel holding working-CRS point (x, y)."""
        return (int(math.floor((x - self.gt[0]) / self.gt[1])),
                int(math.floor((y - self.gt[3]) / self.gt[5])))

    def count(self, colour, x0=0, y0=0, x1=None, y1=None):
        x1 = self.w if x1 is None else x1
        y1 = self.h if y1 is None else y1
        return sum(1 for r in range(y0, y1) for c in range(x0, x1) if self.rgb(c, r) == colour)


def read_sites(gpkg, working_crs):
    """{site_id: {status, rank, score, x, y}} with (x, y) the lon/lat point in
    the working CRS."""
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    work = osr.SpatialReference()
    work.SetFromUserInput(working_crs)
    for s in (wgs, work):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = osr.CoordinateTransformation(wgs, work)
    ds = ogr.Open(gpkg)
    sites = {}
    for f in ds.GetLayerByName("candidates"):
        x, y, _ = tr.TransformPoint(f.GetField("lon"), f.GetField("lat"))
        sites[f.GetField("site_id")] = {"status": f.GetField("status"), "rank": f.GetField("rank"),
                                        "score": f.GetField("score"), "x": x, "y": y}
    return sites


def classes_of(scores, wanted=5):
    """Breaks as classes.h documents them: sorted scores v (m of them), break
    k = v[floor(k m / n)] for 0 < k < n, break 0 = lowest, break n = highest;
    repeated breaks dropped."""
    v = sorted(scores)
    m = len(v)
    brk = [v[0] if k == 0 else v[-1] if k == wanted else v[k * m // wanted]
           for k in range(wanted + 1)]
    out = [brk[0]]
    for b in brk[1:]:
        if b > out[-1]:
            out.append(b)
    return out


def class_of(brk, s):
    n = len(brk) - 1
    for k in range(n - 1):
        if s <= brk[k + 1]:
            return k
    return n - 1


def near_colour(img, col, row, colour, radius):
    """The first pixel within radius (Chebyshev, nearest first) of colour,
    as (dc, dr), or None."""
    for rad in range(radius + 1):
        for dr in range(-rad, rad + 1):
            for dc in range(-rad, rad + 1):
                if max(abs(dc), abs(dr)) == rad and img.rgb(col + dc, row + dr) == colour:
                    return (dc, dr)
    return None


def pdf_text(path):
    r = subprocess.run(["/usr/bin/pdftotext", "-layout", path, "-"], capture_output=True,
                       text=True, timeout=60)
    return r.returncode, " ".join(r.stdout.split())


class T1Files(unittest.TestCase):
    """The run writes the map beside the other reports, renamed into place."""

    def setUp(self):
        self.r, self.out = RUN["demo"]
        self.assertEqual(self.r.returncode, 0, self.r.stderr)

    def test_map_png_sidecars_and_pdf_without_temporaries(self):
        files = sorted(os.listdir(self.out))
        for ext in ("png", "pgw", "prj", "png.aux.xml", "pdf"):
            self.assertIn("%s_map.%s" % (NAME, ext), files)
        self.assertEqual([f for f in files if ".part-" in f], [], files)

    def test_png_size_bands_and_world_file(self):
        img = Image(os.path.join(self.out, NAME + "_map.png"))
        # the brief: at least 1200 px wide (default 1600 x 1200, report_map.h)
        self.assertGreaterEqual(img.w, 1200)
        self.assertEqual((img.w, img.h), (1600, 1200))
        self.assertEqual(img.nbands, 3)  # RGB24: no alpha band
        self.assertIn(os.path.join(self.out, NAME + "_map.pgw"), img.files)
        with open(os.path.join(self.out, NAME + "_map.pgw")) as fh:
            a, d, b, e, c, f = (float(v) for v in fh.read().split())
        # ESRI world file: square pixels, no rotation, (c, f) the centre of
        # the upper-left pixel; GDAL's origin is that pixel's corner.  The
        # file holds 10 decimals: 1e-6 m.
        self.assertEqual((d, b), (0.0, 0.0))
        self.assertAlmostEqual(e, -a, delta=1e-9)
        self.assertGreater(a, 0)
        for got, want in zip(img.gt, (c - a / 2, a, 0.0, f - e / 2, 0.0, e)):
            self.assertAlmostEqual(got, want, delta=1e-6)

    def test_world_file_places_the_sites_inside_the_map(self):
        img = Image(os.path.join(self.out, NAME + "_map.png"))
        ds = ogr.Open(os.path.join(self.out, NAME + ".gpkg"))
        x0, x1, y0, y1 = ds.GetLayerByName("candidates").GetExtent()
        gx0, gy1 = img.gt[0], img.gt[3]
        gx1, gy0 = gx0 + img.w * img.gt[1], gy1 + img.h * img.gt[5]
        self.assertTrue(gx0 < x0 and x1 < gx1 and gy0 < y0 and y1 < gy1,
                        ((x0, y0, x1, y1), (gx0, gy0, gx1, gy1)))
        # the frame is fitted to the sites (report_map.c: frame area about
        # 1128 x 900 px of 1600 x 1200): they span at least half of the
        # image's width or height
        self.assertGreaterEqual(max((x1 - x0) / img.gt[1] / img.w,
                                    (y1 - y0) / -img.gt[5] / img.h), 0.5)

    def test_prj_is_the_working_crs(self):
        summary = json.load(open(os.path.join(self.out, NAME + ".json")))
        want = osr.SpatialReference()
        want.SetFromUserInput(summary["run"]["working_crs"].split(" (")[0])
        got = osr.SpatialReference()
        with open(os.path.join(self.out, NAME + "_map.prj")) as fh:
            got.SetFromUserInput(fh.read())
        self.assertTrue(got.IsSame(want), got.ExportToWkt())
        # GDAL (and so QGIS) reads the PNG's CRS from its .aux.xml, not the .prj
        png = gdal.Open(os.path.join(self.out, NAME + "_map.png"))
        gdal_srs = osr.SpatialReference(wkt=png.GetProjection())
        self.assertTrue(gdal_srs.IsSame(want), png.GetProjection())


class T2Pixels(unittest.TestCase):
    """Colours at the sites' representative points."""

    @classmethod
    def setUpClass(cls):
        r, out = RUN["demo"]
        cls.ok = r.returncode == 0
        if not cls.ok:
            return
        summary = json.load(open(os.path.join(out, NAME + ".json")))
        cls.sites = read_sites(os.path.join(out, NAME + ".gpkg"),
                               summary["run"]["working_crs"].split(" (")[0])
        cls.img = Image(os.path.join(out, NAME + "_map.png"))
        eligible = [s["score"] for s in cls.sites.values() if s["status"] == "eligible"]
        cls.brk = classes_of(eligible)
        cls.top = sorted((s for s in cls.sites.values() if s["rank"] and s["rank"] <= 10),
                         key=lambda s: s["rank"])

    def setUp(self):
        self.assertTrue(self.ok, "the demo run failed")

    def expected(self, s):
        if s["status"] != "eligible":
            return EXCLUDED
        return YLGNBU5[class_of(self.brk, s["score"])]

    def test_five_classes(self):
        # 119 eligible scores, no ties at the breaks: five classes
        self.assertEqual(len(self.brk) - 1, 5, self.brk)

    def test_top_site_in_the_darkest_class_colour(self):
        # rank 1 has the highest score, so the top class: 0x253494.  Its
        # point must show that colour exactly: labels and leader lines keep
        # clear of every top site's point (report_map.c), the outline runs
        # along the site's edge 6-7 px away.
        s = self.top[0]
        self.assertEqual(s["rank"], 1)
        col, row = self.img.pixel_of(s["x"], s["y"])
        self.assertEqual("%06x" % self.img.rgb(col, row), "253494", (col, row))

    def test_every_top_site_shows_its_fill(self):
        # the 10 top sites are all in the top class (it holds the best fifth
        # of 119 scores); exact pixel, or, stated per site, within 2 px
        # should an outline or leader reach the point
        for s in self.top:
            col, row = self.img.pixel_of(s["x"], s["y"])
            self.assertEqual(self.expected(s), YLGNBU5[-1])
            where = near_colour(self.img, col, row, YLGNBU5[-1], 2)
            self.assertIsNotNone(where, "rank %d at %s" % (s["rank"], (col, row)))
            self.assertEqual(where, (0, 0), "rank %d: fill only at offset %s" % (s["rank"], where))

    def test_far_excluded_site_is_grey(self):
        # the excluded site farthest from every top site (no label there)
        far = max((s for s in self.sites.values() if s["status"] == "excluded"),
                  key=lambda s: min(math.hypot(s["x"] - t["x"], s["y"] - t["y"])
                                    for t in self.top))
        col, row = self.img.pixel_of(far["x"], far["y"])
        self.assertEqual("%06x" % self.img.rgb(col, row), "%06x" % EXCLUDED, (col, row))

    def test_every_site_away_from_labels_has_its_class_colour(self):
        # every site whose point is more than LABEL_REACH_PX from each top
        # site's point (so no label, halo or leader line can be over it):
        # its recomputed class colour exactly at its point's pixel
        px = self.img.gt[1]
        checked, wrong = 0, []
        for sid, s in self.sites.items():
            if min(math.hypot(s["x"] - t["x"], s["y"] - t["y"]) for t in self.top) / px \
                    <= LABEL_REACH_PX:
                continue
            col, row = self.img.pixel_of(s["x"], s["y"])
            checked += 1
            if self.img.rgb(col, row) != self.expected(s):
                wrong.append((sid, "%06x" % self.img.rgb(col, row),
                              "%06x" % self.expected(s)))
        # a good share of the sites, at least an eighth: how many depends on
        # where the top 10 lie, whose labels hide the sites around them (the
        # demo: 486 of 1987)
        self.assertGreater(checked, len(self.sites) // 8)
        self.assertEqual(wrong, [])

    def test_legend_has_a_swatch_per_class(self):
        # a swatch is 48 x 30 px (report_map.c SWATCH_W, SWATCH_H); its
        # anti-aliased rim aside, at least 46 x 28 = 1288 px of its colour.
        # The top class colour fills the top-N swatch too, hence ">=".
        img = self.img
        counts = {c: img.count(c, x0=PANEL_X0) for c in YLGNBU5 + [EXCLUDED, TOP_OUTLINE]}
        swatches = [c for c in YLGNBU5 if counts[c] >= 1288]
        self.assertEqual(len(swatches), len(self.brk) - 1, counts)
        self.assertGreaterEqual(counts[EXCLUDED], 1288, counts)
        # the top-N swatch's 3 px red outline, about 2 x (48 + 30) x 3 px
        self.assertGreater(counts[TOP_OUTLINE], 300, counts)


class T3Pdf(unittest.TestCase):
    """The PDF: a one-page vector map with the legend and credits as text."""

    def test_pdf_is_a_pdf_with_legend_and_credits(self):
        r, out = RUN["demo"]
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(out, NAME + "_map.pdf")
        with open(path, "rb") as fh:
            self.assertEqual(fh.read(5), b"%PDF-")
        rc, text = pdf_text(path)
        self.assertEqual(rc, 0)
        summary = json.load(open(os.path.join(out, NAME + ".json")))
        for want in (NAME, "Site score", "score, 0–1", "Excluded", "Top 10, by rank",
                     "1,987 candidate sites", "119 eligible", "EPSG:32614",
                     "Map: dcsite %s" % summary["dcsite_version"],
                     # the end of the scenario's outputs.attribution: not cut
                     "water stress and elevation are SYNTHETIC."):
            self.assertIn(want, text)
        # each class's range with two decimals, e.g. "0.70 – 0.74"
        self.assertEqual(len(re.findall(r"\d\.\d\d – \d\.\d\d", text)), 5, text)


class T5ManySites(unittest.TestCase):
    """Past 20,000 sites both maps take the sites from one image drawn at
    twice the PNG's scale (report_map.h: the PDF embeds it, the PNG halves
    it), drawn once a run by whichever map comes first.  The maps must not
    depend on which that is: --threads 1 draws the PNG first, --threads 2
    the PDF (in the report thread) first or both at once.  25,000 parcels
    of the benchmark's synthetic region (tests/bench/make_region.py)."""

    @classmethod
    def setUpClass(cls):
        cls.region = os.path.join(TMP, "region25k")
        gen = subprocess.run(["/usr/bin/python3", os.path.join(REPO, "tests", "bench",
                                                               "make_region.py"),
                              cls.region, "25000"], capture_output=True, text=True,
                             timeout=300)
        assert gen.returncode == 0, gen.stderr
        cls.out = {}
        for threads in ("1", "2"):
            out = os.path.join(TMP, "many-t" + threads)
            r = subprocess.run([DCSITE, "run", os.path.join(cls.region, "scenario.json"),
                                "-o", out, "--quiet", "--threads", threads],
                               capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, r.stderr
            cls.out[threads] = out
        cls.name = json.load(open(os.path.join(cls.region, "scenario.json")))["name"]

    def read(self, threads, ext):
        with open(os.path.join(self.out[threads], self.name + "_map." + ext), "rb") as fh:
            return fh.read()

    def test_png_is_the_same_whichever_map_comes_first(self):
        self.assertEqual(self.read("1", "png"), self.read("2", "png"))

    def test_pdf_is_the_same_whichever_map_comes_first(self):
        # the creation date aside (to the second)
        def strip(pdf):
            return re.sub(rb"/CreationDate \(D:\d+Z\)", b"", pdf)
        self.assertEqual(strip(self.read("1", "pdf")), strip(self.read("2", "pdf")))

    def test_png_shows_the_sites(self):
        # the frame is full of parcels: a quarter or more of its pixels are
        # exactly the excluded grey or a class colour (35 % when written:
        # the rest are roads, white edges and their anti-aliased rims), and
        # every class colour shows
        img = Image(os.path.join(self.out["2"], self.name + "_map.png"))
        x0, y0, x1, y1 = 100, 200, 1000, 1000  # inside the frame, left of the legend
        seen = {}
        for r in range(y0, y1, 2):
            for c in range(x0, x1, 2):
                v = img.rgb(c, r)
                seen[v] = seen.get(v, 0) + 1
        total = sum(seen.values())
        classes = [seen.get(c, 0) for c in YLGNBU5]
        self.assertGreater(seen.get(EXCLUDED, 0) + sum(classes), total // 4)
        self.assertTrue(all(n > 0 for n in classes), classes)


class T4Variants(unittest.TestCase):
    """Credits from the inputs' file names; no map without GIS or workbook;
    a sidecar that cannot be renamed fails the run."""

    def test_credits_from_input_file_names(self):
        def edit(scn):
            del scn["outputs"]["attribution"]
            scn["outputs"]["xlsx"] = False  # the GIS output alone asks for the map
        out = os.path.join(TMP, "noattr")
        r = run("noattr", variant("noattr", edit), out)
        self.assertEqual(r.returncode, 0, r.stderr)
        summary = json.load(open(os.path.join(out, NAME + ".json")))
        names = []
        for i in summary["inputs"]:
            b = os.path.basename(i["dataset"])
            if b not in names:
                names.append(b)
        self.assertEqual(names, ["dallas.gpkg", "dem_dallas.tif",
                                 "county_electricity_prices.csv"])
        rc, text = pdf_text(os.path.join(out, NAME + "_map.pdf"))
        self.assertEqual(rc, 0)
        self.assertIn("Data: " + ", ".join(names), text)
        self.assertTrue(os.path.exists(os.path.join(out, NAME + "_map.png")))

    def test_json_only_writes_no_map(self):
        def edit(scn):
            scn["outputs"]["xlsx"] = False
            scn["outputs"]["gpkg"] = False
            scn["outputs"]["html"] = False
        out = os.path.join(TMP, "jsononly")
        r = run("jsononly", variant("jsononly", edit), out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(os.listdir(out)), [NAME + ".json"])

    def test_sidecar_that_cannot_be_renamed_fails_the_run(self):
        # a directory where the world file must go: its rename fails, the
        # run exits 5 (output error, docs/cli.md) naming it, and no
        # temporary file is left
        out = os.path.join(TMP, "blocked")
        os.makedirs(os.path.join(out, NAME + "_map.pgw", "x"))
        r = run("blocked", SCENARIO, out)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn(NAME + "_map.pgw", r.stderr)
        self.assertEqual([f for f in os.listdir(out) if ".part-" in f], [])

    def test_full_disk_names_the_map_file(self):
        # the disk fills from the start or part-way through each map file
        # (the shim counts bytes written to files whose name holds `match`):
        # exit 5 naming the temporary file and the system's reason, and no
        # temporary file left
        self.assertTrue(os.path.exists(SHIM), "the fault shim is built by make: %s" % SHIM)
        cases = [(".png", 0, "the map"), (".png", 100000, "the map"),
                 (".pgw", 0, "the map's world file"), (".pgw", 40, "the map's world file"),
                 (".prj", 0, "the map's CRS file"), (".png.aux.xml", 0, "the map's CRS file"),
                 (".pdf", 0, "the map"), (".pdf", 30000, "the map")]
        for match, budget, what in cases:
            with self.subTest(file=match, bytes=budget):
                out = os.path.join(TMP, "full%s-%d" % (match, budget))
                os.makedirs(out)
                env = dict(os.environ, LD_PRELOAD=SHIM, DCS_FAULT_DIR=out,
                           DCS_FAULT_BYTES=str(budget), DCS_FAULT_MATCH=match,
                           ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                           ":verify_asan_link_order=0")
                r = subprocess.run([DCSITE, "run", SCENARIO, "-o", out, "--quiet"],
                                   capture_output=True, text=True, env=env, timeout=300)
                self.assertEqual(r.returncode, 5, r.stderr)
                self.assertRegex(r.stderr, r"cannot write %s '%s/\.%s_map\.part-\d+\%s': "
                                 r"No space left on device" % (re.escape(what), re.escape(out),
                                                               NAME, match))
                self.assertEqual(os.listdir(out), [], "nothing left behind")


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
