"""compare_runs - value-by-value comparison of two dcsite report sets.

compare(dir_a, dir_b, name) returns a list of differences (empty when the
two runs agree): the JSON summaries key by key except the run's date and
duration and the output paths, and every feature of the GeoPackage layers
(candidates, eligible_points) field by field and geometry by geometry (the
GeoPackage geometry blob).
Numbers must be equal exactly: a merged run reads back the very doubles a
single run computed, so no tolerance is needed or allowed.

Also a command: /usr/bin/python3 compare_runs.py DIR_A DIR_B NAME
(exit 0 when equal, 1 with the differences listed).
"""
import json
import os
import sqlite3
import sys

from osgeo import ogr

ogr.UseExceptions()

# differ between any two runs by nature
VOLATILE = {("run", "started_utc"), ("run", "seconds"), ("outputs",)}


def _walk(a, b, path, out):
    if tuple(path[:2]) in VOLATILE or tuple(path[:1]) in VOLATILE:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append("%s: only in %s" % ("/".join(path + [k]), "first" if k in a else "second"))
            else:
                _walk(a[k], b[k], path + [k], out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: %d items vs %d" % ("/".join(path), len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            _walk(x, y, path + [str(i)], out)
    elif a != b or type(a) is not type(b):
        out.append("%s: %r vs %r" % ("/".join(path), a, b))


def compare_json(path_a, path_b):
    with open(path_a) as fa, open(path_b) as fb:
        a, b = json.load(fa), json.load(fb)
    out = []
    _walk(a, b, [], out)
    return out, a


def _features(path, layer):
    """Field names (from OGR) and every row's values and geometry blob.  The
    rows are read with sqlite3 (a GeoPackage is an SQLite database): the
    stored doubles and texts as they are, and about 20 times faster than
    OGR's Python feature loop; OGR's feature count must agree."""
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    count = lyr.GetFeatureCount()
    geom = lyr.GetGeometryColumn()
    ds = None
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    cols = ", ".join('"%s"' % n for n in names + [geom])
    rows = [(list(r[:-1]), r[-1]) for r in
            db.execute('SELECT %s FROM "%s" ORDER BY rowid' % (cols, layer))]
    db.close()
    if len(rows) != count:
        raise AssertionError("%s: OGR counts %d features, SQLite %d rows" % (layer, count,
                                                                               len(rows)))
    return names, rows


def compare_gpkg(path_a, path_b, layers=("candidates", "eligible_points")):
    out = []
    for layer in layers:
        na, ra = _features(path_a, layer)
        nb, rb = _features(path_b, layer)
        if na != nb:
            out.append("%s: fields differ" % layer)
            continue
        if len(ra) != len(rb):
            out.append("%s: %d features vs %d" % (layer, len(ra), len(rb)))
        for i, ((va, ga), (vb, gb)) in enumerate(zip(ra, rb)):
            for n, x, y in zip(na, va, vb):
                if x != y:
                    out.append("%s feature %d field %s: %r vs %r" % (layer, i, n, x, y))
            if ga != gb:
                out.append("%s feature %d: geometry differs" % (layer, i))
    return out


def compare(dir_a, dir_b, name):
    diffs, summary = compare_json(os.path.join(dir_a, name + ".json"),
                                  os.path.join(dir_b, name + ".json"))
    diffs += compare_gpkg(os.path.join(dir_a, name + ".gpkg"), os.path.join(dir_b, name + ".gpkg"))
    return diffs


def count_values(dir_a, name):
    """How many feature field values the GeoPackage comparison covered."""
    n = 0
    for layer in ("candidates", "eligible_points"):
        names, rows = _features(os.path.join(dir_a, name + ".gpkg"), layer)
        n += len(names) * len(rows)
    return n


if __name__ == "__main__":
    d = compare(sys.argv[1], sys.argv[2], sys.argv[3])
    for line in d[:50]:
        print(line)
    print("%d differences" % len(d))
    sys.exit(1 if d else 0)
