#!/usr/bin/python3
"""peer_geopandas.py DIR - the GeoPandas peer of the bench (issue 28).

The job, on the bench region in DIR (region.gpkg, population.tif): per parcel
its area, the nearest qualifying substation (>= 138 kV), the share inside the
100-year flood polygons, the mean of the population raster under it; a
weighted-sum score of those four with linear value functions; the rank; a
GeoPackage of the parcels with every value and an .xlsx of the ranking.

GeoPandas does it the way a competent user would with Debian 12's stack
(GeoPandas 0.12, Shapely 1.8, Fiona 1.9, rasterio 1.3, openpyxl 3.0, rtree):
  read      geopandas.read_file of the three layers (Fiona), to_crs to the
            bench's metric CRS (EPSG:32614) when a layer is in another one;
  area      GeoSeries.area (planar, UTM);
  nearest   geopandas.sjoin_nearest with distance_col; Debian's Shapely 1.8
            without PyGEOS cannot run it (NotImplementedError), so then: a
            scipy cKDTree of the substations queried with the parcels'
            centroids (k = 4), and the exact planar distance from the parcel
            polygon to each of those 4, the smallest kept;
  flood     the 100-year polygons dissolved and exploded into parts (they
            overlap), geopandas.overlay(how="intersection") with the parcels,
            the pieces' areas summed per parcel over the parcel's area;
  zonal     rasterio: the parcels burnt once into a label raster on the
            population grid (rasterio.features.rasterize, a pixel belongs to
            the parcel its centre falls in), np.bincount of values and counts
            per label, nodata left out: the mean of the pixels whose centre is
            inside (rasterstats' default); a parcel with no pixel centre gets
            the pixel under its representative point;
  score     linear value functions (clamped 0..1), weighted sum;
  rank      sorted by score descending, ties by parcel_id;
  write     GeoDataFrame.to_file(driver="GPKG") (Fiona) and the ranking with
            openpyxl in write-only mode (its fastest path; pandas.to_excel
            builds every cell in memory first).
dcsite runs the same job (DIR/peer_gpd_scenario.json, written here): the same
layers, metrics and criteria, outputs GeoPackage (polygons) + workbook, no
map, no points layer, no JSON.

Every step is timed; the times go to DIR/peer_gpd_steps.txt as they finish,
so a peer stopped by BENCH_PEER_TIMEOUT (default 900 s) still shows how far it
got.  Then the values of the two are compared (largest differences printed,
each against its stated tolerance) and DIR/peer_geopandas.txt gets
"gpd_s dcsite_s gpd_cpu_s dcsite_cpu_s finished(0/1)".

Usage:  peer_geopandas.py DIR            the whole peer (run by run_bench.sh)
        peer_geopandas.py --pipeline DIR only the GeoPandas pipeline
        peer_geopandas.py --compare DIR  only the comparison of the last outputs
Environment: DCSITE (default build/dcsite), BENCH_PEER_TIMEOUT (seconds, 0 =
none).  Exit 0 also when GeoPandas is missing (the peer is skipped, with a
message); 1 when a step fails.
"""
import json
import os
import subprocess
import sys
import time

METRIC_CRS = 'EPSG:32614'
NAME = 'peer_gpd_pipeline'
# criterion: (metric, weight, worst, best) -- the same in both scenarios
CRITERIA = [('grid', 'substation_km', 0.4, 15.0, 0.0),
            ('flood', 'flood100_pct', 0.2, 100.0, 0.0),
            ('neighbours', 'population_mean', 0.2, 5.0, 0.0),
            ('size', 'area_ha', 0.2, 0.5, 3.0)]
# tolerances of the comparison, and why (planar UTM against dcsite's
# ellipsoid; pixel centres against exact coverage)
# (at 100k: 0.063 %, 1.8 m, 6e-10 points, 3.3 % at the 99th percentile)
TOL = {'area_ha': ('relative', 1e-3, 'planar UTM area vs ellipsoidal: the UTM scale factor'),
       'substation_km': ('absolute', 0.01, 'planar UTM distance vs geodesic, 10 m'),
       'flood100_pct': ('absolute', 1e-6, 'points of percent; both take the share in the plane'),
       'population_mean': ('relative', 0.05, 'pixel centres inside (rasterstats) vs exact '
                           'coverage; judged at the 99th percentile')}


def scenario(d):
    crit = [{'name': n, 'metric': m, 'weight': w,
             'value': {'type': 'linear', 'worst': worst, 'best': best}}
            for n, m, w, worst, best in CRITERIA]
    sc = {
        'name': NAME,
        'description': 'issue 28 peer job: area, nearest substation >= 138 kV, 100-year flood share, '
                       'zonal mean of population.tif, weighted-sum score, rank; GeoPackage + workbook',
        'facility': {'it_load_mw': 60},
        'working_crs': METRIC_CRS,
        'sites': {'dataset': 'region.gpkg', 'layer': 'parcels', 'id_field': 'parcel_id'},
        'substations': {'dataset': 'region.gpkg', 'layer': 'substations', 'id_field': 'sub_id',
                        'voltage_field': 'voltage_kv', 'min_voltage_kv': 138},
        'interconnection': {'choose': 'nearest'},
        'overlays': [{'name': 'flood100', 'dataset': 'region.gpkg', 'layer': 'flood',
                      'where': "category = '100yr'"}],
        'rasters': [{'name': 'population', 'dataset': 'population.tif', 'stats': ['mean']}],
        'criteria': crit,
        'aggregation': 'weighted_sum',
        # what the GeoPandas script writes: polygons with the values, the
        # ranking as a workbook; no points layer, no map, no JSON summary
        'outputs': {'xlsx': True, 'gpkg': True, 'json': False, 'geometry': 'polygons',
                    'eligible_points': False, 'map': False, 'top_n': 10},
    }
    with open(os.path.join(d, 'peer_gpd_scenario.json'), 'w') as fh:
        json.dump(sc, fh, indent=1)
    sc['outputs']['xlsx'] = False  # the same job without the workbook (the floor below)
    with open(os.path.join(d, 'peer_gpd_noxlsx.json'), 'w') as fh:
        json.dump(sc, fh, indent=1)


# ---------------------------------------------------------------- the peer
def pipeline(d):
    steps_path = os.path.join(d, 'peer_gpd_steps.txt')
    steps = open(steps_path, 'w')
    t_all = time.monotonic()
    t = [time.monotonic()]

    def step(name):
        now = time.monotonic()
        steps.write('%s %.2f\n' % (name, now - t[0]))
        steps.flush()
        t[0] = now

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import rasterio
    import rasterio.features
    step('import')

    src = os.path.join(d, 'region.gpkg')
    parcels = gpd.read_file(src, layer='parcels')
    subs = gpd.read_file(src, layer='substations')
    flood = gpd.read_file(src, layer='flood')
    for g in (parcels, subs, flood):
        if not g.crs.equals(METRIC_CRS):
            g.to_crs(METRIC_CRS, inplace=True)
    step('read')

    area = parcels.geometry.area
    parcels['area_ha'] = area / 1e4
    step('area')

    subs = subs[subs['voltage_kv'] >= 138].reset_index(drop=True)
    try:
        j = gpd.sjoin_nearest(parcels[['parcel_id', 'geometry']], subs[['sub_id', 'geometry']],
                              distance_col='dist_m')
        j = j.sort_values(['parcel_id', 'sub_id']).drop_duplicates('parcel_id')
        j = j.set_index('parcel_id').reindex(parcels['parcel_id'])
        parcels['substation_id'] = j['sub_id'].values
        parcels['substation_km'] = j['dist_m'].values / 1000
        step('nearest (sjoin_nearest)')
    except NotImplementedError:
        from scipy.spatial import cKDTree
        xy = np.column_stack([subs.geometry.x.values, subs.geometry.y.values])
        k = min(4, len(subs))
        cen = parcels.geometry.centroid
        _, idx = cKDTree(xy).query(np.column_stack([cen.x.values, cen.y.values]), k=k)
        idx = idx.reshape(len(parcels), k)
        dist = np.empty(idx.shape)
        for c in range(k):
            dist[:, c] = parcels.geometry.distance(
                gpd.GeoSeries(subs.geometry.values[idx[:, c]], index=parcels.index))
        best = dist.argmin(axis=1)
        rows = np.arange(len(parcels))
        parcels['substation_id'] = subs['sub_id'].values[idx[rows, best]]
        parcels['substation_km'] = dist[rows, best] / 1000
        step('nearest (cKDTree + distance)')

    f100 = flood[flood['category'] == '100yr'][['geometry']].dissolve().explode(index_parts=False)
    pieces = gpd.overlay(parcels[['parcel_id', 'geometry']], f100.reset_index(drop=True),
                         how='intersection', keep_geom_type=True)
    inter = pieces.geometry.area.groupby(pieces['parcel_id']).sum()
    parcels['flood100_pct'] = 100 * parcels['parcel_id'].map(inter).fillna(0).values / area.values
    step('flood (overlay)')

    with rasterio.open(os.path.join(d, 'population.tif')) as r:
        band = r.read(1)
        nodata, transform, shape = r.nodata, r.transform, (r.height, r.width)
    labels = rasterio.features.rasterize(
        zip(parcels.geometry.values, np.arange(1, len(parcels) + 1)), out_shape=shape,
        transform=transform, fill=0, dtype='int32')
    valid = (labels > 0) & (band != nodata) if nodata is not None else labels > 0
    lab = labels[valid]
    sums = np.bincount(lab, weights=band[valid].astype('float64'), minlength=len(parcels) + 1)
    cnts = np.bincount(lab, minlength=len(parcels) + 1)
    with np.errstate(invalid='ignore', divide='ignore'):
        mean = (sums / cnts)[1:]
    empty = np.flatnonzero(cnts[1:] == 0)
    if len(empty):  # smaller than a pixel: the pixel under its point
        pts = parcels.geometry.iloc[empty].representative_point()
        inv = ~transform
        for i, p in zip(empty, pts):
            col, row = (int(v) for v in inv * (p.x, p.y))
            ok = 0 <= row < shape[0] and 0 <= col < shape[1] and band[row, col] != nodata
            mean[i] = band[row, col] if ok else np.nan
    parcels['population_mean'] = mean
    step('zonal (rasterio)')

    score = np.zeros(len(parcels))
    wsum = sum(c[2] for c in CRITERIA)
    for name, metric, weight, worst, best in CRITERIA:
        v = ((parcels[metric] - worst) / (best - worst)).clip(0, 1).fillna(0)
        parcels[name + '_value'] = v
        score += weight / wsum * v.values
    parcels['score'] = score
    step('score')

    parcels = parcels.sort_values(['score', 'parcel_id'], ascending=[False, True], kind='mergesort')
    parcels['rank'] = np.arange(1, len(parcels) + 1)
    step('rank')

    out = os.path.join(d, 'peer_gpd_out')
    os.makedirs(out, exist_ok=True)
    gpkg = os.path.join(out, NAME + '.gpkg')
    if os.path.exists(gpkg):
        os.remove(gpkg)
    parcels.to_file(gpkg, layer='candidates', driver='GPKG')
    step('write GeoPackage (Fiona)')

    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet('Ranking')
    cols = ['rank', 'parcel_id', 'score', 'area_ha', 'substation_id', 'substation_km',
            'flood100_pct', 'population_mean'] + [c[0] + '_value' for c in CRITERIA]
    ws.append(cols)
    tab = pd.DataFrame(parcels[cols])
    for row in tab.itertuples(index=False, name=None):
        ws.append([None if isinstance(v, float) and v != v else v for v in row])
    wb.save(os.path.join(out, NAME + '.xlsx'))
    step('write xlsx (openpyxl)')
    steps.write('total %.2f\n' % (time.monotonic() - t_all))
    steps.close()


# -------------------------------------------------------- harness, compare
def run_timed(cmd, timeout, **kw):
    """(exit status or None when stopped, wall s, cpu s, peak RSS MB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, **kw)
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if timeout and time.monotonic() - t0 > timeout:
            p.terminate()
            pid, status, ru = os.wait4(p.pid, 0)
            p.returncode = 0
            return None, time.monotonic() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024
        time.sleep(0.1)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.monotonic() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def read_layer(path, fields):
    from osgeo import ogr
    ds = ogr.Open(path)
    if ds is None:
        raise SystemExit('bench: peer GeoPandas: cannot open %s' % path)
    lyr = ds.GetLayerByName('candidates')
    idf = 'site_id' if lyr.GetLayerDefn().GetFieldIndex('site_id') >= 0 else 'parcel_id'
    out = {}
    for f in lyr:
        out[f.GetField(idf)] = tuple(f.GetField(k) for k in fields)
    return out


def compare(d):
    fields = ['area_ha', 'substation_km', 'flood100_pct', 'population_mean', 'score', 'rank']
    g = read_layer(os.path.join(d, 'peer_gpd_out', NAME + '.gpkg'), fields)
    c = read_layer(os.path.join(d, 'peer_gpd_dcsite', NAME + '.gpkg'), fields)
    common = [k for k in g if k in c]
    lines = []
    missing = len(g) - len(common) + len(c) - len(common)
    ok_all = missing == 0
    for i, name in enumerate(fields[:4]):
        kind, tol, why = TOL[name]
        diffs = []
        for k in common:
            a, b = g[k][i], c[k][i]
            if a is None or b is None or a != a:
                if (a is None or a != a) != (b is None):
                    diffs.append((float('inf'), k, a, b))
                continue
            diffs.append((abs(a - b) / abs(b) if kind == 'relative' and b else abs(a - b), k, a, b))
        diffs.sort()
        worst = diffs[-1] if diffs else (0, '-', None, None)
        p99 = diffs[int(0.99 * (len(diffs) - 1))][0] if diffs else 0
        judged = p99 if name == 'population_mean' else worst[0]
        ok = judged <= tol
        ok_all = ok_all and ok
        lines.append('%s: largest %s difference %.3g (parcel %s: GeoPandas %s, dcsite %s), '
                     '99th percentile %.3g; tolerance %g (%s): %s' % (
                         name, kind, worst[0], worst[1], fmt(worst[2]), fmt(worst[3]), p99, tol, why,
                         'within' if ok else 'OUTSIDE'))
    ds = max((abs(g[k][4] - c[k][4]), k) for k in common) if common else (0, '-')
    lines.append('score: largest absolute difference %.3g (parcel %s; follows the zonal means '
                 'and areas above, no tolerance)' % ds)
    top = lambda t: [k for k, v in sorted(t.items(), key=lambda kv: kv[1][5] or 1e18)[:10]]
    tg, tc = top(g), top(c)
    same = sum(1 for a, b in zip(tg, tc) if a == b)
    lines.append('top 10: %d of 10 at the same rank, %d of 10 in both (GeoPandas %s; dcsite %s)' % (
        same, len(set(tg) & set(tc)), ' '.join(tg[:3]) + ' ...', ' '.join(tc[:3]) + ' ...'))
    if missing:
        lines.append('%d parcels in one output only' % missing)
    return lines, ok_all


# ------------------------------------------ the workbook's libxlsxwriter floor
def ranking_cells(xlsx, path):
    """The cells of the Ranking sheet of workbook xlsx into path, one a
    line ("ROW COL n VALUE" or "ROW COL s TEXT", from 0) for
    tests/bench/xlsx_floor.c; returns (rows, columns, cells)."""
    import re
    import zipfile
    from xml.sax.saxutils import unescape
    with zipfile.ZipFile(xlsx) as z:
        book = z.read('xl/workbook.xml').decode()
        rid = re.search(r'<sheet name="Ranking" sheetId="\d+" r:id="(\w+)"', book).group(1)
        rels = z.read('xl/_rels/workbook.xml.rels').decode()
        target = re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid, rels) or \
            re.search(r'Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
        xml = z.read('xl/' + target.group(1).lstrip('/').replace('xl/', '', 1))
    cell = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>(?:<v>([^<]*)</v>|<is><t[^>]*>([^<]*)'
                      rb'</t></is>)</c>)')
    rows = cols = n = 0
    with open(path, 'w') as fh:
        for m in cell.finditer(xml):
            if m.group(3) is None and m.group(4) is None:
                continue  # an empty styled cell
            col = 0
            for ch in m.group(1):
                col = col * 26 + ch - 64
            row = int(m.group(2)) - 1
            if m.group(3) is not None:
                fh.write('%d %d n %s\n' % (row, col - 1, m.group(3).decode()))
            else:
                fh.write('%d %d s %s\n' % (row, col - 1, unescape(m.group(4).decode())))
            rows, cols, n = max(rows, row + 1), max(cols, col), n + 1
    return rows, cols, n


def xlsx_floor(d, dcsite, log):
    """What the workbook costs and what libxlsxwriter alone needs for its
    Ranking sheet: "floor_s cells rows cols no_workbook_s" in
    DIR/peer_xlsx_floor.txt, and a line on stdout.  Skipped (with a
    message) when build/bench/xlsx_floor is missing."""
    floor_bin = os.environ.get('BENCH_XLSX_FLOOR', os.path.join(os.path.dirname(d.rstrip('/')),
                                                                'xlsx_floor'))
    if not os.access(floor_bin, os.X_OK):
        print('bench: peer GeoPandas: no libxlsxwriter floor (%s missing: make bench builds it)'
              % floor_bin)
        return
    cells = os.path.join(d, 'peer_xlsx_cells.txt')
    rows, cols, n = ranking_cells(os.path.join(d, 'peer_gpd_dcsite', NAME + '.xlsx'), cells)
    out = os.path.join(d, 'peer_xlsx_floor.xlsx')
    best = None
    for _ in range(2):
        r = subprocess.run([floor_bin, cells, out], capture_output=True, text=True)
        if r.returncode != 0:
            print('bench: peer GeoPandas: the libxlsxwriter floor FAILED: %s' % r.stderr.strip())
            return
        t = float(r.stdout.split()[1])
        best = t if best is None else min(best, t)
    os.remove(cells)
    os.remove(out)
    nowb = os.path.join(d, 'peer_gpd_noxlsx')
    subprocess.run(['rm', '-rf', nowb])
    subprocess.run(['sync'])
    rc, w_wall, _, _ = run_timed([dcsite, 'run', os.path.join(d, 'peer_gpd_noxlsx.json'), '-o',
                                  nowb, '--quiet'], 0, stdout=subprocess.DEVNULL, stderr=log)
    if rc != 0:
        print('bench: peer GeoPandas: dcsite FAILED on peer_gpd_noxlsx.json (exit %s)' % rc)
        return
    with open(os.path.join(d, 'peer_xlsx_floor.txt'), 'w') as fh:
        fh.write('%.3f %d %d %d %.3f\n' % (best, n, rows, cols, w_wall))
    print('bench: peer GeoPandas: the workbook: dcsite without it %.2f s; its Ranking sheet '
          '(%d rows x %d columns, %d cells) written by libxlsxwriter alone (xlsx_floor.c: no '
          'formats, constant_memory) %.2f s' % (w_wall, rows, cols, n, best))


def fmt(v):
    return '-' if v is None else '%.6g' % v if isinstance(v, float) else str(v)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--pipeline':
        pipeline(sys.argv[2])
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == '--compare':
        lines, ok = compare(sys.argv[2])
        print('\n'.join(lines))
        return 0 if ok else 1
    if len(sys.argv) != 2:
        print(__doc__.split('\n\n')[0], file=sys.stderr)
        print('usage: peer_geopandas.py DIR', file=sys.stderr)
        return 2
    d = sys.argv[1]
    dcsite = os.environ.get('DCSITE', 'build/dcsite')
    timeout = int(os.environ.get('BENCH_PEER_TIMEOUT', '900'))
    scenario(d)
    import importlib.util
    absent = [m for m in ('geopandas', 'rasterio', 'openpyxl', 'scipy')
              if importlib.util.find_spec(m) is None]
    if absent:
        print('bench: peer GeoPandas skipped: Python module %s missing for %s '
              '(tools/install-deps.sh bench)' % (', '.join(absent), sys.executable))
        return 0
    log = open(os.path.join(d, 'peer_geopandas.log'), 'w')
    # the inputs start in the page cache for both, as in run_bench.sh
    for f in ('region.gpkg', 'population.tif'):
        with open(os.path.join(d, f), 'rb') as fh:
            while fh.read(1 << 24):
                pass
    subprocess.run(['sync'])
    rc, g_wall, g_cpu, g_rss = run_timed([sys.executable, os.path.abspath(__file__), '--pipeline', d],
                                         timeout, stdout=log, stderr=log)
    steps = []
    for line in open(os.path.join(d, 'peer_gpd_steps.txt')):
        name, s = line.rsplit(' ', 1)
        steps.append((name, float(s)))
    steps_txt = ', '.join('%s %.1f' % (n, s) for n, s in steps if n != 'total')
    if rc not in (None, 0):
        print('bench: peer GeoPandas FAILED (exit %d; %s); steps done: %s' % (
            rc, os.path.join(d, 'peer_geopandas.log'), steps_txt), file=sys.stderr)
        return 1
    out = os.path.join(d, 'peer_gpd_dcsite')
    subprocess.run(['rm', '-rf', out])
    subprocess.run(['sync'])
    drc, c_wall, c_cpu, c_rss = run_timed([dcsite, 'run', os.path.join(d, 'peer_gpd_scenario.json'),
                                           '-o', out, '--quiet'], 0, stdout=subprocess.DEVNULL,
                                          stderr=log)
    if drc != 0:
        print('bench: peer GeoPandas: dcsite FAILED on peer_gpd_scenario.json (exit %s; %s)' % (
            drc, os.path.join(d, 'peer_geopandas.log')), file=sys.stderr)
        return 1
    with open(os.path.join(d, 'peer_geopandas.txt'), 'w') as fh:
        fh.write('%.2f %.2f %.2f %.2f %d\n' % (g_wall, c_wall, g_cpu, c_cpu, rc == 0))
    if os.path.exists(os.path.join(d, 'peer_xlsx_floor.txt')):
        os.remove(os.path.join(d, 'peer_xlsx_floor.txt'))  # no stale floor in the summary
    if rc is None:
        print('bench: peer GeoPandas did NOT finish within BENCH_PEER_TIMEOUT=%d s (stopped; '
              'steps done: %s); dcsite %.1f s (cpu %.1f s): GeoPandas / dcsite > %.1fx' % (
                  timeout, steps_txt or 'none', c_wall, c_cpu, g_wall / c_wall))
        return 0
    print('bench: peer GeoPandas pipeline: %.1f s (cpu %.1f s, %.0f MB; %s); dcsite %.1f s (cpu %.1f s, '
          '%.0f MB): GeoPandas / dcsite = %.1fx' % (g_wall, g_cpu, g_rss, steps_txt, c_wall, c_cpu, c_rss,
                                                   g_wall / c_wall))
    lines, ok = compare(d)
    for line in lines:
        print('bench: peer GeoPandas: ' + line)
    xlsx_floor(d, dcsite, log)
    return 0


if __name__ == '__main__':
    sys.exit(main())
