#!/usr/bin/python3
"""Build data/dallas/dallas.gpkg, the sample region for dcsite's demo.

Called by tools/build_sample_region.sh; run it through that script.

    /usr/bin/python3 tools/build_sample_region.py SHARED_DATA_DIR OUT.gpkg

Reads the public source data in SHARED_DATA_DIR (see its README.md) and writes
one GeoPackage with the layers described in data/README.md, and beside it
dem_dallas.tif, a SYNTHETIC elevation model (build_dem()).  Several layers and
fields are SYNTHETIC; each generator below owns a fixed seed so that a rebuild
gives identical layers.  Python's random.Random is used (not numpy) because its
output for a given seed is stable across Python 3 releases.

A summary of what was built (counts, repairs, source-data oddities) is written
as JSON next to the GeoPackage (build_summary.json) and used for the README.
"""

import csv
import json
import math
import os
import random
import sys

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
# IsValid() on the known-bad source polygons prints GEOS warnings; they are
# counted and reported in build_summary.json instead.
gdal.PushErrorHandler("CPLQuietErrorHandler")

# --------------------------------------------------------------------------
# Fixed parameters
# --------------------------------------------------------------------------
DOWNTOWN = (-96.80, 32.78)          # lon, lat of downtown Dallas
HEX_AREA_M2 = 500_000.0             # 0.5 km^2
SEED_SITES_ZONING = 20240101
ZONING_PATCHES = 150                # Voronoi patch centres for the zoning pattern
SEED_SITES_COST = 20240102
SEED_SUBSTATIONS = 20240201
SEED_HEADROOM = 20240202
SEED_WATER_STRESS = 20240301
SEED_HOURLY_GRID = 20240401         # SYNTHETIC hourly grid signals (build_hourly_grid())
HOURLY_REGION = "ERCT"              # the eGRID subregion of the demo's sites
EGRID_ERCT_CO2_LB_MWH = 733.862     # the egrid layer's ERCT rate: the hourly mean is scaled to it
SYNTH_POP_SUBSTATIONS = 140         # synthetic, population-weighted over city + 10 km
SYNTH_CITY_SUBSTATIONS = 40         # synthetic, uniform over the city (industrial areas too)
SYNTH_MIN_SPACING_M = 800.0         # minimum distance between substations
ENDPOINT_DEDUPE_M = 200.0
FLOOD_SIMPLIFY_DEG = 0.000018       # ~2.0 m N-S, ~1.7 m E-W at 32.8 N (the cap)
WATER_SIMPLIFY_DEG = 0.000018       # same for OSM water bodies
BG_SIMPLIFY_DEG = 0.0003            # ~33 m N-S, ~28 m E-W: block groups are >= ~500 m across
CITY_SIMPLIFY_DEG = 0.000045        # ~5.0 m N-S, ~4.2 m E-W
EGRID_BOX_MARGIN_DEG = 2.0
DFW_COUNTIES = ("Collin", "Dallas", "Denton", "Ellis", "Kaufman", "Rockwall", "Tarrant")

WGS84 = osr.SpatialReference()
WGS84.ImportFromEPSG(4326)
WGS84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
UTM14 = osr.SpatialReference()
UTM14.ImportFromEPSG(32614)
UTM14.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
TO_UTM = osr.CoordinateTransformation(WGS84, UTM14)
TO_WGS = osr.CoordinateTransformation(UTM14, WGS84)

SUMMARY = {"notes": []}


def note(msg):
    SUMMARY["notes"].append(msg)
    print("  note: " + msg)


# --------------------------------------------------------------------------
# Small geometry helpers
# --------------------------------------------------------------------------
def to_utm(g):
    g = g.Clone()
    g.Transform(TO_UTM)
    return g


def to_wgs(g):
    g = g.Clone()
    g.Transform(TO_WGS)
    return g


def point(x, y):
    p = ogr.Geometry(ogr.wkbPoint)
    p.AddPoint_2D(x, y)
    return p


def polygon(coords):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in coords:
        ring.AddPoint_2D(x, y)
    ring.CloseRings()
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    return poly


def polygonal_multi(g):
    """Return the polygonal part of g as a MultiPolygon (None if empty)."""
    if g is None or g.IsEmpty():
        return None
    out = ogr.Geometry(ogr.wkbMultiPolygon)
    stack = [g]
    while stack:
        h = stack.pop()
        t = ogr.GT_Flatten(h.GetGeometryType())
        if t == ogr.wkbPolygon:
            if not h.IsEmpty():
                out.AddGeometry(h)
        elif t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
            # keep part order: push in reverse
            for i in reversed(range(h.GetGeometryCount())):
                stack.append(h.GetGeometryRef(i))
    if out.GetGeometryCount() == 0:
        return None
    return out


def make_valid_poly(g):
    """(geometry, repaired?) with g made valid and polygonal."""
    if g.IsValid():
        return g, False
    fixed = g.MakeValid()
    return fixed, True


def valid_in_utm(g):
    """(geometry, repaired?): g, valid in WGS 84, made valid in UTM 14N too.

    A polygon valid in lon/lat can fail GEOS validity after reprojection
    when two of its edges nearly touch (rounding moves a vertex across the
    other edge); dcsite would then repair it in its working CRS (UTM 14N for
    the demo) and warn.  Such a polygon is repaired here in UTM 14N and
    projected back; the result must be valid in both CRSs."""
    if to_utm(g).IsValid():
        return g, False
    fixed = polygonal_multi(to_wgs(to_utm(g).MakeValid()))
    if fixed is None or not fixed.IsValid() or not to_utm(fixed).IsValid():
        raise SystemExit("a polygon stays invalid in UTM 14N after repair")
    return fixed, True


def densify_ring_box(x0, y0, x1, y1, step):
    """Closed rectangle ring with vertices every `step` units."""
    pts = []
    nx = max(1, int(math.ceil((x1 - x0) / step)))
    ny = max(1, int(math.ceil((y1 - y0) / step)))
    for i in range(nx):
        pts.append((x0 + (x1 - x0) * i / nx, y0))
    for i in range(ny):
        pts.append((x1, y0 + (y1 - y0) * i / ny))
    for i in range(nx):
        pts.append((x1 - (x1 - x0) * i / nx, y1))
    for i in range(ny):
        pts.append((x0, y1 - (y1 - y0) * i / ny))
    return pts


# --------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------
FIELD_TYPES = {"str": ogr.OFTString, "real": ogr.OFTReal, "int": ogr.OFTInteger,
               "int64": ogr.OFTInteger64}


def create_layer(ds, name, srs, gtype, fields, description):
    lyr = ds.CreateLayer(name, srs, gtype,
                         options=["SPATIAL_INDEX=NO", "FID=fid", "GEOMETRY_NAME=geom",
                                  "DESCRIPTION=" + description])
    for fname, ftype in fields:
        fd = ogr.FieldDefn(fname, FIELD_TYPES[ftype])
        lyr.CreateField(fd)
    return lyr


def write_features(lyr, rows):
    """rows: iterable of (geometry, {field: value})."""
    defn = lyr.GetLayerDefn()
    lyr.StartTransaction()
    n = 0
    for geom, attrs in rows:
        f = ogr.Feature(defn)
        for k, v in attrs.items():
            if v is None:
                f.SetFieldNull(k)
            else:
                f.SetField(k, v)
        f.SetGeometry(geom)
        lyr.CreateFeature(f)
        n += 1
    lyr.CommitTransaction()
    return n


def open_layer(path):
    ds = ogr.Open(path)
    if ds is None:
        raise SystemExit("cannot open " + path)
    return ds, ds.GetLayer(0)


# --------------------------------------------------------------------------
# Reference geometries
# --------------------------------------------------------------------------
class Region:
    pass


def load_region(src):
    r = Region()
    ds, lyr = open_layer(os.path.join(src, "dfw/city_boundary.geojson"))
    feats = list(lyr)
    if len(feats) != 1:
        raise SystemExit("expected one city boundary feature, got %d" % len(feats))
    r.city = feats[0].GetGeometryRef().Clone()                # full resolution, WGS84
    r.city_utm = to_utm(r.city)
    r.city_simpl = r.city.SimplifyPreserveTopology(CITY_SIMPLIFY_DEG)
    if not r.city_simpl.IsValid():
        r.city_simpl = r.city_simpl.MakeValid()
    r.city_simpl_utm = to_utm(r.city_simpl)
    # buffers are computed in metres on a 50 m simplification (plenty for masks)
    base = r.city_utm.SimplifyPreserveTopology(50.0)
    r.buf10_utm = base.Buffer(10_000.0, 16)
    r.buf25_utm = base.Buffer(25_000.0, 16)
    r.buf10 = to_wgs(r.buf10_utm)
    r.buf25 = to_wgs(r.buf25_utm)

    ds, lyr = open_layer(os.path.join(src, "dfw/counties.geojson"))
    r.counties = {}
    for f in lyr:
        r.counties[f.GetField("name")] = f.GetGeometryRef().Clone()
    missing = [c for c in DFW_COUNTIES if c not in r.counties]
    if missing:
        raise SystemExit("counties missing: %s" % missing)
    env = None
    for g in r.counties.values():
        e = g.GetEnvelope()
        env = e if env is None else (min(env[0], e[0]), max(env[1], e[1]),
                                     min(env[2], e[2]), max(env[3], e[3]))
    r.dfw_env = env                                          # minx, maxx, miny, maxy
    r.dfw_box = polygon([(env[0], env[2]), (env[1], env[2]), (env[1], env[3]),
                         (env[0], env[3])])
    SUMMARY["city_area_km2"] = round(r.city_utm.GetArea() / 1e6, 1)
    SUMMARY["city_holes"] = r.city.GetGeometryCount() - 1
    SUMMARY["buf10_area_km2"] = round(r.buf10_utm.GetArea() / 1e6, 1)
    SUMMARY["buf25_area_km2"] = round(r.buf25_utm.GetArea() / 1e6, 1)
    SUMMARY["dfw_extent"] = [round(v, 6) for v in env]
    return r


def load_block_groups(src):
    ds, lyr = open_layer(os.path.join(src, "dfw/block_groups.geojson"))
    out = []
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            continue
        out.append({
            "geoid": f.GetField("geoid"),
            "pop_2020": f.GetField("pop_2020") if f.IsFieldSetAndNotNull("pop_2020") else None,
            "hu_2020": f.GetField("hu_2020") if f.IsFieldSetAndNotNull("hu_2020") else None,
            "land_sq_mi": f.GetField("land_sq_mi") if f.IsFieldSetAndNotNull("land_sq_mi") else None,
            "density": f.GetField("density_2020") if f.IsFieldSetAndNotNull("density_2020") else None,
            "geom": g.Clone(),
        })
    out.sort(key=lambda b: b["geoid"])
    return out


class PointIndex:
    """Bucket grid over polygons for point-in-polygon look-ups."""

    def __init__(self, items, cell):
        self.cell = cell
        self.items = items
        self.buckets = {}
        for i, it in enumerate(items):
            minx, maxx, miny, maxy = it["geom_idx"].GetEnvelope()
            for cx in range(int(math.floor(minx / cell)), int(math.floor(maxx / cell)) + 1):
                for cy in range(int(math.floor(miny / cell)), int(math.floor(maxy / cell)) + 1):
                    self.buckets.setdefault((cx, cy), []).append(i)

    def find(self, x, y):
        p = point(x, y)
        for i in self.buckets.get((int(math.floor(x / self.cell)), int(math.floor(y / self.cell))), []):
            if self.items[i]["geom_idx"].Contains(p):
                return self.items[i]
        return None


# --------------------------------------------------------------------------
# 1. sites (hex grid, EPSG:32614)
# --------------------------------------------------------------------------
ZONES = ("industrial", "commercial", "residential", "agricultural", "mixed")
ZONE_COST_FACTOR = {"industrial": 0.70, "commercial": 1.30, "residential": 1.00,
                    "agricultural": 0.35, "mixed": 1.15}


def zone_weights(dist_km, lat):
    """Probabilities of each zoning class for a patch at a given place."""
    if dist_km < 2.5:
        return {"commercial": 0.55, "mixed": 0.45}
    if dist_km < 8.0:
        return {"commercial": 0.25, "mixed": 0.12, "residential": 0.43, "industrial": 0.20}
    if lat < 32.71 and dist_km > 11.0:      # southern Dallas: large undeveloped tracts
        return {"residential": 0.40, "agricultural": 0.30, "industrial": 0.25, "commercial": 0.05}
    return {"residential": 0.60, "commercial": 0.15, "industrial": 0.17, "mixed": 0.05,
            "agricultural": 0.03}


def weighted_choice(rng, weights):
    keys = [k for k in ZONES if k in weights]
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def build_sites(out, region, bgs):
    s = math.sqrt(2.0 * HEX_AREA_M2 / (3.0 * math.sqrt(3.0)))   # hexagon side (m)
    h = math.sqrt(3.0) * s                                          # flat-to-flat height
    minx, maxx, miny, maxy = region.city_utm.GetEnvelope()
    x0 = math.floor(minx / 1000.0) * 1000.0 - 2 * s
    y0 = math.floor(miny / 1000.0) * 1000.0 - h
    ncols = int(math.ceil((maxx - x0) / (1.5 * s))) + 2
    nrows = int(math.ceil((maxy - y0) / h)) + 2
    dt_x, dt_y = to_utm(point(*DOWNTOWN)).GetPoint_2D()

    # block groups in UTM for density look-up
    bg_items = []
    for b in bgs:
        if b["geom"].Intersects(region.buf10):
            bi = dict(b)
            bi["geom_idx"] = to_utm(b["geom"])
            bg_items.append(bi)
    bg_index = PointIndex(bg_items, 2000.0)

    cells = []
    for r in range(nrows):
        for c in range(ncols):
            cx = x0 + c * 1.5 * s
            cy = y0 + r * h + (h / 2.0 if c % 2 else 0.0)
            if region.city_utm.Contains(point(cx, cy)):
                cells.append((r, c, cx, cy))
    cells.sort(key=lambda t: (t[0], t[1]))          # row-major from the south-west
    SUMMARY["hex_side_m"] = round(s, 3)
    SUMMARY["hex_grid_origin_utm"] = [round(x0, 3), round(y0, 3)]

    # zoning: Voronoi patches around seeded patch centres, plus real density
    zrng = random.Random(SEED_SITES_ZONING)
    cminx, cmaxx, cminy, cmaxy = region.city_utm.GetEnvelope()
    patches = []
    while len(patches) < ZONING_PATCHES:
        px = zrng.uniform(cminx, cmaxx)
        py = zrng.uniform(cminy, cmaxy)
        if not region.buf10_utm.Contains(point(px, py)):
            continue
        d = math.hypot(px - dt_x, py - dt_y) / 1000.0
        lat = to_wgs(point(px, py)).GetY()
        patches.append((px, py, weighted_choice(zrng, zone_weights(d, lat))))

    crng = random.Random(SEED_SITES_COST)
    rows = []
    zone_counts = {}
    for i, (r, c, cx, cy) in enumerate(cells, start=1):
        d_km = math.hypot(cx - dt_x, cy - dt_y) / 1000.0
        zone = min(patches, key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)[2]
        if d_km < 1.5:
            zone = "commercial" if zrng.random() < 0.6 else "mixed"
        else:
            bg = bg_index.find(cx, cy)
            dens = bg["density"] if bg is not None else None
            u = zrng.random()
            if dens is not None and dens < 500 and zone in ("residential", "mixed") and u < 0.7:
                # very thinly populated cells are rarely residential
                zone = "industrial" if d_km < 12.0 else "agricultural"
            elif dens is not None and dens > 6000 and zone == "agricultural":
                zone = "residential"
        zone_counts[zone] = zone_counts.get(zone, 0) + 1
        base = 22_000.0 + 330_000.0 * math.exp(-d_km / 5.0) + 60_000.0 * math.exp(-d_km / 15.0)
        cost = base * ZONE_COST_FACTOR[zone] * math.exp(crng.gauss(0.0, 0.22))
        cost = min(400_000.0, max(20_000.0, cost))
        cost = round(cost / 100.0) * 100.0
        verts = [(round(cx + s * math.cos(math.radians(a)), 3),
                  round(cy + s * math.sin(math.radians(a)), 3)) for a in range(0, 360, 60)]
        rows.append((polygon(verts), {
            "site_id": "DAL-%04d" % i,
            "name": "Hex cell r%d c%d" % (r, c),
            "land_cost_usd_acre": cost,
            "zoning": zone,
        }))
    lyr = create_layer(out, "sites", UTM14, ogr.wkbPolygon,
                       [("site_id", "str"), ("name", "str"), ("land_cost_usd_acre", "real"),
                        ("zoning", "str")],
                       "Candidate sites: 0.5 km2 flat-topped hex cells over the City of "
                       "Dallas (SYNTHETIC land_cost_usd_acre and zoning)")
    n = write_features(lyr, rows)
    costs = [a["land_cost_usd_acre"] for _, a in rows]
    SUMMARY["sites"] = {"count": n, "zoning": dict(sorted(zone_counts.items())),
                        "cost_min": min(costs), "cost_max": max(costs),
                        "cost_median": sorted(costs)[len(costs) // 2],
                        "rows": max(t[0] for t in cells) - min(t[0] for t in cells) + 1,
                        "cols": max(t[1] for t in cells) - min(t[1] for t in cells) + 1}
    return n


# --------------------------------------------------------------------------
# 2/3. transmission + substations
# --------------------------------------------------------------------------
def valid_voltage(v):
    return v is not None and v > 0 and v != -999999


def dfw_transmission(src, region):
    ds, lyr = open_layer(os.path.join(src, "grid/hifld_transmission_partial.geojson"))
    out = []
    nulls = 0
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            nulls += 1
            continue
        if not g.Intersects(region.dfw_box):
            continue
        v = f.GetField("VOLTAGE") if f.IsFieldSetAndNotNull("VOLTAGE") else None
        out.append({
            "geom": g.Clone(),
            "line_id": f.GetField("ID"),
            "voltage_kv": v if valid_voltage(v) else None,
            "owner": f.GetField("OWNER"),
            "sub_1": f.GetField("SUB_1"),
            "sub_2": f.GetField("SUB_2"),
        })
    out.sort(key=lambda t: t["line_id"])
    SUMMARY["hifld_lines_total"] = lyr.GetFeatureCount()
    SUMMARY["hifld_lines_null_geom"] = nulls
    return out


def build_transmission(out, lines):
    lyr = create_layer(out, "transmission", WGS84, ogr.wkbLineString,
                       [("line_id", "str"), ("voltage_kv", "real"), ("owner", "str"),
                        ("sub_1", "str"), ("sub_2", "str")],
                       "HIFLD transmission lines intersecting the 7-county DFW extent")
    rows = []
    for t in lines:
        g = t["geom"]
        if ogr.GT_Flatten(g.GetGeometryType()) != ogr.wkbLineString:
            g = ogr.ForceToLineString(g)
        rows.append((g, {k: t[k] for k in ("line_id", "voltage_kv", "owner", "sub_1", "sub_2")}))
    n = write_features(lyr, rows)
    SUMMARY["transmission"] = {"count": n}
    if n == 0:
        note("HIFLD transmission extract has no line intersecting the DFW counties extent "
             "(it has none in Texas at all): 'transmission' is empty and no substation "
             "comes from line endpoints")
    return n


def line_endpoints(lines):
    """Substation points at both ends of each line, deduplicated within 200 m."""
    cands = []
    for t in lines:
        g = t["geom"]
        if ogr.GT_Flatten(g.GetGeometryType()) != ogr.wkbLineString:
            g = ogr.ForceToLineString(g)
        n = g.GetPointCount()
        if n < 2:
            continue
        for idx, name in ((0, t["sub_1"]), (n - 1, t["sub_2"])):
            x, y = g.GetX(idx), g.GetY(idx)
            cands.append((t["line_id"], idx, x, y, name, t["voltage_kv"]))
    kept = []
    for _, _, x, y, name, v in cands:
        ux, uy = to_utm(point(x, y)).GetPoint_2D()
        dup = None
        for k in kept:
            if math.hypot(k["ux"] - ux, k["uy"] - uy) <= ENDPOINT_DEDUPE_M:
                dup = k
                break
        if dup is not None:
            if v is not None and (dup["voltage_kv"] is None or v > dup["voltage_kv"]):
                dup["voltage_kv"] = v
            continue
        kept.append({"lon": x, "lat": y, "ux": ux, "uy": uy, "name": name,
                     "voltage_kv": v, "source": "hifld_line_endpoint"})
    SUMMARY["line_endpoints_raw"] = len(cands)
    SUMMARY["line_endpoints_dedup"] = len(kept)
    return kept


def plant_switchyards(src, region):
    path = os.path.join(src, "grid/eia860_plants_2019.csv")
    out = []
    skipped_novolt = []
    county_mismatch = []
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        try:
            lon = float(row["longitude"])
            lat = float(row["latitude"])
        except ValueError:
            continue
        p = point(lon, lat)
        county = None
        for cname in DFW_COUNTIES:
            if region.counties[cname].Contains(p):
                county = cname
                break
        if county is None:
            continue
        if row["state"] != "TX" or row["county"] != county:
            county_mismatch.append("%s (%s): listed %s, %s; located in %s County" % (
                row["plant_name"], row["plant_code"], row["county"], row["state"], county))
        vtxt = row["grid_voltage_kv"].strip()
        if not vtxt:
            skipped_novolt.append("%s (%s)" % (row["plant_name"], row["plant_code"]))
            continue
        ux, uy = to_utm(p).GetPoint_2D()
        out.append({"lon": lon, "lat": lat, "ux": ux, "uy": uy,
                    "name": row["plant_name"] + " switchyard", "voltage_kv": float(vtxt),
                    "source": "eia860_plant_switchyard", "plant_code": int(row["plant_code"])})
    out.sort(key=lambda t: t["plant_code"])
    SUMMARY["eia_plants_in_dfw"] = len(out) + len(skipped_novolt)
    SUMMARY["eia_plants_skipped_no_voltage"] = skipped_novolt
    SUMMARY["eia_plants_county_mismatch"] = county_mismatch
    low = ["%s %g kV" % (t["name"], t["voltage_kv"]) for t in out if t["voltage_kv"] < 60]
    SUMMARY["eia_plants_below_60kv"] = low
    return out


def synthetic_substations(region, bgs, existing):
    rng = random.Random(SEED_SUBSTATIONS)
    items = []
    for b in bgs:
        if b["pop_2020"] and b["geom"].Intersects(region.buf10):
            items.append((b["geoid"], b["pop_2020"], to_utm(b["geom"])))
    weights = [w for _, w, _ in items]
    total = float(sum(weights))
    cum = []
    acc = 0.0
    for w in weights:
        acc += w / total
        cum.append(acc)
    bx0, bx1, by0, by1 = region.city_utm.GetEnvelope()
    placed = [(e["ux"], e["uy"]) for e in existing]
    out = []
    attempts = 0
    n_pop = SYNTH_POP_SUBSTATIONS
    while len(out) < SYNTH_POP_SUBSTATIONS + SYNTH_CITY_SUBSTATIONS:
        attempts += 1
        if attempts > 200_000:
            raise SystemExit("could not place synthetic substations")
        by_pop = len(out) < n_pop
        if by_pop:
            u = rng.random()
            lo, hi = 0, len(cum) - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if cum[mid] < u:
                    lo = mid + 1
                else:
                    hi = mid
            g = items[lo][2]
            ex0, ex1, ey0, ey1 = g.GetEnvelope()
            x, y = rng.uniform(ex0, ex1), rng.uniform(ey0, ey1)
            p = point(x, y)
            if not g.Contains(p):
                continue
        else:
            x, y = rng.uniform(bx0, bx1), rng.uniform(by0, by1)
            p = point(x, y)
            if not region.city_utm.Contains(p):
                continue
        if not region.buf10_utm.Contains(p):
            continue
        if any((x - px) ** 2 + (y - py) ** 2 < SYNTH_MIN_SPACING_M ** 2 for px, py in placed):
            continue
        v = rng.choices((69.0, 138.0, 345.0), weights=(0.35, 0.55, 0.10), k=1)[0]
        placed.append((x, y))
        x = round(x, 1)
        y = round(y, 1)
        lon, lat = to_wgs(point(x, y)).GetPoint_2D()
        out.append({"lon": round(lon, 6), "lat": round(lat, 6), "ux": x, "uy": y,
                    "name": "Synthetic substation %03d" % (len(out) + 1), "voltage_kv": v,
                    "source": "synthetic", "how": "population" if by_pop else "uniform_city"})
    return out


def headroom(rng, v):
    """SYNTHETIC available capacity (MW) by voltage class."""
    if v >= 230:
        lo, hi, pzero = 50.0, 800.0, 0.0
    elif v >= 100:
        lo, hi, pzero = 0.0, 200.0, 0.06
    elif v >= 60:
        lo, hi, pzero = 0.0, 40.0, 0.08
    else:                      # plant connections below 60 kV: distribution level
        lo, hi, pzero = 0.0, 10.0, 0.10
    z = rng.random()
    b = rng.betavariate(1.6, 2.4)
    if z < pzero:
        return 0.0
    return round(lo + (hi - lo) * b, 1)


def build_substations(out, src, region, bgs, lines):
    ends = line_endpoints(lines)
    plants = plant_switchyards(src, region)
    real = ends + plants
    synth = synthetic_substations(region, bgs, real)
    allsubs = []
    dropped = []
    for s in real + synth:
        if region.buf25_utm.Contains(point(s["ux"], s["uy"])):
            allsubs.append(s)
        else:
            dropped.append(s["name"])
    rng = random.Random(SEED_HEADROOM)
    rows = []
    for i, s in enumerate(allsubs, start=1):
        s["sub_id"] = "SUB-%04d" % i
        s["headroom_mw"] = headroom(rng, s["voltage_kv"]) if s["voltage_kv"] is not None \
            else round(rng.uniform(0.0, 40.0), 1)
        rows.append((point(s["lon"], s["lat"]), {
            "sub_id": s["sub_id"], "name": s["name"], "voltage_kv": s["voltage_kv"],
            "source": s["source"], "headroom_mw": s["headroom_mw"], "status": "IN SERVICE"}))
    lyr = create_layer(out, "substations", WGS84, ogr.wkbPoint,
                       [("sub_id", "str"), ("name", "str"), ("voltage_kv", "real"),
                        ("source", "str"), ("headroom_mw", "real"), ("status", "str")],
                       "Substations: HIFLD line endpoints, EIA-860 plant switchyards and "
                       "SYNTHETIC substations; headroom_mw is SYNTHETIC for all")
    n = write_features(lyr, rows)
    by_source = {}
    by_volt = {}
    for s in allsubs:
        by_source[s["source"]] = by_source.get(s["source"], 0) + 1
        if s["source"] == "synthetic":
            k = "%g" % s["voltage_kv"]
            by_volt[k] = by_volt.get(k, 0) + 1
    in_city = sum(1 for s in allsubs if region.city_utm.Contains(point(s["ux"], s["uy"])))
    in_b10 = sum(1 for s in allsubs if region.buf10_utm.Contains(point(s["ux"], s["uy"])))
    SUMMARY["substations"] = {
        "count": n, "by_source": by_source, "synthetic_by_voltage": by_volt,
        "synthetic_by_placement": {
            "population": sum(1 for s in synth if s["how"] == "population"),
            "uniform_city": sum(1 for s in synth if s["how"] == "uniform_city")},
        "in_city": in_city, "in_city_plus_10km": in_b10,
        "km2_per_substation_city": round(region.city_utm.GetArea() / 1e6 / max(in_city, 1), 1),
        "km2_per_substation_city10": round(region.buf10_utm.GetArea() / 1e6 / max(in_b10, 1), 1),
        "zero_headroom": sum(1 for s in allsubs if s["headroom_mw"] == 0.0),
        "dropped_outside_25km": dropped,
        "plants_kept": ["%s (%g kV)" % (s["name"], s["voltage_kv"]) for s in allsubs
                        if s["source"] == "eia860_plant_switchyard"],
    }
    return n


# --------------------------------------------------------------------------
# 4. flood
# --------------------------------------------------------------------------
def build_flood(out, src):
    ds, lyr = open_layer(os.path.join(src, "dfw/floodplain.geojson"))
    rows = []
    empty_src = invalid_src = collapsed = repaired_after = repaired_utm = 0
    pts_in = pts_out = 0
    cats = {}
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            empty_src += 1
            continue
        pts_in += count_points(g)
        g, fixed = make_valid_poly(g.Clone())      # repair the source first
        invalid_src += fixed
        sg = g.SimplifyPreserveTopology(FLOOD_SIMPLIFY_DEG)
        sg, fixed = make_valid_poly(sg)             # simplification may self-intersect
        repaired_after += fixed
        mg = polygonal_multi(sg)
        if mg is None:
            collapsed += 1
            continue
        if not mg.IsValid():
            raise SystemExit("flood polygon still invalid after repair")
        mg, fixed = valid_in_utm(mg)
        repaired_utm += fixed
        pts_out += count_points(mg)
        cat = f.GetField("category")
        cats[cat] = cats.get(cat, 0) + 1
        rows.append((mg, {"category": cat}))
    olyr = create_layer(out, "flood", WGS84, ogr.wkbMultiPolygon, [("category", "str")],
                        "FEMA flood hazard areas, City of Dallas (100yr / 500yr)")
    n = write_features(olyr, rows)
    SUMMARY["flood"] = {"count": n, "source_count": lyr.GetFeatureCount(),
                        "dropped_empty_in_source": empty_src,
                        "invalid_in_source_repaired": invalid_src,
                        "repaired_after_simplify": repaired_after,
                        "repaired_invalid_in_utm14": repaired_utm,
                        "dropped_no_area_after_repair": collapsed,
                        "vertices_in": pts_in, "vertices_out": pts_out,
                        "by_category": dict(sorted(cats.items()))}
    return n


def count_points(g):
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t in (ogr.wkbPoint, ogr.wkbLineString, ogr.wkbLinearRing):
        return g.GetPointCount()
    return sum(count_points(g.GetGeometryRef(i)) for i in range(g.GetGeometryCount()))


# --------------------------------------------------------------------------
# 5. water
# --------------------------------------------------------------------------
def build_water(out, src):
    ds, lyr = open_layer(os.path.join(src, "dfw/water_dallas.geojson"))
    names = [lyr.GetLayerDefn().GetFieldDefn(i).GetName()
             for i in range(lyr.GetLayerDefn().GetFieldCount())]
    rows = []
    repaired = repaired_after = repaired_utm = empty = pts_in = pts_out = 0
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            empty += 1
            continue
        pts_in += count_points(g)
        g, fixed = make_valid_poly(g.Clone())
        repaired += fixed
        g, fixed = make_valid_poly(g.SimplifyPreserveTopology(WATER_SIMPLIFY_DEG))
        repaired_after += fixed
        mg = polygonal_multi(g)
        if mg is None:
            empty += 1
            continue
        mg, fixed = valid_in_utm(mg)
        repaired_utm += fixed
        pts_out += count_points(mg)
        oid = f.GetField("id") if "id" in names else f.GetFID()
        rows.append((mg, {"id": oid, "element": f.GetField("element")}))
    rows.sort(key=lambda t: (t[1]["element"], t[1]["id"]))
    olyr = create_layer(out, "water", WGS84, ogr.wkbMultiPolygon,
                        [("id", "int64"), ("element", "str")],
                        "OpenStreetMap water bodies, City of Dallas (ODbL)")
    n = write_features(olyr, rows)
    SUMMARY["water"] = {"count": n, "invalid_in_source_repaired": repaired,
                        "repaired_after_simplify": repaired_after,
                        "repaired_invalid_in_utm14": repaired_utm, "dropped_empty": empty,
                        "vertices_in": pts_in, "vertices_out": pts_out,
                        "by_element": {e: sum(1 for _, a in rows if a["element"] == e)
                                       for e in sorted({a["element"] for _, a in rows})}}
    return n


# --------------------------------------------------------------------------
# 6. schools
# --------------------------------------------------------------------------
def build_schools(out, src):
    path = os.path.join(src, "dfw/disd_enrollment.csv")
    with open(path, newline="") as fh:
        rows_in = list(csv.DictReader(fh))
    rows = []
    no_enr = no_type = 0
    coords = {}
    for r in rows_in:
        lon, lat = float(r["lon"]), float(r["lat"])
        enr = r["enr_2026"].strip()
        if not enr:
            no_enr += 1
        typ = r["type"].strip() or None
        if typ is None:
            no_type += 1
        coords[(lon, lat)] = coords.get((lon, lat), 0) + 1
        rows.append((point(lon, lat), {"campus": r["campus"], "name": r["name"], "type": typ,
                                       "enr_2026": int(float(enr)) if enr else None}))
    rows.sort(key=lambda t: t[1]["campus"])
    olyr = create_layer(out, "schools", WGS84, ogr.wkbPoint,
                        [("campus", "str"), ("name", "str"), ("type", "str"), ("enr_2026", "int")],
                        "Dallas ISD campuses (sensitive receptors)")
    n = write_features(olyr, rows)
    shared = {("%g,%g" % k): v for k, v in coords.items() if v > 1}
    SUMMARY["schools"] = {"count": n, "null_enr_2026": no_enr, "null_type": no_type,
                          "shared_locations": shared}
    return n


# --------------------------------------------------------------------------
# 7. block_groups
# --------------------------------------------------------------------------
def build_block_groups(out, region, bgs):
    rows = []
    pts_in = pts_out = repaired = invalid_src = 0
    for b in bgs:
        if not b["geom"].Intersects(region.buf10):
            continue
        pts_in += count_points(b["geom"])
        g, fixed = make_valid_poly(b["geom"].Clone())
        invalid_src += fixed
        g, fixed = make_valid_poly(g.SimplifyPreserveTopology(BG_SIMPLIFY_DEG))
        repaired += fixed
        mg = polygonal_multi(g)
        pts_out += count_points(mg)
        rows.append((mg, {"geoid": b["geoid"], "pop_2020": b["pop_2020"],
                          "hu_2020": b["hu_2020"], "land_sq_mi": b["land_sq_mi"]}))
    olyr = create_layer(out, "block_groups", WGS84, ogr.wkbMultiPolygon,
                        [("geoid", "str"), ("pop_2020", "int"), ("hu_2020", "int"),
                         ("land_sq_mi", "real")],
                        "Census 2020 block groups within 10 km of the City of Dallas")
    n = write_features(olyr, rows)
    SUMMARY["block_groups"] = {
        "count": n, "vertices_in": pts_in, "vertices_out": pts_out, "invalid_in_source_repaired": invalid_src,
        "repaired_after_simplify": repaired,
        "pop_2020_total": sum(a["pop_2020"] or 0 for _, a in rows),
        "zero_pop": sum(1 for _, a in rows if not a["pop_2020"])}
    return n


# --------------------------------------------------------------------------
# 8. egrid
# --------------------------------------------------------------------------
def build_egrid(out, src, region):
    sds, slyr = open_layer(os.path.join(src, "grid/us_states.geojson"))
    texas = None
    state_issues = []
    for f in slyr:
        g = f.GetGeometryRef()
        if g is None:
            state_issues.append("%s has a null geometry" % f.GetField("NAME"))
            continue
        if not g.IsValid():
            state_issues.append("%s geometry is invalid" % f.GetField("NAME"))
        if f.GetField("STATE") == "48":
            texas = g.Clone()
    if texas is None:
        raise SystemExit("Texas (STATE 48) not found in us_states.geojson")
    e = region.dfw_env
    m = EGRID_BOX_MARGIN_DEG
    box = polygon(densify_ring_box(e[0] - m, e[2] - m, e[1] + m, e[3] + m, 0.5))
    eds, elyr = open_layer(os.path.join(src, "grid/egrid2023_subregions.geojson"))
    rows = []
    tx_subs = []
    for f in elyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            continue
        if not g.Intersects(texas):
            continue
        tx_subs.append(f.GetField("subrgn"))
        gv, _ = make_valid_poly(g.Clone())
        clipped = polygonal_multi(gv.Intersection(box))
        if clipped is None:
            continue
        if not clipped.IsValid():
            clipped = polygonal_multi(clipped.MakeValid())
        rows.append((clipped, {"subrgn": f.GetField("subrgn"), "name": f.GetField("name"),
                               "co2_lb_mwh": f.GetField("co2_lb_mwh"),
                               "grid_loss": f.GetField("grid_loss")}))
    rows.sort(key=lambda t: t[1]["subrgn"])
    olyr = create_layer(out, "egrid", WGS84, ogr.wkbMultiPolygon,
                        [("subrgn", "str"), ("name", "str"), ("co2_lb_mwh", "real"),
                         ("grid_loss", "real")],
                        "EPA eGRID 2023 subregions touching Texas, clipped to DFW +/- 2 deg")
    n = write_features(olyr, rows)
    SUMMARY["egrid"] = {"count": n, "subregions_touching_texas": sorted(tx_subs),
                        "kept": [a["subrgn"] for _, a in rows],
                        "box": [round(e[0] - m, 6), round(e[2] - m, 6),
                                round(e[1] + m, 6), round(e[3] + m, 6)],
                        "state_layer_issues": state_issues}
    return n


# --------------------------------------------------------------------------
# 9. water_stress (SYNTHETIC)
# --------------------------------------------------------------------------
BWS_LABELS = ("Low (<10%)", "Low-medium (10-20%)", "Medium-high (20-40%)",
              "High (40-80%)", "Extremely high (>80%)")


def clip_halfplane(poly, a, b, c):
    """Clip convex polygon (list of xy) to a*x + b*y <= c."""
    res = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp = a * p[0] + b * p[1] - c
        fq = a * q[0] + b * q[1] - c
        if fp <= 0:
            res.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            res.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return res


def build_water_stress(out, region):
    rng = random.Random(SEED_WATER_STRESS)
    x0, x1, y0, y1 = region.buf25_utm.GetEnvelope()
    x0, y0 = math.floor(x0 / 1000) * 1000 - 1000, math.floor(y0 / 1000) * 1000 - 1000
    x1, y1 = math.ceil(x1 / 1000) * 1000 + 1000, math.ceil(y1 / 1000) * 1000 + 1000
    # 9 basin "outlets" on a jittered 3 x 3 lattice: irregular but with no tiny cells
    seeds = []
    for j in range(3):
        for i in range(3):
            sx = x0 + (i + 0.5) * (x1 - x0) / 3 + rng.uniform(-0.3, 0.3) * (x1 - x0) / 3
            sy = y0 + (j + 0.5) * (y1 - y0) / 3 + rng.uniform(-0.3, 0.3) * (y1 - y0) / 3
            seeds.append((sx, sy))
    dt_x, dt_y = to_utm(point(*DOWNTOWN)).GetPoint_2D()
    rows = []
    mask = region.buf25_utm
    for k, (sx, sy) in enumerate(seeds):
        cell = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        for m, (tx, ty) in enumerate(seeds):
            if m == k:
                continue
            a, b = tx - sx, ty - sy
            c = (tx * tx + ty * ty - sx * sx - sy * sy) / 2.0
            cell = clip_halfplane(cell, a, b, c)
        # densify edges to 1 km so reprojection keeps the shape
        dense = []
        for i in range(len(cell)):
            p, q = cell[i], cell[(i + 1) % len(cell)]
            steps = max(1, int(math.hypot(q[0] - p[0], q[1] - p[1]) // 1000))
            for t in range(steps):
                dense.append((p[0] + (q[0] - p[0]) * t / steps, p[1] + (q[1] - p[1]) * t / steps))
        g = polygon([(round(x, 1), round(y, 1)) for x, y in dense]).Intersection(mask)
        g = polygonal_multi(g)
        if g is None:
            continue
        # drier to the west and south-west; medium-high to high overall
        west = (dt_x - sx) / 60_000.0
        score = 2.85 + 0.45 * west + rng.gauss(0.0, 0.35)
        score = round(min(4.6, max(1.6, score)), 2)
        cat = min(4, int(score))
        gw = polygonal_multi(to_wgs(g))
        if not gw.IsValid():
            gw = polygonal_multi(gw.MakeValid())
        rows.append((gw, {"basin_id": "SYN-BASIN-%02d" % (k + 1), "bws_score": score,
                          "bws_cat": cat, "bws_label": BWS_LABELS[cat]}))
    olyr = create_layer(out, "water_stress", WGS84, ogr.wkbMultiPolygon,
                        [("basin_id", "str"), ("bws_score", "real"), ("bws_cat", "int"),
                         ("bws_label", "str")],
                        "SYNTHETIC baseline water stress in WRI Aqueduct's schema")
    n = write_features(olyr, rows)
    SUMMARY["water_stress"] = {"count": n, "basins": [
        "%s %.2f %s" % (a["basin_id"], a["bws_score"], a["bws_label"]) for _, a in rows]}
    return n


# --------------------------------------------------------------------------
# 10. city_boundary
# --------------------------------------------------------------------------
def build_city_boundary(out, region):
    g, fixed = valid_in_utm(region.city_simpl)
    if g.GetGeometryType() != ogr.wkbPolygon:
        if g.GetGeometryCount() != 1:
            raise SystemExit("city boundary splits into parts when made valid in UTM 14N")
        g = g.GetGeometryRef(0).Clone()
    olyr = create_layer(out, "city_boundary", WGS84, ogr.wkbPolygon, [("name", "str")],
                        "City of Dallas boundary, simplified to about 5 m")
    n = write_features(olyr, [(g, {"name": "City of Dallas"})])
    SUMMARY["city_boundary"] = {"count": n, "repaired_invalid_in_utm14": int(fixed),
                                "vertices_in": count_points(region.city),
                                "vertices_out": count_points(g)}
    return n


# --------------------------------------------------------------------------
# 11. counties
# --------------------------------------------------------------------------
COUNTY_SIMPLIFY_DEG = 0.0003  # about 30 m


def build_counties(out, src):
    """The 7 DFW counties with their 5-digit FIPS code (real, Census):
    the key on which county electricity prices are joined."""
    ds, lyr = open_layer(os.path.join(src, "dfw/counties.geojson"))
    rows = []
    for f in lyr:
        g = ogr.ForceToMultiPolygon(f.GetGeometryRef().SimplifyPreserveTopology(
            COUNTY_SIMPLIFY_DEG))
        rows.append((g, {"fips": f.GetField("fips"), "name": f.GetField("name")}))
    olyr = create_layer(out, "counties", WGS84, ogr.wkbMultiPolygon,
                        [("fips", "str"), ("name", "str")],
                        "Census counties of Dallas-Fort Worth, simplified to about 30 m")
    n = write_features(olyr, rows)
    SUMMARY["counties"] = {"count": n}
    return n


# --------------------------------------------------------------------------
# 12. dem_dallas.tif (SYNTHETIC)
# --------------------------------------------------------------------------
# 3 arc-second cells (about 92 m N-S, 78 m E-W), the spacing of SRTM3, over
# the sites' extent (lon -97.000 .. -96.460, lat 32.602 .. 33.033) plus a
# margin of at least 0.02 degrees.
DEM_CELL_DEG = 1.0 / 1200.0
DEM_WEST, DEM_NORTH, DEM_COLS, DEM_ROWS = -97.04, 33.06, 744, 576
SEED_DEM = 20240401
DEM_NOISE = ((3.0, 7.0), (1.0, 4.0), (0.4, 4.0), (0.2, 2.0))   # (lattice spacing km, amplitude m)


def value_noise(rng, x_km, y_km, spacing_km, amplitude):
    """Smooth noise: uniform values in [-amplitude, amplitude] on a square
    lattice of the given spacing, interpolated with a smoothstep."""
    import numpy as np
    x, y = x_km / spacing_km, y_km / spacing_km
    x0, y0 = np.floor(x.min()), np.floor(y.min())
    nx, ny = int(np.floor(x.max()) - x0) + 2, int(np.floor(y.max()) - y0) + 2
    lattice = np.array([[rng.uniform(-amplitude, amplitude) for _ in range(nx)]
                        for _ in range(ny)])
    fx, fy = x - x0, y - y0
    ix, iy = np.floor(fx).astype(int), np.floor(fy).astype(int)
    tx, ty = fx - ix, fy - iy
    tx, ty = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)
    top = lattice[iy, ix] * (1 - tx) + lattice[iy, ix + 1] * tx
    bottom = lattice[iy + 1, ix] * (1 - tx) + lattice[iy + 1, ix + 1] * tx
    return top * (1 - ty) + bottom * ty


def water_distance_m(gpkg_path):
    """Distance in metres from each DEM cell to the nearest cell holding
    water (the written `water` layer, OSM), through GDAL's rasterizer and
    proximity; about 85 m per pixel (the mean of the cell's two sides)."""
    mem = gdal.GetDriverByName("MEM")
    mask = mem.Create("", DEM_COLS, DEM_ROWS, 1, gdal.GDT_Byte)
    mask.SetGeoTransform((DEM_WEST, DEM_CELL_DEG, 0, DEM_NORTH, 0, -DEM_CELL_DEG))
    mask.SetProjection(WGS84.ExportToWkt())
    ds = ogr.Open(gpkg_path)
    gdal.RasterizeLayer(mask, [1], ds.GetLayerByName("water"), burn_values=[1],
                        options=["ALL_TOUCHED=TRUE"])
    prox = mem.Create("", DEM_COLS, DEM_ROWS, 1, gdal.GDT_Float32)
    prox.SetGeoTransform(mask.GetGeoTransform())
    gdal.ComputeProximity(mask.GetRasterBand(1), prox.GetRasterBand(1),
                          ["VALUES=1", "DISTUNITS=PIXEL"])
    cell_m = 0.5 * (DEM_CELL_DEG * 110_900 + DEM_CELL_DEG * 93_600)
    return prox.GetRasterBand(1).ReadAsArray().astype("float64") * cell_m


def build_dem(gpkg_path, tif_path):
    """A plausible Dallas DEM (SYNTHETIC; data/README.md gives the method):
    a regional slope up to the north-west, valleys along the real water
    bodies (Trinity River, creeks, lakes) with steeper banks, a chalk
    escarpment in the south-west (Oak Cliff to Cedar Hill), and smooth
    noise.  Float32 metres, rounded to 0.1 m."""
    import numpy as np
    rng = random.Random(SEED_DEM)
    cols = np.arange(DEM_COLS) + 0.5
    rows = np.arange(DEM_ROWS) + 0.5
    lon = DEM_WEST + cols[np.newaxis, :] * DEM_CELL_DEG + 0 * rows[:, np.newaxis]
    lat = DEM_NORTH - rows[:, np.newaxis] * DEM_CELL_DEG + 0 * cols[np.newaxis, :]
    x_km, y_km = (lon + 96.73) * 93.6, (lat - 32.82) * 110.9
    z = 175.0 + 0.8 * y_km - 0.55 * x_km                  # north and west higher
    d = water_distance_m(gpkg_path)
    z -= 18.0 * np.exp(-d / 1500.0) + 12.0 * np.exp(-d / 80.0)   # valley and banks
    # escarpment: a 40 m rise to the west of the line (-96.95, 32.60)-(-96.84, 32.78)
    ax, ay = (-96.95 + 96.73) * 93.6, (32.60 - 32.82) * 110.9
    bx, by = (-96.84 + 96.73) * 93.6, (32.78 - 32.82) * 110.9
    length = math.hypot(bx - ax, by - ay)
    west = ((bx - ax) * (y_km - ay) - (by - ay) * (x_km - ax)) / length   # km, + to the west
    along = ((x_km - ax) * (bx - ax) + (y_km - ay) * (by - ay)) / length
    west += value_noise(rng, x_km, y_km, 1.5, 0.5)        # a winding edge, not a straight one
    fade = np.clip(1.5 - np.abs(along / length - 0.5) * 2.0, 0, 1)   # dies out past the ends
    z += 40.0 * fade / (1.0 + np.exp(-west / 0.07))
    for spacing, amplitude in DEM_NOISE:
        z += value_noise(rng, x_km, y_km, spacing, amplitude)
    z = np.round(z, 1).astype("float32")
    drv = gdal.GetDriverByName("GTiff")
    if os.path.exists(tif_path):
        drv.Delete(tif_path)
    ds = drv.Create(tif_path, DEM_COLS, DEM_ROWS, 1, gdal.GDT_Float32,
                    ["COMPRESS=DEFLATE", "PREDICTOR=3", "ZLEVEL=9", "TILED=YES"])
    ds.SetGeoTransform((DEM_WEST, DEM_CELL_DEG, 0, DEM_NORTH, 0, -DEM_CELL_DEG))
    ds.SetProjection(WGS84.ExportToWkt())
    band = ds.GetRasterBand(1)
    band.SetDescription("elevation (m), SYNTHETIC")
    band.WriteArray(z)
    ds = None
    SUMMARY["dem"] = {"file": os.path.basename(tif_path), "cols": DEM_COLS, "rows": DEM_ROWS,
                      "cell_deg": "1/1200", "seed": SEED_DEM,
                      "min_m": round(float(z.min()), 1), "max_m": round(float(z.max()), 1),
                      "mean_m": round(float(z.mean()), 1)}


# --------------------------------------------------------------------------
def build_hourly_grid(path):
    """Write a SYNTHETIC year of hourly grid signals for HOURLY_REGION.

    Long format, one row per hour: region, hour (1-8760, 1 January 00:00-01:00
    local standard time, no 29 February), co2_avg_lb_mwh, co2_marginal_lb_mwh,
    cfe_share, price_usd_mwh, system_load_mw.  Invented from a fixed seed, not
    measured: a system load with a summer peak and an afternoon peak; solar
    (midday, longer days in summer, a random cloudiness per day) and wind
    (stronger at night and in spring, a slowly wandering daily level) on top
    of a constant nuclear block make the carbon-free share; the fossil rest
    is dirtier at low load (coal) than at high load (gas peakers on top); the
    price rises steeply with load, with scarcity hours at the very top, and
    falls when carbon-free supply is plentiful.  The average rate is scaled
    so that its load-weighted mean equals the eGRID annual rate of the egrid
    layer, so hourly and annual accounting differ only by timing.  Written
    gzip-compressed with no name or time stamp (a rebuild gives the same bytes).
    """
    import gzip
    rng = random.Random(SEED_HOURLY_GRID)
    rows, wind_level = [], 0.0
    for d in range(365):
        season = math.cos(2 * math.pi * (d - 200) / 365.0)     # +1 mid-July, -1 mid-January
        cloud = 0.55 + 0.45 * rng.random()
        wind_level = 0.8 * wind_level + 0.2 * rng.gauss(0, 1)
        sunrise, sunset = 6.6 - 0.9 * season, 18.4 + 0.9 * season
        for hod in range(24):
            t = hod + 0.5
            load = (43000 + 9000 * season + 3000 * season * season
                    + (6000 + 5000 * max(season, 0)) * 0.5 * (1 + math.cos(2 * math.pi * (t - 17) / 24))
                    + rng.gauss(0, 900))
            solar = max(0.0, math.sin(math.pi * (t - sunrise) / (sunset - sunrise))) if sunrise < t < sunset else 0.0
            wind = (0.36 + 0.12 * math.cos(2 * math.pi * (t - 2) / 24)
                    + 0.08 * math.cos(2 * math.pi * (d - 100) / 365.0) + 0.12 * wind_level)
            wind = min(0.9, max(0.03, wind))
            clean = 5000 + 22000 * solar * cloud + 36000 * wind
            cfe = min(0.95, clean / load)
            x = (load - 30000) / 45000.0                          # ~0 at low load, ~1 at the peak
            fossil_rate = 1250 - 250 * x
            marginal = 900 + 450 * x if cfe < 0.9 else 600
            price = 24 + 80 * max(x, 0) ** 3 - 25 * max(cfe - 0.5, 0)
            if x > 0.93:
                price += 400 * (x - 0.93) / 0.07
            rows.append([load, cfe, fossil_rate * (1 - cfe), marginal, price])
    total = sum(r[0] for r in rows)
    mean = sum(r[0] * r[2] for r in rows) / total
    scale = EGRID_ERCT_CO2_LB_MWH / mean
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh:
        fh.write(b"region,hour,co2_avg_lb_mwh,co2_marginal_lb_mwh,cfe_share,price_usd_mwh,system_load_mw\n")
        for h, (load, cfe, avg, marginal, price) in enumerate(rows):
            fh.write(("%s,%d,%.1f,%.1f,%.4f,%.2f,%.0f\n" % (HOURLY_REGION, h + 1, avg * scale, marginal,
                                                            cfe, price, load)).encode())
    SUMMARY["hourly_grid"] = {
        "file": os.path.basename(path), "region": HOURLY_REGION, "seed": SEED_HOURLY_GRID,
        "hours": len(rows), "co2_scale": round(scale, 4),
        "cfe_share_mean": round(sum(r[1] for r in rows) / len(rows), 4),
        "price_mean_usd_mwh": round(sum(r[4] for r in rows) / len(rows), 2),
        "system_load_peak_mw": round(max(r[0] for r in rows)),
    }


# --------------------------------------------------------------------------
def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--hourly-grid-only":
        build_hourly_grid(sys.argv[2])       # for a quick rebuild of that file alone
        print(json.dumps(SUMMARY["hourly_grid"]))
        return
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src_dir, out_path = sys.argv[1], sys.argv[2]
    if os.path.exists(out_path):
        os.remove(out_path)
    region = load_region(src_dir)
    bgs = load_block_groups(src_dir)
    drv = ogr.GetDriverByName("GPKG")
    out = drv.CreateDataSource(out_path)
    print("sites ...")
    build_sites(out, region, bgs)
    print("transmission ...")
    lines = dfw_transmission(src_dir, region)
    build_transmission(out, lines)
    print("substations ...")
    build_substations(out, src_dir, region, bgs, lines)
    print("flood ...")
    build_flood(out, src_dir)
    print("water ...")
    build_water(out, src_dir)
    print("schools ...")
    build_schools(out, src_dir)
    print("block_groups ...")
    build_block_groups(out, region, bgs)
    print("egrid ...")
    build_egrid(out, src_dir, region)
    print("water_stress ...")
    build_water_stress(out, region)
    print("city_boundary ...")
    build_city_boundary(out, region)
    print("counties ...")
    build_counties(out, src_dir)
    out.ExecuteSQL("VACUUM")
    out = None
    print("hourly grid ...")
    build_hourly_grid(os.path.join(os.path.dirname(out_path), "grid_hourly_synthetic.csv.gz"))
    print("dem ...")
    build_dem(out_path, os.path.join(os.path.dirname(out_path), "dem_dallas.tif"))
    summ = os.path.join(os.path.dirname(out_path), "build_summary.json")
    with open(summ, "w") as fh:
        json.dump(SUMMARY, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print("wrote %s and %s" % (out_path, summ))


if __name__ == "__main__":
    main()
