#!/usr/bin/python3
"""make_region.py - a deterministic synthetic region for the dcsite benchmark.

    /usr/bin/python3 tests/bench/make_region.py OUTDIR N_PARCELS [--seed 1]

Writes into OUTDIR:

  region.gpkg        parcels          N quadrilateral parcels, EPSG:32614 (UTM 14N)
                     substations      points, ~1 per 4 km2 (69/138/345 kV, headroom_mw)
                     transmission     line strings between nearby substations (voltage_kv)
                     flood            irregular polygons, category '100yr' / '500yr'
                     protected        irregular polygons
                     egrid            4 polygons tiling the region (EPSG:4326)
                     counties         ~25 km county-like tiles, fips (EPSG:4269)
                     block_groups     ~1.5 km tiles with pop_2020 (EPSG:4269)
  population.tif     people per 30 m pixel      } Float32, 30 m, EPSG:32614,
  dem.tif            elevation (m)              } DEFLATE, 256x256 tiles,
  water_stress.tif   Aqueduct-like 0..5 score   } nodata -9999
  prices.csv/.csvt   county fips -> industrial electricity price (USD/kWh)
  weather/           24 TMY3 stations inside the region (the fixtures' hourly
                     rows under a rewritten station header)
  scenario.json      a scenario that uses every kind of layer

Parcels: the region is a grid of 800 m superblocks with jittered, shared
corners, shrunk by a 20 m road; each superblock gets a lot size drawn from a
truncated Pareto law (0.5..60 ha, alpha 1.2: mostly 0.5-2 ha house lots, a few
industrial or farm lots of tens of ha) and is cut recursively by slanted
lines across its longer axis into quadrilaterals near that size, never below
0.5 ha and never above 60 ha.  Parcels do not overlap (cuts are shared),
mean ~1.2 ha with roads, so 1M parcels cover ~108 x 108 km: the density of a metro area's
suburban ring.  Superblocks are filled row by row until exactly N parcels
exist; the region's extent follows.

Determinism: one random.Random(seed) stream per layer; GPKG timestamps come
from OGR_CURRENT_DATE; gzip headers carry mtime 0.  Same seed and N give
byte-identical files.  Only Debian's python3 and python3-gdal are needed
(no numpy): rasters are computed on a coarse grid in Python, written row by
row with band.WriteRaster from array('f') bytes into a MEM dataset, and
resampled to 30 m by gdal.Warp (cubic spline for the DEM, bilinear for the
others) straight into the compressed GeoTIFF.
"""
import argparse
import array
import glob
import gzip
import json
import math
import os
import random
import struct
import sys
import time

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'fixtures', 'weather', 'tmy3')

EPSG_WORK = 32614           # UTM 14N
X_CENTRE, Y_CENTRE = 600000.0, 3500000.0
SUPERBLOCK = 800.0          # m, pitch of the superblock grid
ROAD = 10.0                 # m, half the road width between superblocks
MIN_HA, MAX_HA = 0.5, 60.0  # parcel area limits
LOT_ALPHA = 1.2             # Pareto shape of the superblock lot size
MEAN_PARCEL_HA = 1.12       # measured mean (incl. roads) -> number of columns
PIXEL = 30.0                # m
RASTER_MARGIN = 3600.0      # m around the parcels (population radius is 3 km)
CONTEXT_MARGIN = 5000.0     # m around the parcels for zones and polygons
N_STATIONS = 24

# ---------------------------------------------------------------------------
# small helpers


def wkb_polygon(ring):
    """Little-endian WKB Polygon from a closed list of (x, y)."""
    n = len(ring)
    flat = [c for p in ring for c in p]
    return struct.pack('<BIII%dd' % (2 * n), 1, 3, 1, n, *flat)


def wkb_linestring(pts):
    flat = [c for p in pts for c in p]
    return struct.pack('<BII%dd' % (2 * len(pts)), 1, 2, len(pts), *flat)


def wkb_point(x, y):
    return struct.pack('<BIdd', 1, 1, x, y)


def quad_area(q):
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = q
    return 0.5 * abs((x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) +
                     (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3))


def lerp(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def dist(a, b):
    return math.hypot(a[0] - b[0], a[1] - b[1])


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def blob(rng, cx, cy, radius, nvert, roughness=0.25):
    """A star-shaped (hence simple) irregular closed ring around (cx, cy)."""
    waves = [(rng.randint(2, 6), rng.uniform(0, 2 * math.pi), rng.uniform(0, roughness))
             for _ in range(3)]
    stretch = rng.uniform(1.0, 2.2)
    rot = rng.uniform(0, math.pi)
    cr, sr = math.cos(rot), math.sin(rot)
    ring = []
    for k in range(nvert):
        a = 2 * math.pi * k / nvert
        r = radius * (1 + sum(amp * math.sin(f * a + ph) for f, ph, amp in waves))
        r *= rng.uniform(0.92, 1.08)
        r = max(r, 0.2 * radius)
        ex, ey = r * math.cos(a) * stretch, r * math.sin(a) / stretch
        ring.append((round(cx + ex * cr - ey * sr, 2), round(cy + ex * sr + ey * cr, 2)))
    ring.append(ring[0])
    return ring


class Cities:
    """Urban centres: land cost, population and substation density follow them."""

    def __init__(self, rng, bbox):
        x0, y0, x1, y1 = bbox
        area_km2 = (x1 - x0) * (y1 - y0) / 1e6
        n = max(2, int(area_km2 / 1200) + 1)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        side = min(x1 - x0, y1 - y0)
        self.c = [(cx + rng.uniform(-0.1, 0.1) * side, cy + rng.uniform(-0.1, 0.1) * side,
                   6000.0, max(4000.0, 0.12 * side))]
        for _ in range(n - 1):
            self.c.append((rng.uniform(x0, x1), rng.uniform(y0, y1),
                           rng.uniform(1200, 4000), rng.uniform(2000, 6000)))

    def intensity(self, x, y):
        """0..1: how urban (x, y) is."""
        best = 0.0
        for cx, cy, peak, sigma in self.c:
            d2 = (x - cx) ** 2 + (y - cy) ** 2
            if d2 < 16 * sigma * sigma:
                best = max(best, peak / 6000.0 * math.exp(-d2 / (2 * sigma * sigma)))
        return best

    def density(self, x, y):
        """People per km2."""
        s = 40.0
        for cx, cy, peak, sigma in self.c:
            d2 = (x - cx) ** 2 + (y - cy) ** 2
            if d2 < 25 * sigma * sigma:
                s += peak * math.exp(-d2 / (2 * sigma * sigma))
        return s


class PointIndex:
    """Grid buckets for k-nearest searches among a few thousand points."""

    def __init__(self, pts, cell=5000.0):
        self.cell = cell
        self.pts = pts
        self.b = {}
        for i, (x, y) in enumerate(pts):
            self.b.setdefault((int(x // cell), int(y // cell)), []).append(i)

    def nearest(self, p, k, ok):
        """Up to k indices i with ok(i), nearest to p first."""
        cx, cy = int(p[0] // self.cell), int(p[1] // self.cell)
        keys = self.b.keys()
        reach = max(max(abs(ix - cx), abs(iy - cy)) for ix, iy in keys) if keys else 0
        found = []
        for r in range(reach + 1):
            for ix in range(cx - r, cx + r + 1):
                for iy in range(cy - r, cy + r + 1):
                    if max(abs(ix - cx), abs(iy - cy)) != r:
                        continue
                    for i in self.b.get((ix, iy), ()):
                        if ok(i):
                            found.append((dist(p, self.pts[i]), i))
            found.sort()
            # every point within r cells (r * cell metres) of p has been seen
            if len(found) >= k and found[k - 1][0] <= r * self.cell:
                break
        return [i for _, i in found[:k]]


# ---------------------------------------------------------------------------
# parcels


def lot_size(rng):
    """Superblock lot size, ha: truncated Pareto(alpha, 0.5 ha)."""
    u = 1.0 - rng.random()
    return min(MAX_HA, MIN_HA * u ** (-1.0 / LOT_ALPHA))


def split_block(rng, quad, lot_ha, out):
    """Cut quad into parcels of about lot_ha (within MIN_HA..MAX_HA)."""
    stack = [quad]
    min_m2, max_m2, lot_m2 = MIN_HA * 1e4, MAX_HA * 1e4, lot_ha * 1e4
    while stack:
        q = stack.pop()
        a = quad_area(q)
        if a <= max_m2 and a < 1.5 * lot_m2:
            out.append(q)
            continue
        p0, p1, p2, p3 = q
        wide = dist(p0, p1) + dist(p3, p2) >= dist(p0, p3) + dist(p1, p2)
        children = None
        for f in (rng.uniform(0.35, 0.65), 0.5):
            g = min(0.8, max(0.2, f + rng.uniform(-0.06, 0.06)))
            if wide:   # cut crossing the bottom (p0-p1) and top (p3-p2) edges
                qb, qt = lerp(p0, p1, f), lerp(p3, p2, g)
                c = ((p0, qb, qt, p3), (qb, p1, p2, qt))
            else:      # cut crossing the left (p0-p3) and right (p1-p2) edges
                ql, qr = lerp(p0, p3, f), lerp(p1, p2, g)
                c = ((p0, p1, qr, ql), (ql, qr, p2, p3))
            if min(quad_area(c[0]), quad_area(c[1])) >= min_m2:
                children = c
                break
        if children is None:
            out.append(q)
        else:
            stack.append(children[1])
            stack.append(children[0])


ZONING = {  # by the superblock's lot size: (limit ha, [(zoning, weight), ...])
    'small': [('residential', 0.78), ('commercial', 0.14), ('industrial', 0.05), ('mixed_use', 0.03)],
    'medium': [('commercial', 0.38), ('residential', 0.30), ('industrial', 0.27), ('mixed_use', 0.05)],
    'large': [('industrial', 0.45), ('agricultural', 0.40), ('commercial', 0.15)],
}
COST_FACTOR = {'residential': 1.0, 'commercial': 1.3, 'industrial': 0.8,
               'mixed_use': 1.2, 'agricultural': 0.35}


def pick(rng, table):
    u, acc = rng.random(), 0.0
    for name, w in table:
        acc += w
        if u < acc:
            return name
    return table[-1][0]


def make_parcels(rng, n):
    """Exactly n parcels: [(ring, zoning, lot_ha, centroid)], and the bbox."""
    cols = max(2, int(round(math.sqrt(n * MEAN_PARCEL_HA * 1e4) / SUPERBLOCK)))
    x0 = X_CENTRE - cols * SUPERBLOCK / 2
    y0 = Y_CENTRE - cols * SUPERBLOCK / 2
    jit = 0.1 * SUPERBLOCK

    def corner_row(j):
        return [(x0 + i * SUPERBLOCK + rng.uniform(-jit, jit),
                 y0 + j * SUPERBLOCK + rng.uniform(-jit, jit)) for i in range(cols + 1)]

    parcels = []
    below = corner_row(0)
    j = 0
    shrink = 1 - 2 * ROAD / SUPERBLOCK
    while len(parcels) < n:
        above = corner_row(j + 1)
        for i in range(cols):
            q = (below[i], below[i + 1], above[i + 1], above[i])
            cx = sum(p[0] for p in q) / 4
            cy = sum(p[1] for p in q) / 4
            q = tuple((cx + (p[0] - cx) * shrink, cy + (p[1] - cy) * shrink) for p in q)
            lot = lot_size(rng)
            kind = 'small' if lot < 1 else 'medium' if lot < 5 else 'large'
            pieces = []
            split_block(rng, q, lot, pieces)
            for piece in pieces:
                ring = [(round(x, 2), round(y, 2)) for x, y in piece]
                ring.append(ring[0])
                parcels.append((ring, pick(rng, ZONING[kind])))
                if len(parcels) == n:
                    break
            if len(parcels) == n:
                break
        below = above
        j += 1
    xs = [p[0] for r, _ in parcels for p in r]
    ys = [p[1] for r, _ in parcels for p in r]
    return parcels, (min(xs), min(ys), max(xs), max(ys))


# ---------------------------------------------------------------------------
# writing vector layers


def new_layer(ds, name, epsg, gtype, fields):
    lyr = ds.CreateLayer(name, srs(epsg), gtype, options=['GEOMETRY_NAME=geom', 'FID=fid'])
    for fname, ftype in fields:
        lyr.CreateField(ogr.FieldDefn(fname, ftype))
    return lyr


def write_features(ds, lyr, rows, to=None):
    """rows: (wkb, {field: value}); to: optional CoordinateTransformation."""
    defn = lyr.GetLayerDefn()
    ds.StartTransaction()
    k = 0
    for wkb, attrs in rows:
        f = ogr.Feature(defn)
        for key, v in attrs.items():
            f.SetField(key, v)
        g = ogr.CreateGeometryFromWkb(wkb)
        if to is not None:
            g.Transform(to)
        f.SetGeometryDirectly(g)
        lyr.CreateFeature(f)
        k += 1
        if k % 200000 == 0:
            ds.CommitTransaction()
            ds.StartTransaction()
    ds.CommitTransaction()


def parcel_rows(parcels, cities, rng):
    for k, (ring, zoning) in enumerate(parcels):
        cx = (ring[0][0] + ring[2][0]) / 2
        cy = (ring[0][1] + ring[2][1]) / 2
        urban = cities.intensity(cx, cy)
        cost = (20000 + 380000 * urban) * COST_FACTOR[zoning] * rng.uniform(0.7, 1.3)
        yield wkb_polygon(ring), {'parcel_id': 'P%07d' % (k + 1), 'zoning': zoning,
                                  'land_cost_usd_acre': round(cost, 0)}


def make_substations(rng, bbox, cities):
    x0, y0, x1, y1 = bbox
    count = max(20, int(round((x1 - x0) * (y1 - y0) / 4e6)))
    subs = []
    while len(subs) < count:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if rng.random() > 0.35 + 0.65 * cities.intensity(x, y):
            continue
        kv = pick(rng, [(69, 0.5), (138, 0.35), (345, 0.15)])
        lo, hi = {69: (5, 80), 138: (20, 300), 345: (100, 900)}[kv]
        subs.append((round(x, 2), round(y, 2), kv, round(rng.uniform(lo, hi), 1)))
    return subs


def make_lines(rng, subs):
    pts = [(s[0], s[1]) for s in subs]
    idx = PointIndex(pts)
    pairs = {}
    for i, (x, y, kv, _) in enumerate(subs):
        k = 2 if kv >= 138 else 1
        for j in idx.nearest((x, y), k + 1, lambda m, kv=kv: subs[m][2] >= kv):
            if j != i:
                key = (min(i, j), max(i, j))
                pairs[key] = min(subs[i][2], subs[j][2])
    lines = []
    for (i, j), kv in sorted(pairs.items()):
        a, b = pts[i], pts[j]
        length = dist(a, b)
        nx, ny = (-(b[1] - a[1]) / length, (b[0] - a[0]) / length) if length else (0, 0)
        line = [a]
        for t in (0.25, 0.5, 0.75):
            off = rng.uniform(-0.04, 0.04) * length
            p = lerp(a, b, t)
            line.append((round(p[0] + nx * off, 2), round(p[1] + ny * off, 2)))
        line.append(b)
        lines.append((line, kv, 'L%05d' % (len(lines) + 1)))
    return lines


def random_walk_river(rng, bbox):
    x0, y0, x1, y1 = bbox
    y = rng.uniform(y0, y1)
    x = x0
    heading = rng.uniform(-0.5, 0.5)
    pts = [(x, y)]
    while x < x1:
        heading = max(-1.0, min(1.0, heading + rng.uniform(-0.35, 0.35)))
        x += 500 * math.cos(heading)
        y += 500 * math.sin(heading)
        pts.append((x, y))
    return pts


def make_flood(rng, bbox):
    x0, y0, x1, y1 = bbox
    area_km2 = (x1 - x0) * (y1 - y0) / 1e6
    rivers = [random_walk_river(rng, bbox) for _ in range(max(2, int(area_km2 / 600)))]
    count = max(20, int(round(area_km2 * 0.32)))
    out = []
    for k in range(count):
        if rng.random() < 0.7:
            river = rivers[rng.randrange(len(rivers))]
            p = river[rng.randrange(len(river))]
            cx, cy = p[0] + rng.uniform(-300, 300), p[1] + rng.uniform(-300, 300)
        else:
            cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        radius = min(2500.0, max(60.0, 250 * math.exp(rng.gauss(0, 0.6))))
        cat = '100yr' if rng.random() < 0.55 else '500yr'
        out.append((blob(rng, cx, cy, radius, 28), {'flood_id': 'F%05d' % (k + 1), 'category': cat}))
    return out


def make_protected(rng, bbox):
    x0, y0, x1, y1 = bbox
    area_km2 = (x1 - x0) * (y1 - y0) / 1e6
    count = max(5, int(round(area_km2 * 0.03)))
    kinds = ['state_park', 'wildlife_refuge', 'conservation_easement', 'city_park']
    out = []
    for k in range(count):
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        radius = min(4000.0, max(150.0, 600 * math.exp(rng.gauss(0, 0.6))))
        out.append((blob(rng, cx, cy, radius, 40, 0.3),
                    {'prot_id': 'W%04d' % (k + 1), 'designation': kinds[rng.randrange(len(kinds))]}))
    return out


def make_egrid(rng, bbox):
    """4 zones between wiggly north-south lines; edges densified every ~2 km."""
    x0, y0, x1, y1 = bbox
    nseg = max(4, int((y1 - y0) / 2000))
    ys = [y0 + (y1 - y0) * k / nseg for k in range(nseg + 1)]
    walls = [[(x0, y) for y in ys]]
    for frac in (0.27, 0.52, 0.76):
        base = x0 + frac * (x1 - x0)
        walls.append([(base + rng.uniform(-0.04, 0.04) * (x1 - x0), y) for y in ys])
    walls.append([(x1, y) for y in ys])
    names = [('ERCT', 771.1), ('SPSO', 1062.4), ('SRMW', 1358.0), ('MROW', 936.5)]
    out = []
    for k in range(4):
        ring = walls[k] + list(reversed(walls[k + 1]))
        ring = [(round(x, 2), round(y, 2)) for x, y in ring]
        ring.append(ring[0])
        # counter-clockwise: left wall goes up, right wall comes down -> reverse
        ring.reverse()
        out.append((ring, {'subrgn': names[k][0], 'co2_lb_mwh': names[k][1]}))
    return out


def jittered_tiles(rng, bbox, side, midpoints):
    """A tiling of bbox by jittered quads (shared corners; optionally shared,
    jittered edge midpoints). Returns [(ring, col, row, centre)]."""
    x0, y0, x1, y1 = bbox
    nx = max(1, int(math.ceil((x1 - x0) / side)))
    ny = max(1, int(math.ceil((y1 - y0) / side)))
    sx, sy = (x1 - x0) / nx, (y1 - y0) / ny
    jx, jy = 0.12 * sx, 0.12 * sy

    def corner(i, j):
        dx = 0 if i in (0, nx) else rng.uniform(-jx, jx)
        dy = 0 if j in (0, ny) else rng.uniform(-jy, jy)
        return (x0 + i * sx + dx, y0 + j * sy + dy)

    c = [[corner(i, j) for i in range(nx + 1)] for j in range(ny + 1)]

    def mid(a, b, border):
        m = lerp(a, b, 0.5)
        if not midpoints or border:
            return m
        return (m[0] + rng.uniform(-0.08, 0.08) * sx, m[1] + rng.uniform(-0.08, 0.08) * sy)

    hmid = [[mid(c[j][i], c[j][i + 1], j in (0, ny)) for i in range(nx)] for j in range(ny + 1)]
    vmid = [[mid(c[j][i], c[j + 1][i], i in (0, nx)) for i in range(nx + 1)] for j in range(ny)]
    tiles = []
    for j in range(ny):
        for i in range(nx):
            ring = [c[j][i], hmid[j][i], c[j][i + 1], vmid[j][i + 1],
                    c[j + 1][i + 1], hmid[j + 1][i], c[j + 1][i], vmid[j][i]]
            ring = [(round(x, 2), round(y, 2)) for x, y in ring]
            ring.append(ring[0])
            centre = (sum(p[0] for p in ring[:-1]) / 8, sum(p[1] for p in ring[:-1]) / 8)
            tiles.append((ring, i, j, centre))
    return tiles


def ring_area(ring):
    s = 0.0
    for (xa, ya), (xb, yb) in zip(ring, ring[1:]):
        s += xa * yb - xb * ya
    return abs(s) / 2


# ---------------------------------------------------------------------------
# rasters


def write_raster(path, bounds, coarse, fn, resample):
    """fn(x, y) on a coarse grid (cell `coarse` m) resampled to PIXEL m over bounds."""
    x0, y0, x1, y1 = bounds
    cx0, cy1 = x0 - 2 * coarse, y1 + 2 * coarse
    w = int(math.ceil((x1 - x0) / coarse)) + 4
    h = int(math.ceil((y1 - y0) / coarse)) + 4
    mem = gdal.GetDriverByName('MEM').Create('', w, h, 1, gdal.GDT_Float32)
    mem.SetGeoTransform((cx0, coarse, 0, cy1, 0, -coarse))
    mem.SetProjection(srs(EPSG_WORK).ExportToWkt())
    band = mem.GetRasterBand(1)
    for r in range(h):
        y = cy1 - (r + 0.5) * coarse
        row = array.array('f', (fn(cx0 + (c + 0.5) * coarse, y) for c in range(w)))
        band.WriteRaster(0, r, w, 1, row.tobytes())
    opts = gdal.WarpOptions(
        format='GTiff', outputBounds=bounds, xRes=PIXEL, yRes=PIXEL,
        resampleAlg=resample, dstNodata=-9999, outputType=gdal.GDT_Float32,
        warpMemoryLimit=256, creationOptions=[
            'TILED=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256', 'COMPRESS=DEFLATE',
            'PREDICTOR=3', 'ZLEVEL=6'])
    gdal.Warp(path, mem, options=opts)
    mem = None


def terrain(rng, bbox):
    x0, y0, x1, y1 = bbox
    waves = []
    for _ in range(7):
        lam = rng.uniform(1500, 16000)
        amp = min(50.0, rng.uniform(8, 22) * lam / 1500)  # up to ~5 deg per wave
        a = rng.uniform(0, math.pi)
        waves.append((2 * math.pi * math.cos(a) / lam, 2 * math.pi * math.sin(a) / lam,
                      rng.uniform(0, 2 * math.pi), amp))
    xc, yc = (x0 + x1) / 2, (y0 + y1) / 2

    def dem(x, y):
        z = 220 + 0.0015 * (x - xc) - 0.001 * (y - yc)
        for kx, ky, ph, amp in waves:
            z += amp * math.sin(kx * (x - xc) + ky * (y - yc) + ph)
        return z
    return dem


# ---------------------------------------------------------------------------
# weather stations


def write_stations(rng, outdir, bbox, dem):
    """N_STATIONS .tmy3.gz files on a jittered grid inside bbox."""
    wdir = os.path.join(outdir, 'weather')
    os.makedirs(wdir, exist_ok=True)
    fixtures = sorted(glob.glob(os.path.join(FIXTURES, '*.tmy3.gz')))
    if not fixtures:
        sys.exit('make_region.py: no TMY3 fixtures in %s' % FIXTURES)
    to_ll = osr.CoordinateTransformation(srs(EPSG_WORK), srs(4326))
    x0, y0, x1, y1 = bbox
    nx, ny = 6, 4
    names = []
    for k in range(N_STATIONS):
        i, j = k % nx, k // nx
        x = x0 + (i + 0.5 + rng.uniform(-0.3, 0.3)) * (x1 - x0) / nx
        y = y0 + (j + 0.5 + rng.uniform(-0.3, 0.3)) * (y1 - y0) / ny
        lon, lat, _ = to_ll.TransformPoint(x, y)
        src = fixtures[k % len(fixtures)]
        with gzip.open(src, 'rb') as f:
            data = f.read()
        nl = data.index(b'\n')
        header = '%d,"BENCH STATION %02d",TX,-6.0,%.4f,%.4f,%d' % (
            990001 + k, k + 1, lat, lon, int(round(dem(x, y))))
        name = 'BENCH-%02d_%s' % (k + 1, os.path.basename(src))
        path = os.path.join(wdir, name)
        with open(path, 'wb') as raw:
            with gzip.GzipFile(filename=name[:-3], mode='wb', fileobj=raw, mtime=0,
                               compresslevel=6) as gz:
                gz.write(header.encode('ascii') + data[nl:])
        names.append('weather/' + name)
    return names


# ---------------------------------------------------------------------------
# scenario


def scenario(n, stations):
    gpkg = 'region.gpkg'
    return {
        'name': 'bench_%d' % n,
        'description': 'dcsite benchmark: %d synthetic parcels (tests/bench/make_region.py); '
                       'every kind of layer.' % n,
        'facility': {'it_load_mw': 60, 'design_pue': 1.3, 'land_ha': 5},
        'working_crs': 'auto',
        'sites': {'dataset': gpkg, 'layer': 'parcels', 'id_field': 'parcel_id',
                  'attributes': {'zoning': 'zoning', 'land_cost_usd_acre': 'land_cost_usd_acre'}},
        'substations': {'dataset': gpkg, 'layer': 'substations', 'id_field': 'sub_id',
                        'voltage_field': 'voltage_kv', 'headroom_field': 'headroom_mw',
                        'min_voltage_kv': 138},
        'overlays': [
            {'name': 'flood100', 'dataset': gpkg, 'layer': 'flood', 'where': "category = '100yr'",
             'coverage': {'dataset': gpkg, 'layer': 'counties', 'where': 'flood_mapped = 1'},
             'outside': 'exclude'},
            {'name': 'flood500', 'dataset': gpkg, 'layer': 'flood', 'where': "category = '500yr'",
             'coverage': {'dataset': gpkg, 'layer': 'counties', 'where': 'flood_mapped = 1'},
             'outside': 'neutral'},
            {'name': 'protected', 'dataset': gpkg, 'layer': 'protected'},
        ],
        'distances': [
            {'name': 'transmission_345kv', 'dataset': gpkg, 'layer': 'transmission',
             'where': 'voltage_kv >= 345', 'coverage': 'extent', 'outside': 'neutral'},
            {'name': 'any_substation', 'dataset': gpkg, 'layer': 'substations'},
            {'name': 'protected_area', 'dataset': gpkg, 'layer': 'protected'},
        ],
        'zones': [
            {'name': 'egrid', 'dataset': gpkg, 'layer': 'egrid',
             'attributes': {'grid_subregion': 'subrgn', 'grid_co2_lb_mwh': 'co2_lb_mwh'}},
            {'name': 'county', 'dataset': gpkg, 'layer': 'counties',
             'attributes': {'county_fips': 'fips', 'county': 'name'}},
        ],
        'area_weighted': [
            {'name': 'population_2km', 'dataset': gpkg, 'layer': 'block_groups',
             'field': 'pop_2020', 'radius_km': 2},
        ],
        'rasters': [
            {'name': 'population', 'dataset': 'population.tif', 'radius_km': 3},
            {'name': 'slope_deg', 'dataset': 'dem.tif', 'slope': True, 'stats': ['mean', 'max'],
             'outside': 'neutral'},
            {'name': 'water_stress', 'dataset': 'water_stress.tif', 'stats': ['mean']},
        ],
        'joins': [
            {'name': 'price', 'dataset': 'prices.csv', 'key_field': 'fips', 'on': 'county_fips',
             'attributes': {'industrial_price_usd_kwh': 'industrial_price'}},
        ],
        'energy': {
            'cooling': 'water_economizer',
            'parameters': {'chw_supply_c': 18},
            'stations': stations,
            'co2_metric': 'grid_co2_lb_mwh',
            'price_metric': 'industrial_price_usd_kwh',
            'water_stress_metric': 'water_stress_mean',
            'accelerator_kw': 1.0,
        },
        'constraints': [
            {'name': 'out_of_floodway', 'metric': 'flood100_pct', 'max': 10},
            {'name': 'not_protected', 'metric': 'protected_pct', 'max': 0},
            {'name': 'zoned_for_industry', 'metric': 'zoning', 'in': ['industrial', 'commercial']},
            {'name': 'grid_reachable', 'metric': 'substation_km', 'max': 15},
            {'name': 'buildable_slope', 'metric': 'slope_deg_max', 'max': 8},
            {'name': 'grid_can_serve_peak', 'metric': 'headroom_margin_mw', 'min': 0},
            {'name': 'not_in_town', 'metric': 'population_radius_sum', 'max': 150000},
        ],
        'criteria': [
            {'name': 'interconnection', 'metric': 'interconnect_cost_musd', 'weight': 0.16,
             'value': {'type': 'linear', 'worst': 40, 'best': 0}},
            {'name': 'grid_headroom', 'metric': 'substation_headroom_mw', 'weight': 0.08,
             'value': {'type': 'piecewise', 'points': [[80, 0], [200, 0.7], [600, 1]]}},
            {'name': 'backbone', 'metric': 'transmission_345kv_km', 'weight': 0.06,
             'value': {'type': 'linear', 'worst': 30, 'best': 0}},
            {'name': 'energy_cost', 'metric': 'cost_usd_per_mwh_it', 'weight': 0.12,
             'value': {'type': 'linear', 'worst': 150, 'best': 50}},
            {'name': 'carbon', 'metric': 'co2_t_yr', 'weight': 0.05,
             'value': {'type': 'linear', 'worst': 400000, 'best': 100000}},
            {'name': 'water', 'metric': 'wue_x_water_stress', 'weight': 0.10,
             'value': {'type': 'linear', 'worst': 10, 'best': 0}},
            {'name': 'neighbours', 'metric': 'population_2km', 'weight': 0.10,
             'value': {'type': 'piecewise', 'points': [[0, 1], [5000, 0.8], [20000, 0.3], [50000, 0]]}},
            {'name': 'density', 'metric': 'population_radius_sum', 'weight': 0.05,
             'value': {'type': 'step', 'points': [[0, 1], [10000, 0.7], [40000, 0.3], [100000, 0]]}},
            {'name': 'flood_risk', 'metric': 'flood500_pct', 'weight': 0.07,
             'value': {'type': 'linear', 'worst': 100, 'best': 0}},
            {'name': 'land_cost', 'metric': 'land_cost_usd_acre', 'weight': 0.10,
             'value': {'type': 'linear', 'worst': 400000, 'best': 20000}},
            {'name': 'zoning_fit', 'metric': 'zoning', 'weight': 0.05,
             'value': {'type': 'categorical', 'categories': {'industrial': 1, 'commercial': 0.6},
                       'other': 0}},
            {'name': 'terrain', 'metric': 'slope_deg_mean', 'weight': 0.06,
             'value': {'type': 'linear', 'worst': 10, 'best': 0}},
        ],
        'aggregation': 'weighted_sum',
        # No workbook: Excel stops at 1,048,576 rows, and the benchmark must do
        # the same work per parcel at every size for the scaling ratio to mean
        # anything (so it is off at 100k too).
        'outputs': {'xlsx': False, 'gpkg': True, 'json': True, 'top_n': 10},
    }


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('outdir')
    ap.add_argument('n_parcels', type=int)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    if args.n_parcels < 1 or args.n_parcels > 9999999:
        sys.exit('make_region.py: N_PARCELS must be 1..9999999')
    gdal.SetConfigOption('OGR_CURRENT_DATE', '2024-01-01T00:00:00.000Z')
    gdal.SetConfigOption('OGR_SQLITE_SYNCHRONOUS', 'OFF')
    gdal.SetConfigOption('GDAL_NUM_THREADS', '1')
    out = args.outdir
    os.makedirs(out, exist_ok=True)
    t_start = time.monotonic()
    times = []

    def lap(what):
        times.append((what, time.monotonic()))
        print('make_region: %-14s %6.1f s' % (what, times[-1][1] - t_start), file=sys.stderr)

    def stream(k):  # one independent random stream per layer
        return random.Random(args.seed * 1000003 + k)

    parcels, pbox = make_parcels(stream(1), args.n_parcels)
    lap('parcels')
    m = CONTEXT_MARGIN
    cbox = (pbox[0] - m, pbox[1] - m, pbox[2] + m, pbox[3] + m)
    cities = Cities(stream(2), pbox)

    gpkg = os.path.join(out, 'region.gpkg')
    for p in (gpkg, gpkg + '-journal', gpkg + '-wal', gpkg + '-shm'):
        if os.path.exists(p):
            os.remove(p)
    ds = ogr.GetDriverByName('GPKG').CreateDataSource(gpkg)

    lyr = new_layer(ds, 'parcels', EPSG_WORK, ogr.wkbPolygon,
                    [('parcel_id', ogr.OFTString), ('zoning', ogr.OFTString),
                     ('land_cost_usd_acre', ogr.OFTReal)])
    write_features(ds, lyr, parcel_rows(parcels, cities, stream(3)))
    del parcels
    lap('parcels.gpkg')

    subs = make_substations(stream(4), pbox, cities)
    lyr = new_layer(ds, 'substations', EPSG_WORK, ogr.wkbPoint,
                    [('sub_id', ogr.OFTString), ('voltage_kv', ogr.OFTReal),
                     ('headroom_mw', ogr.OFTReal)])
    write_features(ds, lyr, ((wkb_point(x, y), {'sub_id': 'S%05d' % (k + 1), 'voltage_kv': kv,
                                                'headroom_mw': head})
                             for k, (x, y, kv, head) in enumerate(subs)))
    lines = make_lines(stream(5), subs)
    lyr = new_layer(ds, 'transmission', EPSG_WORK, ogr.wkbLineString,
                    [('line_id', ogr.OFTString), ('voltage_kv', ogr.OFTReal)])
    write_features(ds, lyr, ((wkb_linestring(pts), {'line_id': lid, 'voltage_kv': kv})
                             for pts, kv, lid in lines))
    lap('grid')

    flood = make_flood(stream(6), cbox)
    lyr = new_layer(ds, 'flood', EPSG_WORK, ogr.wkbPolygon,
                    [('flood_id', ogr.OFTString), ('category', ogr.OFTString)])
    write_features(ds, lyr, ((wkb_polygon(r), a) for r, a in flood))
    prot = make_protected(stream(7), cbox)
    lyr = new_layer(ds, 'protected', EPSG_WORK, ogr.wkbPolygon,
                    [('prot_id', ogr.OFTString), ('designation', ogr.OFTString)])
    write_features(ds, lyr, ((wkb_polygon(r), a) for r, a in prot))
    lap('flood+protected')

    to_4326 = osr.CoordinateTransformation(srs(EPSG_WORK), srs(4326))
    to_4269 = osr.CoordinateTransformation(srs(EPSG_WORK), srs(4269))
    lyr = new_layer(ds, 'egrid', 4326, ogr.wkbPolygon,
                    [('subrgn', ogr.OFTString), ('co2_lb_mwh', ogr.OFTReal)])
    write_features(ds, lyr, ((wkb_polygon(r), a) for r, a in make_egrid(stream(8), cbox)),
                   to_4326)

    rng = stream(9)
    counties = []
    for ring, i, j, _ in jittered_tiles(rng, cbox, 25000.0, False):
        fips = '48%03d' % (1 + 2 * len(counties))
        counties.append((ring, {'fips': fips, 'name': 'County %s' % fips[2:],
                                'flood_mapped': 0 if rng.random() < 0.15 else 1}))
    lyr = new_layer(ds, 'counties', 4269, ogr.wkbPolygon,
                    [('fips', ogr.OFTString), ('name', ogr.OFTString),
                     ('flood_mapped', ogr.OFTInteger)])
    write_features(ds, lyr, ((wkb_polygon(r), a) for r, a in counties), to_4269)

    rng = stream(10)
    bgs = []
    for ring, i, j, (cx, cy) in jittered_tiles(rng, cbox, 1500.0, True):
        pop = cities.density(cx, cy) * ring_area(ring) / 1e6 * rng.uniform(0.8, 1.2)
        bgs.append((ring, {'geoid': 'BG%03d%03d' % (i, j), 'pop_2020': int(round(pop))}))
    lyr = new_layer(ds, 'block_groups', 4269, ogr.wkbPolygon,
                    [('geoid', ogr.OFTString), ('pop_2020', ogr.OFTInteger)])
    write_features(ds, lyr, ((wkb_polygon(r), a) for r, a in bgs), to_4269)
    ds = None
    lap('zones')

    with open(os.path.join(out, 'prices.csv'), 'w', newline='\n') as f:
        f.write('fips,industrial_price\n')
        rng = stream(11)
        for _, a in counties:
            f.write('%s,%.4f\n' % (a['fips'], rng.uniform(0.055, 0.11)))
    with open(os.path.join(out, 'prices.csvt'), 'w', newline='\n') as f:
        f.write('"String","Real"\n')

    m = RASTER_MARGIN
    rb = [pbox[0] - m, pbox[1] - m, pbox[2] + m, pbox[3] + m]
    rb = [math.floor(rb[0] / PIXEL) * PIXEL, math.floor(rb[1] / PIXEL) * PIXEL,
          math.ceil(rb[2] / PIXEL) * PIXEL, math.ceil(rb[3] / PIXEL) * PIXEL]
    rng = stream(12)
    noise = {}

    def pop_fn(x, y):  # people per 30 m pixel, with coarse-cell noise
        key = (int(x // 240), int(y // 240))
        if key not in noise:
            noise[key] = rng.uniform(0.5, 1.5)
        return cities.density(x, y) * noise[key] * PIXEL * PIXEL / 1e6
    write_raster(os.path.join(out, 'population.tif'), rb, 240.0, pop_fn, 'bilinear')
    dem = terrain(stream(13), rb)
    write_raster(os.path.join(out, 'dem.tif'), rb, 240.0, dem, 'cubicspline')
    rng = stream(14)
    wx = [(rng.uniform(0, 2 * math.pi), rng.uniform(20000, 60000), rng.uniform(0, 2 * math.pi))
          for _ in range(3)]

    def stress_fn(x, y):
        s = 2.6
        for a, lam, ph in wx:
            s += 0.8 * math.sin(2 * math.pi * (x * math.cos(a) + y * math.sin(a)) / lam + ph)
        return max(0.0, min(5.0, s))
    write_raster(os.path.join(out, 'water_stress.tif'), rb, 1920.0, stress_fn, 'bilinear')
    lap('rasters')

    stations = write_stations(stream(15), out, pbox, dem)
    with open(os.path.join(out, 'scenario.json'), 'w', newline='\n') as f:
        json.dump(scenario(args.n_parcels, stations), f, indent=1, sort_keys=False)
        f.write('\n')
    lap('done')
    w_km, h_km = (pbox[2] - pbox[0]) / 1000, (pbox[3] - pbox[1]) / 1000
    print('make_region: %d parcels over %.1f x %.1f km (%.2f ha per parcel incl. roads); '
          '%d substations, %d lines, %d flood, %d protected, %d counties, %d block groups, '
          'rasters %d x %d px, %d stations; %.1f s'
          % (args.n_parcels, w_km, h_km, w_km * h_km * 100 / args.n_parcels, len(subs),
             len(lines), len(flood), len(prot), len(counties), len(bgs),
             round((rb[2] - rb[0]) / PIXEL), round((rb[3] - rb[1]) / PIXEL), len(stations),
             time.monotonic() - t_start), file=sys.stderr)


if __name__ == '__main__':
    main()
