#!/usr/bin/python3
"""End-to-end tests of the run fingerprint over every file of a dataset
(issue 23).

The fingerprint hashes every file GDAL reads for a dataset the scenario
names (GDALGetFileList), not only the file named.  On the Dallas sample
with its site layer copied into
* a Shapefile (sites.shp with .shx, .dbf, .prj, .cpg): `dcsite batch` runs
  the scenario, a second batch skips it ("skipped" in batch.json, same
  fingerprint), and after one attribute value is changed in the .dbf alone
  (the .shp and .shx bytes unchanged) the fingerprint differs and the batch
  runs the scenario again;
* a VRT (sites.vrt) whose layer is in a GeoPackage beside it: likewise
  after one attribute value is changed in the GeoPackage, the VRT's own
  bytes unchanged;
* moving the scenario's folder with its Shapefile keeps the fingerprint
  (the files enter by their names relative to the scenario).
The other layers stay those of data/dallas, by absolute path.
Run: DCSITE=build/dcsite /usr/bin/python3 tests/e2e/test_fingerprint.py
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import tapkit
from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

REPO = tapkit.REPO
DCSITE = tapkit.dcsite_path()
DALLAS = os.path.join(REPO, "data", "scenarios", "dallas.json")
SITES_SQL = ("SELECT geom, site_id, name, land_cost_usd_acre AS land_cost, zoning "
             "FROM sites")
TMP = None


def dcsite(*args, check=None):
    p = subprocess.run([DCSITE] + list(args), capture_output=True, text=True, cwd=REPO)
    if check is not None and p.returncode != check:
        raise AssertionError("dcsite %s: exit %d (wanted %d)\n%s%s"
                             % (" ".join(args), p.returncode, check, p.stdout, p.stderr))
    return p


def sha256(path):
    with open(path, "rb") as fp:
        return hashlib.sha256(fp.read()).hexdigest()


def scenario(folder, name, sites_dataset):
    """folder/<name>.json: the Dallas scenario called name, its sites from
    sites_dataset (relative to folder), every other path absolute."""
    with open(DALLAS) as fp:
        scn = json.load(fp)
    base = os.path.dirname(DALLAS)

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
    scn["name"] = name
    scn["sites"]["dataset"] = sites_dataset
    scn["sites"]["attributes"]["land_cost_usd_acre"] = "land_cost"
    path = os.path.join(folder, name + ".json")
    with open(path, "w") as fp:
        json.dump(scn, fp, indent=2)
    return path


def copy_sites(dst, driver, options=()):
    """Dallas's site layer into dst (layer 'sites'), land cost as land_cost
    (a Shapefile's field names have at most 10 characters)."""
    gdal.VectorTranslate(dst, os.path.join(REPO, "data", "dallas", "dallas.gpkg"),
                         format=driver, SQLStatement=SITES_SQL, layerName="sites",
                         layerCreationOptions=list(options))


def double_land_cost(dataset, site_id):
    """Double one site's land_cost in place (ogr, update mode)."""
    ds = gdal.OpenEx(dataset, gdal.OF_VECTOR | gdal.OF_UPDATE)
    lyr = ds.GetLayerByName("sites")
    lyr.SetAttributeFilter("site_id = '%s'" % site_id)
    f = lyr.GetNextFeature()
    f.SetField("land_cost", 2 * f.GetField("land_cost"))
    lyr.SetFeature(f)
    ds = None


def batch(scn, out):
    """dcsite batch scn -o out; batch.json's entry of the scenario."""
    dcsite("batch", scn, "-o", out, "--quiet", check=0)
    with open(os.path.join(out, "batch.json")) as fp:
        return json.load(fp)["scenarios"][0]


def setUpModule():
    global TMP
    TMP = tempfile.mkdtemp(prefix="dcsite-fingerprint-")


def tearDownModule():
    if TMP:
        shutil.rmtree(TMP, ignore_errors=True)


class ShapefileDbf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.project = os.path.join(TMP, "shp-project")
        os.makedirs(os.path.join(cls.project, "data"))
        copy_sites(os.path.join(cls.project, "data", "sites.shp"), "ESRI Shapefile",
                   ["ENCODING=UTF-8"])  # with a .cpg
        cls.scn = scenario(cls.project, "dallas_shp", "data/sites.shp")
        cls.out = os.path.join(TMP, "shp-out")
        cls.first = batch(cls.scn, cls.out)

    def files(self):
        stem = os.path.join(self.project, "data", "sites.")
        return {ext: sha256(stem + ext) for ext in ("shp", "shx", "dbf", "prj", "cpg")}

    def test_first_batch_runs(self):
        self.assertEqual(self.first["status"], "ran", self.first)
        self.assertRegex(self.first["fingerprint"], "^[0-9a-f]{64}$")

    def test_moving_the_folder_keeps_the_fingerprint(self):
        moved = os.path.join(TMP, "shp-moved")
        shutil.copytree(self.project, moved)
        e = batch(os.path.join(moved, "dallas_shp.json"), os.path.join(TMP, "shp-moved-out"))
        self.assertEqual(e["status"], "ran", e)
        self.assertEqual(e["fingerprint"], self.first["fingerprint"])

    def test_rerun_skips_then_a_dbf_edit_reruns(self):
        again = batch(self.scn, self.out)
        self.assertEqual(again["status"], "skipped", again)
        self.assertEqual(again["fingerprint"], self.first["fingerprint"])
        before = self.files()
        double_land_cost(os.path.join(self.project, "data", "sites.shp"),
                         self.first["top_site"])
        after = self.files()
        self.assertNotEqual(after["dbf"], before["dbf"])
        del before["dbf"], after["dbf"]
        self.assertEqual(after, before)  # only the .dbf changed
        edited = batch(self.scn, self.out)
        self.assertEqual(edited["status"], "ran", edited)
        self.assertNotEqual(edited["fingerprint"], self.first["fingerprint"])
        self.assertEqual(batch(self.scn, self.out)["status"], "skipped")


class VrtSource(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.project = os.path.join(TMP, "vrt-project")
        data = os.path.join(cls.project, "data")
        os.makedirs(data)
        cls.gpkg = os.path.join(data, "sites_src.gpkg")
        copy_sites(cls.gpkg, "GPKG")
        cls.vrt = os.path.join(data, "sites.vrt")
        with open(cls.vrt, "w") as fp:
            fp.write('<OGRVRTDataSource>\n'
                     '  <OGRVRTLayer name="sites">\n'
                     '    <SrcDataSource relativeToVRT="1">sites_src.gpkg</SrcDataSource>\n'
                     '    <SrcLayer>sites</SrcLayer>\n'
                     '  </OGRVRTLayer>\n'
                     '</OGRVRTDataSource>\n')
        cls.scn = scenario(cls.project, "dallas_vrt", "data/sites.vrt")
        cls.out = os.path.join(TMP, "vrt-out")
        cls.first = batch(cls.scn, cls.out)

    def test_gdal_lists_the_vrt_and_its_source(self):
        ds = gdal.OpenEx(self.vrt, gdal.OF_VECTOR)
        self.assertEqual(sorted(os.path.basename(f) for f in ds.GetFileList()),
                         ["sites.vrt", "sites_src.gpkg"])

    def test_rerun_skips_then_a_source_edit_reruns(self):
        self.assertEqual(self.first["status"], "ran", self.first)
        again = batch(self.scn, self.out)
        self.assertEqual(again["status"], "skipped", again)
        self.assertEqual(again["fingerprint"], self.first["fingerprint"])
        vrt_bytes = sha256(self.vrt)
        double_land_cost(self.gpkg, self.first["top_site"])
        self.assertEqual(sha256(self.vrt), vrt_bytes)
        edited = batch(self.scn, self.out)
        self.assertEqual(edited["status"], "ran", edited)
        self.assertNotEqual(edited["fingerprint"], self.first["fingerprint"])


def main():
    return tapkit.run_module(sys.modules[__name__], DCSITE, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
