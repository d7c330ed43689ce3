/* report_map.c - the result as a map drawn with cairo. See report_map.h.
 *
 * Layout at 1600 x 1200 px (every length below is in px at that size and
 * is multiplied by u = min(width / 1600, height / 1200)): the title at the
 * top (the scenario's name in bold 40 px and up to two lines of its
 * description, or opt->title on up to two lines), the credits at the bottom
 * (up to four lines), the legend panel (400 px) at the right, and the map
 * frame, fitted to the sites' extent plus a margin, in what is left.
 *
 * Drawing order: the sites (excluded first, then the eligible ones from the
 * lowest score up, so better sites are drawn over worse ones where they
 * overlap), the top-N outlines (rank 1 last), the frame, the rank labels,
 * the legend, the scale bar and the north arrow.  A PDF of more than
 * PDF_VECTOR_MAX sites gets the sites and outlines as an opaque image
 * (about 290 dpi on A4) over the white page, the rest as vectors.
 *
 * Rank labels are placed greedily in rank order: for each top site, the
 * candidate positions in eight directions at six distances beyond the
 * site's extent are scored (leaving the frame, covering another label or a
 * top site, a leader line through a top site's representative point or a
 * label all cost; so does distance) and the cheapest wins. */
#include "report_map.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "core/version.h"
#include "inputs/dsn.h"
#include "output.h"

#define MAP_W 1600
#define MAP_H 1200
#define FONT "DejaVu Sans"
#define MARGIN 24.0
#define GAP 18.0
#define TITLE_PX 40.0
#define TEXT_PX 29.0 /* the smallest text: 8.2 pt when 1600 px print 16 cm wide */
#define HEAD_PX 32.0
#define PANEL_W 400.0
#define PANEL_PAD 16.0
#define SWATCH_W 48.0
#define SWATCH_H 30.0
#define ROW_H 44.0
#define PAD_FRAC 0.04      /* frame margin: 4 % of the larger side of the extent */
#define MIN_SPAN_M 1000.0  /* the least extent drawn (a lone site) */
#define POINT_R 7.0        /* point sites: dot radius */
#define OUTLINE_W 3.0      /* the top-N outline */
#define THIN_PX 0.25       /* vertices closer than this to the last one are dropped */
#define EDGE_MIN_PX 4.0    /* sites this large (px) get a white edge */
#define PDF_VECTOR_MAX 20000 /* PDFs of more sites draw them as an image, */
#define PDF_SITES_PPX 2.0    /* of this many pixels per px (~290 dpi on A4) */
#define LEADER_W 1.5       /* leader lines: width, */
#define LEADER_DOT 2.0     /* the dot at the site's end, */
#define LEADER_CASING 1.5  /* their white casing, */
#define LEADER_CLEAR 5.5   /* the dot's centre from the site's point (at least) */
#define LABEL_GAP 10.0     /* the least space between two labels */
#define TOP_RGB 0xe31a1cu  /* the top-N outline */
#define INK_RGB 0x252525u
#define MUTED_RGB 0x525252u
#define FRAME_RGB 0x737373u
#define LINE_BYTES 512
#define TEXT_BYTES 4096
#define MAX_LABELS 100 /* ranks labelled (all top-N sites are outlined) */
#define A4_LONG_PT 841.89
#define A4_SHORT_PT 595.28

typedef struct {
    double x0, y0, x1, y1;
} box;

/* The map frame: working-CRS metres to px. */
typedef struct {
    double cx, cy;   /* working-CRS centre of the frame */
    double pcx, pcy; /* the same point in px */
    double s;        /* px per metre */
    box b;           /* the frame in px */
} map_frame;

/* A top-N site: where it is, where its label and leader line go. */
typedef struct {
    box site;          /* its extent in px */
    box label;         /* the label's box */
    double px, py;     /* its representative point in px */
    double sx, sy;     /* the leader line, from the site's edge ... */
    double ax, ay;     /* ... to the label */
    cairo_text_extents_t te; /* the label's text */
} top_site;

typedef struct {
    cairo_t *cr;
    dcs_map_cache *cache; /* NULL: none */
    const dcs_result *res;
    const char *title; /* NULL: name and description */
    double w, h, u;
    box area;  /* where the frame may go */
    box panel; /* the legend panel */
    map_frame fr;
    top_site *top; /* ntop: rank order */
    size_t ntop;
    int raster_sites; /* draw the sites as an image (many sites) */
} map_draw;

struct dcs_map_cache {
    pthread_mutex_t mu;
    cairo_surface_t *img; /* a copy of the PDF's sites image (NULL: none yet) */
    double k;             /* its pixels per px */
    map_frame fr;         /* the frame it was drawn in, */
    double w, h;          /* on a map of this size */
    top_site *top;        /* ntop: the top sites' places, as draw_top left them */
    size_t ntop;
};

dcs_map_cache *dcs_map_cache_new(void)
{
    dcs_map_cache *c = calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        c = NULL;
    }
    return c;
}

void dcs_map_cache_free(dcs_map_cache *c)
{
    if (!c)
        return;
    if (c->img)
        cairo_surface_destroy(c->img);
    free(c->top);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* A copy of image surface src (RGB24), or NULL when out of memory: the
 * cache keeps its own, which only the other map uses after it (a run has
 * two maps: one puts, the other gets), so that no two maps (and threads)
 * ever use one surface. */
static cairo_surface_t *copy_image(cairo_surface_t *src)
{
    cairo_surface_flush(src);
    int w = cairo_image_surface_get_width(src), h = cairo_image_surface_get_height(src);
    cairo_surface_t *dst = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(dst) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(dst);
        return NULL;
    }
    int ss = cairo_image_surface_get_stride(src), ds = cairo_image_surface_get_stride(dst);
    const unsigned char *from = cairo_image_surface_get_data(src);
    unsigned char *to = cairo_image_surface_get_data(dst);
    for (int r = 0; r < h; r++)
        memcpy(to + (size_t)r * (size_t)ds, from + (size_t)r * (size_t)ss, (size_t)(w * 4));
    cairo_surface_mark_dirty(dst);
    return dst;
}

/* The sites image img (k pixels per px) kept for the other map, with the
 * top sites' places, when the cache has none yet; nothing when out of
 * memory (the other map then draws its own). */
static void cache_put(const map_draw *m, cairo_surface_t *img, double k)
{
    dcs_map_cache *c = m->cache;
    if (!c)
        return;
    top_site *top = m->ntop ? malloc(m->ntop * sizeof *top) : NULL;
    cairo_surface_t *copy = m->ntop && !top ? NULL : copy_image(img);
    if (top)
        memcpy(top, m->top, m->ntop * sizeof *top);
    pthread_mutex_lock(&c->mu);
    if (copy && !c->img) {
        c->img = copy, c->k = k, c->fr = m->fr, c->w = m->w, c->h = m->h;
        c->top = top, c->ntop = m->ntop;
        copy = NULL, top = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (copy)
        cairo_surface_destroy(copy);
    free(top);
}

/* Image img of k pixels per px painted over the frame. */
static void paint_frame_image(map_draw *m, cairo_surface_t *img, double k)
{
    box b = m->fr.b;
    cairo_save(m->cr);
    cairo_translate(m->cr, b.x0, b.y0);
    cairo_scale(m->cr, 1 / k, 1 / k);
    cairo_set_source_surface(m->cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(m->cr), CAIRO_FILTER_GOOD);
    cairo_paint(m->cr);
    cairo_restore(m->cr);
}

/* The cached sites image (a reference: this map is its only user), and
 * the top sites' places into m->top, when it was drawn for this map's
 * frame; NULL otherwise. */
static cairo_surface_t *cache_get(map_draw *m)
{
    dcs_map_cache *c = m->cache;
    if (!c)
        return NULL;
    pthread_mutex_lock(&c->mu);
    int same = c->img && c->w == m->w && c->h == m->h && c->ntop == m->ntop &&
               memcmp(&c->fr, &m->fr, sizeof m->fr) == 0;
    cairo_surface_t *img = same ? cairo_surface_reference(c->img) : NULL;
    if (img && c->ntop)
        memcpy(m->top, c->top, c->ntop * sizeof *m->top);
    pthread_mutex_unlock(&c->mu);
    return img;
}

/* A cairo status as a dcs_status (NOMEM or IO) naming what was drawn. */
static dcs_status cairo_check(dcs_error *err, cairo_status_t cs, const char *what)
{
    if (cs == CAIRO_STATUS_SUCCESS)
        return DCS_OK;
    return dcs_error_set(err, cs == CAIRO_STATUS_NO_MEMORY ? DCS_ERR_NOMEM : DCS_ERR_IO,
                         "cannot draw %s: %s", what, cairo_status_to_string(cs));
}

/* ---------------------------------------------------------------- text */

static void set_rgb(cairo_t *cr, unsigned rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0,
                         (rgb & 255) / 255.0);
}

static void set_font(const map_draw *m, double px, int bold)
{
    cairo_select_font_face(m->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(m->cr, px * m->u);
}

static double text_w(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

static cairo_font_extents_t font_ext(cairo_t *cr)
{
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    return fe;
}

/* n, moved back to the start of the UTF-8 character holding byte n. */
static size_t utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

/* The longest prefix of p (at most n bytes, whole characters, at least
 * one) that fits width. */
static size_t fit_bytes(cairo_t *cr, const char *p, size_t n, double width)
{
    char buf[LINE_BYTES];
    if (n > LINE_BYTES - 1)
        n = utf8_cut(p, LINE_BYTES - 1);
    for (;;) {
        if (n == 0)
            return 0;
        snprintf(buf, sizeof buf, "%.*s", (int)n, p);
        size_t shorter = utf8_cut(p, n - 1);
        if (shorter == 0 || text_w(cr, buf) <= width)
            return n;
        n = shorter;
    }
}

/* s cut to fit width (ending in "…" when cut), into out[LINE_BYTES]. */
static void fit_text(cairo_t *cr, const char *s, double width, char *out)
{
    size_t len = strlen(s);
    snprintf(out, LINE_BYTES, "%s", s);
    if (len < LINE_BYTES && text_w(cr, out) <= width)
        return;
    size_t n = fit_bytes(cr, s, len, width - text_w(cr, "…"));
    snprintf(out, LINE_BYTES, "%.*s…", (int)n, s);
}

/* Whole words from p that fit width into line[LINE_BYTES] (a word wider
 * than the line is cut); returns where the next line starts. */
static const char *next_line(cairo_t *cr, const char *p, double width, char *line)
{
    size_t best = 0, end = 0;
    for (;;) {
        size_t next = end;
        while (p[next] == ' ')
            next++;
        if (!p[next])
            break;
        while (p[next] && p[next] != ' ')
            next++;
        snprintf(line, LINE_BYTES, "%.*s", (int)next, p);
        if (next >= LINE_BYTES - 1 || text_w(cr, line) > width)
            break;
        best = end = next;
    }
    if (best == 0) {
        size_t word = strcspn(p, " ");
        best = fit_bytes(cr, p, word ? word : strlen(p), width);
    }
    snprintf(line, LINE_BYTES, "%.*s", (int)best, p);
    return p + best;
}

/* text word-wrapped into at most max lines of width; returns the number
 * of lines and sets *complete when all of the text went in. */
static int wrap(cairo_t *cr, const char *text, double width, int max, char lines[][LINE_BYTES],
                int *complete)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p || n == max)
            break;
        p = next_line(cr, p, width, lines[n++]);
    }
    *complete = !*p;
    return n;
}

/* buf = text cut to n bytes (and "…" when cut), then tail; line breaks
 * and tabs become spaces (the text is wrapped here). */
static void compose(char *buf, const char *text, size_t n, const char *tail)
{
    size_t len = strlen(text);
    n = utf8_cut(text, n);
    while (n > 0 && n < len && text[n - 1] == ' ')
        n--;
    snprintf(buf, TEXT_BYTES, "%.*s%s%s", (int)n, text, n < len ? "…" : "", tail);
    for (char *c = buf; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
}

/* text then tail word-wrapped into at most max lines; when they do not
 * fit, text is cut (ending in "…") so that the tail still shows.
 * Returns the number of lines. */
static int wrap_tail(cairo_t *cr, const char *text, const char *tail, double width, int max,
                     char lines[][LINE_BYTES])
{
    char buf[TEXT_BYTES];
    size_t len = strlen(text), lo = 0, hi = len < TEXT_BYTES / 2 ? len : TEXT_BYTES / 2;
    int complete, n;
    compose(buf, text, hi, tail);
    n = wrap(cr, buf, width, max, lines, &complete);
    if (complete)
        return n;
    while (lo < hi) { /* the longest cut of text that fits */
        size_t mid = (lo + hi + 1) / 2;
        compose(buf, text, mid, tail);
        wrap(cr, buf, width, max, lines, &complete);
        if (complete)
            lo = mid;
        else
            hi = mid - 1;
    }
    compose(buf, text, lo, tail);
    return wrap(cr, buf, width, max, lines, &complete);
}

/* Lines drawn left-aligned from top y in the current font; returns the
 * y below them. */
static double draw_lines(map_draw *m, char lines[][LINE_BYTES], int n, double x, double y)
{
    cairo_font_extents_t fe = font_ext(m->cr);
    for (int k = 0; k < n; k++) {
        cairo_move_to(m->cr, x, y + fe.ascent);
        cairo_show_text(m->cr, lines[k]);
        y += fe.height;
    }
    return y;
}

/* s with its baseline at (x, y): a white halo of `halo` px, then ink. */
static void halo_text(cairo_t *cr, double x, double y, const char *s, double halo, unsigned ink)
{
    cairo_new_path(cr);
    cairo_move_to(cr, x, y);
    cairo_text_path(cr, s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, halo);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke_preserve(cr);
    set_rgb(cr, ink);
    cairo_fill(cr);
}

/* ------------------------------------------------------- title, credits */

/* Draws the title; returns the y below it. */
static double draw_title(map_draw *m)
{
    char lines[2][LINE_BYTES];
    const dcs_scenario *scn = m->res->scn;
    double x = MARGIN * m->u, width = m->w - 2 * x, y = MARGIN * m->u;
    set_rgb(m->cr, INK_RGB);
    set_font(m, TITLE_PX, 1);
    if (m->title) {
        int n = wrap_tail(m->cr, m->title, "", width, 2, lines);
        return draw_lines(m, lines, n, x, y);
    }
    fit_text(m->cr, scn->name ? scn->name : "", width, lines[0]);
    y = draw_lines(m, lines, 1, x, y);
    if (!scn->description || !*scn->description)
        return y;
    set_rgb(m->cr, MUTED_RGB);
    set_font(m, TEXT_PX, 0);
    int n = wrap_tail(m->cr, scn->description, "", width, 2, lines);
    return draw_lines(m, lines, n, x, y);
}

/* The credit name of input k: its file name, or "PostgreSQL <table>"
 * (never a connection string: no password can show). */
static void input_name(const dcs_input_info *in, char *out, size_t size)
{
    char name[600];
    const char *slash = strrchr(in->dataset, '/');
    if (dcs_dsn_is_postgres(in->dataset))
        snprintf(name, sizeof name, "PostgreSQL %s", in->layer);
    else
        snprintf(name, sizeof name, "%s", slash ? slash + 1 : in->dataset);
    dcs_redact_to(name, out, size);
}

/* "Data: a.gpkg, b.tif": each input dataset's name once, in input order. */
static void data_credits(const dcs_result *res, char *out, size_t size)
{
    char name[600], other[600];
    snprintf(out, size, "Data:");
    for (size_t k = 0; k < res->ninputs; k++) {
        input_name(&res->inputs[k], name, sizeof name);
        int seen = !name[0];
        for (size_t j = 0; !seen && j < k; j++) {
            input_name(&res->inputs[j], other, sizeof other);
            seen = strcmp(name, other) == 0;
        }
        size_t len = strlen(out);
        if (!seen)
            snprintf(out + len, size - len, "%s %s", len > 5 ? "," : "", name);
    }
}

/* Draws the credits at the bottom; returns the y above them. */
static double draw_credits(map_draw *m)
{
    char data[TEXT_BYTES], tail[64], lines[4][LINE_BYTES];
    const char *given = m->res->scn->outputs.attribution;
    if (given && *given)
        snprintf(data, sizeof data, "%s", given);
    else
        data_credits(m->res, data, sizeof data);
    snprintf(tail, sizeof tail, "  ·  Map: dcsite %s", DCS_VERSION);
    double x = MARGIN * m->u, width = m->w - 2 * x;
    set_font(m, TEXT_PX, 0);
    set_rgb(m->cr, MUTED_RGB);
    int n = wrap_tail(m->cr, data, tail, width, 4, lines);
    double top = m->h - MARGIN * m->u - n * font_ext(m->cr).height;
    draw_lines(m, lines, n, x, top);
    return top;
}

/* ---------------------------------------------------------------- frame */

static void to_px(const map_frame *f, double x, double y, double *px, double *py)
{
    *px = f->pcx + (x - f->cx) * f->s;
    *py = f->pcy - (y - f->cy) * f->s;
}

/* The frame: the sites' extent (at least MIN_SPAN_M a side) plus the
 * margin, as large as fits the area at one scale for x and y, centred
 * across the area and at its top. */
static void fit_frame(map_draw *m)
{
    const double *e = m->res->sites.extent;
    double x0 = e[0], y0 = e[1], x1 = e[2], y1 = e[3];
    if (!(x0 <= x1 && y0 <= y1)) /* no site: an empty frame */
        x0 = y0 = x1 = y1 = 0;
    double sx = fmax(x1 - x0, MIN_SPAN_M), sy = fmax(y1 - y0, MIN_SPAN_M);
    double pad = PAD_FRAC * fmax(sx, sy), wx = sx + 2 * pad, wy = sy + 2 * pad;
    box a = m->area;
    double s = fmin((a.x1 - a.x0) / wx, (a.y1 - a.y0) / wy);
    double fw = wx * s, fh = wy * s, left = (a.x0 + a.x1 - fw) / 2;
    m->fr = (map_frame){
        .cx = (x0 + x1) / 2,
        .cy = (y0 + y1) / 2,
        .pcx = left + fw / 2,
        .pcy = a.y0 + fh / 2,
        .s = s,
        .b = {left, a.y0, left + fw, a.y0 + fh},
    };
}

/* The area between title and credits, split into frame and panel. */
static void layout(map_draw *m, double top, double bottom)
{
    double u = m->u, right = m->w - MARGIN * u;
    m->panel = (box){right - PANEL_W * u, top + GAP * u, right, bottom - GAP * u};
    m->area = (box){MARGIN * u, top + GAP * u, m->panel.x0 - GAP * u, bottom - GAP * u};
    fit_frame(m);
}

static void draw_frame(map_draw *m)
{
    box b = m->fr.b;
    cairo_new_path(m->cr);
    cairo_rectangle(m->cr, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
    set_rgb(m->cr, FRAME_RGB);
    cairo_set_line_width(m->cr, 1.5 * m->u);
    cairo_stroke(m->cr);
}

/* ---------------------------------------------------------------- sites */

/* Path of a ring (or line) in px; vertices within THIN_PX of the last one
 * kept are dropped (they change nothing at this scale). */
static void ring_path(cairo_t *cr, const map_frame *f, OGRGeometryH g)
{
    int n = OGR_G_GetPointCount(g);
    double lx = 0, ly = 0;
    for (int k = 0; k < n; k++) {
        double px, py;
        to_px(f, OGR_G_GetX(g, k), OGR_G_GetY(g, k), &px, &py);
        if (k > 0 && k < n - 1 && fabs(px - lx) < THIN_PX && fabs(py - ly) < THIN_PX)
            continue;
        if (k == 0)
            cairo_move_to(cr, px, py);
        else
            cairo_line_to(cr, px, py);
        lx = px;
        ly = py;
    }
    if (n > 0)
        cairo_close_path(cr);
}

/* Path of any geometry: points as dots, polygons by their rings,
 * collections by their parts. */
static void geometry_path(const map_draw *m, OGRGeometryH g)
{
    if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint) {
        double px, py;
        to_px(&m->fr, OGR_G_GetX(g, 0), OGR_G_GetY(g, 0), &px, &py);
        cairo_new_sub_path(m->cr);
        cairo_arc(m->cr, px, py, POINT_R * m->u, 0, 2 * M_PI);
        return;
    }
    int parts = OGR_G_GetGeometryCount(g);
    for (int k = 0; k < parts; k++)
        geometry_path(m, OGR_G_GetGeometryRef(g, k));
    if (parts == 0)
        ring_path(m->cr, &m->fr, g);
}

/* Site i's geometry as the current path (empty when it has none), its
 * larger side in px to *size; a polygon site under a pixel becomes a
 * pixel-sized square, so that large runs stay visible and quick to draw. */
static dcs_status site_path(const map_draw *m, size_t i, double *size, dcs_error *err)
{
    const dcs_sites *s = &m->res->sites;
    cairo_new_path(m->cr);
    *size = 0;
    OGRGeometryH g = dcs_site_ogr(s, i);
    if (!g)
        return s->wkb[i] ? dcs_error_set(err, DCS_ERR_NOMEM,
                                         "the map: out of memory reading site '%s'", s->id[i])
                         : DCS_OK;
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    double w = (env.MaxX - env.MinX) * m->fr.s, h = (env.MaxY - env.MinY) * m->fr.s;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    *size = t == wkbPoint || t == wkbMultiPoint ? 2 * POINT_R * m->u : fmax(w, h);
    if (t != wkbPoint && t != wkbMultiPoint && w < 1 && h < 1) {
        double px, py;
        to_px(&m->fr, (env.MinX + env.MaxX) / 2, (env.MinY + env.MaxY) / 2, &px, &py);
        cairo_rectangle(m->cr, px - 0.5, py - 0.5, 1, 1);
    } else {
        geometry_path(m, g);
    }
    OGR_G_DestroyGeometry(g);
    return DCS_OK;
}

/* The fill of site i: its score class, or grey when excluded. */
static unsigned site_colour(const dcs_result *res, size_t i)
{
    if (res->model.ncrits == 0)
        return res->eval.eligible[i] ? DCS_CLASS_ELIGIBLE : DCS_CLASS_EXCLUDED;
    int k = res->eval.eligible[i] ? dcs_class_of(&res->classes, res->eval.score[i]) : -1;
    return k < 0 ? DCS_CLASS_EXCLUDED : res->classes.colour[k];
}

/* Site i filled; a thin white edge sets it off from its neighbours when
 * it is large enough for one (on small sites it would wash out the fill). */
static dcs_status fill_site(map_draw *m, size_t i, dcs_error *err)
{
    double size;
    dcs_status st = site_path(m, i, &size, err);
    set_rgb(m->cr, site_colour(m->res, i));
    if (size < EDGE_MIN_PX * m->u) {
        cairo_fill(m->cr);
        return st;
    }
    cairo_fill_preserve(m->cr);
    cairo_set_source_rgba(m->cr, 1, 1, 1, 0.7);
    cairo_set_line_width(m->cr, 0.8 * m->u);
    cairo_stroke(m->cr);
    return st;
}

/* Every site: excluded ones first, then eligible ones from the lowest
 * score up; clipped to the frame. */
static dcs_status draw_sites(map_draw *m, dcs_error *err)
{
    const dcs_evaluation *ev = &m->res->eval;
    box b = m->fr.b;
    dcs_status st = DCS_OK;
    cairo_save(m->cr);
    cairo_rectangle(m->cr, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
    cairo_clip(m->cr);
    cairo_set_fill_rule(m->cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (size_t i = 0; st == DCS_OK && i < m->res->sites.n; i++)
        if (!ev->eligible[i])
            st = fill_site(m, i, err);
    for (size_t r = ev->neligible; st == DCS_OK && r-- > 0;)
        st = fill_site(m, ev->order[r], err);
    cairo_restore(m->cr);
    return st;
}

static box around(double x, double y, double r)
{
    return (box){x - r, y - r, x + r, y + r};
}

static box grown(box b, double d)
{
    return (box){b.x0 - d, b.y0 - d, b.x1 + d, b.y1 + d};
}

/* The top-N outlines (rank 1 drawn last), recording each site's extent
 * and representative point for the labels. */
static dcs_status draw_top(map_draw *m, dcs_error *err)
{
    dcs_status st = DCS_OK;
    double u = m->u;
    for (size_t r = m->ntop; st == DCS_OK && r-- > 0;) {
        size_t i = m->res->eval.order[r];
        top_site *t = &m->top[r];
        double size;
        to_px(&m->fr, m->res->sites.x[i], m->res->sites.y[i], &t->px, &t->py);
        st = site_path(m, i, &size, err);
        t->site = around(t->px, t->py, 3 * u);
        if (cairo_has_current_point(m->cr))
            cairo_path_extents(m->cr, &t->site.x0, &t->site.y0, &t->site.x1, &t->site.y1);
        t->site.x0 = fmin(t->site.x0, t->px - 3 * u);
        t->site.y0 = fmin(t->site.y0, t->py - 3 * u);
        t->site.x1 = fmax(t->site.x1, t->px + 3 * u);
        t->site.y1 = fmax(t->site.y1, t->py + 3 * u);
        set_rgb(m->cr, TOP_RGB);
        cairo_set_line_width(m->cr, OUTLINE_W * u);
        cairo_set_line_join(m->cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(m->cr);
    }
    return st;
}

/* The sites and the top-N outlines. */
static dcs_status draw_layer(map_draw *m, dcs_error *err)
{
    dcs_status st = draw_sites(m, err);
    return st == DCS_OK ? draw_top(m, err) : st;
}

/* The same drawn into an image of the frame at PDF_SITES_PPX pixels per
 * px (or taken from the cache, where the other map of the run left it),
 * then painted into m's context: a PDF with one vector path per site
 * would grow to tens of MB (and take seconds to compress) for a million;
 * a PNG gets it at half size, four pixels to one (cairo's box filter).
 * Drawn or cached, the image is the same, so the maps do not depend on
 * which was drawn first.
 * The image is opaque, white where there is no site as the page is below
 * it: with an alpha channel cairo also compressed and stored a soft mask
 * (100,000 sites: a third more bytes, ~0.1 s more). */
static dcs_status draw_layer_image(map_draw *m, dcs_error *err)
{
    box b = m->fr.b;
    double k = PDF_SITES_PPX;
    cairo_surface_t *img = cache_get(m);
    if (img) {
        paint_frame_image(m, img, k);
        cairo_surface_destroy(img);
        return DCS_OK;
    }
    img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil((b.x1 - b.x0) * k),
                                     (int)ceil((b.y1 - b.y0) * k));
    cairo_t *cr = cairo_create(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, k, k);
    cairo_translate(cr, -b.x0, -b.y0);
    map_draw sub = *m;
    sub.cr = cr;
    dcs_status st = cairo_check(err, cairo_status(cr), "the map's sites");
    if (st == DCS_OK)
        st = draw_layer(&sub, err);
    cairo_destroy(cr);
    if (st == DCS_OK) {
        cache_put(m, img, k);
        paint_frame_image(m, img, k);
    }
    cairo_surface_destroy(img);
    return st;
}

/* --------------------------------------------------------------- labels */

static int overlaps(box a, box b)
{
    return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

static int inside(box a, box b)
{
    return a.x0 >= b.x0 && a.x1 <= b.x1 && a.y0 >= b.y0 && a.y1 <= b.y1;
}

/* 1 when the segment (ax, ay)-(bx, by) meets box b (Liang-Barsky). */
static int segment_hits(box b, double ax, double ay, double bx, double by)
{
    double t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {ax - b.x0, b.x1 - ax, ay - b.y0, b.y1 - ay};
    for (int k = 0; k < 4; k++) {
        if (p[k] == 0) {
            if (q[k] < 0)
                return 0;
            continue;
        }
        double t = q[k] / p[k];
        if (p[k] < 0)
            t0 = fmax(t0, t);
        else
            t1 = fmin(t1, t);
        if (t0 > t1)
            return 0;
    }
    return 1;
}

/* The cost of c as top site r's label, against the frame, the labels
 * already placed (ranks before r) and every top site. */
static double label_cost(const map_draw *m, size_t r, const top_site *c, double dist)
{
    double cost = dist;
    box spaced = grown(c->label, LABEL_GAP * m->u);
    if (!inside(c->label, m->fr.b))
        cost += 1e5;
    for (size_t k = 0; k < r; k++) {
        const top_site *o = &m->top[k];
        cost += overlaps(spaced, o->label) ? 1e4 : 0; /* "2" beside "1" reads "21" */
        cost += segment_hits(o->label, c->sx, c->sy, c->ax, c->ay) ? 1e3 : 0;
        cost += segment_hits(c->label, o->sx, o->sy, o->ax, o->ay) ? 1e3 : 0;
    }
    for (size_t k = 0; k < m->ntop; k++) {
        const top_site *o = &m->top[k];
        box point = around(o->px, o->py, 4 * m->u);
        cost += overlaps(c->label, point) ? 1e4 : 0;
        cost += overlaps(c->label, o->site) ? (k == r ? 1e4 : 2e3) : 0;
        if (k != r) {
            cost += segment_hits(point, c->sx, c->sy, c->ax, c->ay) ? 1e4 : 0;
            cost += segment_hits(o->site, c->sx, c->sy, c->ax, c->ay) ? 300 : 0;
        }
    }
    return cost;
}

/* Candidate label of top site t: direction (dx, dy), dist px beyond the
 * site's extent, a label of tw x th px with its near side or corner at
 * the end of the leader line, which starts inside the site (so that it
 * says which of several neighbours it names) but clear of its point. */
static top_site candidate(const top_site *t, double dx, double dy, double dist, double tw,
                          double th, double u)
{
    top_site c = *t;
    double norm = hypot(dx, dy), ux = dx / norm, uy = dy / norm;
    double w = t->site.x1 - t->site.x0, h = t->site.y1 - t->site.y0;
    double inner = fmax(0.3 * fmin(w, h), LEADER_CLEAR * u);
    double reach = hypot(w, h) / 2 + dist;
    c.sx = t->px + ux * inner; /* inside the site, clear of its point */
    c.sy = t->py + uy * inner;
    c.ax = t->px + ux * reach;
    c.ay = t->py + uy * reach;
    double x0 = dx > 0 ? c.ax : dx < 0 ? c.ax - tw : c.ax - tw / 2;
    double y0 = dy > 0 ? c.ay : dy < 0 ? c.ay - th : c.ay - th / 2;
    c.label = (box){x0, y0, x0 + tw, y0 + th};
    return c;
}

/* The cheapest position for top site r's label of tw x th px. */
static void place_label(map_draw *m, size_t r, double tw, double th)
{
    static const double dirs[8][2] = {{1, -1}, {1, 0}, {1, 1}, {0, 1},
                                      {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}};
    static const double dists[] = {10, 36, 62, 90, 120, 155};
    double best = INFINITY;
    top_site keep = m->top[r];
    for (size_t d = 0; d < sizeof dists / sizeof dists[0]; d++)
        for (int k = 0; k < 8; k++) {
            top_site c = candidate(&m->top[r], dirs[k][0], dirs[k][1], dists[d] * m->u, tw, th,
                                    m->u);
            double cost = label_cost(m, r, &c, dists[d]);
            if (cost < best) {
                best = cost;
                keep = c;
            }
        }
    m->top[r] = keep;
}

/* A leader line from inside the site (a dot there) to its label: pass 0
 * its white casing, pass 1 the ink. */
static void draw_leader(map_draw *m, const top_site *t, int pass)
{
    double u = m->u, grow = pass ? 0 : LEADER_CASING * u;
    cairo_new_path(m->cr);
    cairo_move_to(m->cr, t->sx, t->sy);
    cairo_line_to(m->cr, t->ax, t->ay);
    set_rgb(m->cr, pass ? INK_RGB : 0xffffffu);
    cairo_set_line_width(m->cr, LEADER_W * u + 2 * grow);
    cairo_set_line_cap(m->cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(m->cr);
    cairo_arc(m->cr, t->sx, t->sy, LEADER_DOT * u + grow, 0, 2 * M_PI);
    cairo_fill(m->cr);
}

/* Rank labels (the first MAX_LABELS ranks): placed in rank order, leader
 * lines first, then the numbers with their halo over them. */
static void draw_labels(map_draw *m)
{
    char text[32];
    double pad = 4 * m->u;
    size_t n = m->ntop < MAX_LABELS ? m->ntop : MAX_LABELS;
    set_font(m, TEXT_PX, 1);
    for (size_t r = 0; r < n; r++) {
        snprintf(text, sizeof text, "%zu", r + 1);
        cairo_text_extents(m->cr, text, &m->top[r].te);
        place_label(m, r, m->top[r].te.width + 2 * pad, m->top[r].te.height + 2 * pad);
    }
    for (int pass = 0; pass < 2; pass++) /* a white casing, then the ink */
        for (size_t r = 0; r < n; r++)
            draw_leader(m, &m->top[r], pass);
    for (size_t r = 0; r < n; r++) {
        const top_site *t = &m->top[r];
        snprintf(text, sizeof text, "%zu", r + 1);
        halo_text(m->cr, t->label.x0 + pad - t->te.x_bearing, t->label.y0 + pad - t->te.y_bearing,
                  text, 6 * m->u, INK_RGB);
    }
}

/* --------------------------------------------------------------- legend */

/* Decimals (2 to 4) that print every break of c differently. */
static int break_decimals(const dcs_classes *c)
{
    char a[32], b[32];
    for (int d = 2; d < 4; d++) {
        int distinct = 1;
        for (size_t k = 0; distinct && k < c->n && c->n > 1; k++) {
            snprintf(a, sizeof a, "%.*f", d, c->brk[k]);
            snprintf(b, sizeof b, "%.*f", d, c->brk[k + 1]);
            distinct = strcmp(a, b) != 0;
        }
        if (distinct)
            return d;
    }
    return 4;
}

/* A legend row at y: a swatch (fill; a thin or a top-N outline) and its
 * text; returns the next row's y. */
static double legend_row(map_draw *m, double y, unsigned fill, int top, const char *text)
{
    char line[LINE_BYTES];
    double u = m->u, x = m->panel.x0 + PANEL_PAD * u;
    cairo_new_path(m->cr);
    cairo_rectangle(m->cr, x, y, SWATCH_W * u, SWATCH_H * u);
    set_rgb(m->cr, fill);
    cairo_fill_preserve(m->cr);
    set_rgb(m->cr, top ? TOP_RGB : FRAME_RGB);
    cairo_set_line_width(m->cr, (top ? OUTLINE_W : 1) * u);
    cairo_stroke(m->cr);
    set_font(m, TEXT_PX, 0);
    cairo_font_extents_t fe = font_ext(m->cr);
    double tx = x + (SWATCH_W + 14) * u;
    fit_text(m->cr, text, m->panel.x1 - tx, line);
    set_rgb(m->cr, INK_RGB);
    cairo_move_to(m->cr, tx, y + SWATCH_H * u / 2 + (fe.ascent - fe.descent) / 2);
    cairo_show_text(m->cr, line);
    return y + ROW_H * u;
}

/* One line of legend text at y in the given size; returns the next y. */
static double legend_text(map_draw *m, double y, double px, int bold, unsigned ink,
                          const char *text)
{
    char line[LINE_BYTES];
    double x = m->panel.x0 + PANEL_PAD * m->u;
    set_font(m, px, bold);
    set_rgb(m->cr, ink);
    fit_text(m->cr, text, m->panel.x1 - x, line);
    return draw_lines(m, &line, 1, x, y);
}

/* The working CRS (the PNG's world file is in it) on up to two lines. */
static void legend_crs(map_draw *m, double y)
{
    char lines[2][LINE_BYTES], text[200];
    double x = m->panel.x0 + PANEL_PAD * m->u;
    snprintf(text, sizeof text, "CRS %s", m->res->crs.name[0] ? m->res->crs.name : "unknown");
    set_font(m, TEXT_PX, 0);
    set_rgb(m->cr, MUTED_RGB);
    int n = wrap_tail(m->cr, text, "", m->panel.x1 - x, 2, lines);
    draw_lines(m, lines, n, x, y);
}

/* n with thousands separators ("1,000,000") into out. */
static void group_digits(size_t n, char *out, size_t size)
{
    char d[32];
    size_t len = (size_t)snprintf(d, sizeof d, "%zu", n), o = 0;
    for (size_t k = 0; k < len && o + 2 < size; k++) {
        if (k > 0 && (len - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = d[k];
    }
    out[o] = '\0';
}

/* The class rows, highest scores first. */
static double legend_classes(map_draw *m, double y)
{
    const dcs_classes *c = &m->res->classes;
    int d = break_decimals(c);
    char text[96];
    for (size_t k = c->n; k-- > 0;) {
        if (c->brk[k] == c->brk[k + 1])
            snprintf(text, sizeof text, "%.*f", d, c->brk[k]);
        else
            snprintf(text, sizeof text, "%.*f – %.*f", d, c->brk[k], d, c->brk[k + 1]);
        y = legend_row(m, y, c->colour[k], 0, text);
    }
    return y;
}

static void draw_legend(map_draw *m)
{
    const dcs_result *res = m->res;
    double u = m->u, y = m->panel.y0;
    char text[96], digits[32];
    if (res->model.ncrits == 0) { /* measure-only */
        y = legend_text(m, y, HEAD_PX, 1, INK_RGB, "Sites");
        y = legend_text(m, y, TEXT_PX, 0, MUTED_RGB, "no criteria, so no score") + 8 * u;
        y = legend_row(m, y, DCS_CLASS_ELIGIBLE, 0, "Eligible");
    } else {
        y = legend_text(m, y, HEAD_PX, 1, INK_RGB, "Site score");
        y = legend_text(m, y, TEXT_PX, 0, MUTED_RGB, "score, 0–1, by class") + 8 * u;
        y = legend_classes(m, y);
    }
    y = legend_row(m, y, DCS_CLASS_EXCLUDED, 0, "Excluded");
    if (m->ntop > 0) {
        unsigned fill = res->classes.n ? res->classes.colour[res->classes.n - 1] : 0xffffffu;
        snprintf(text, sizeof text, "Top %zu, by rank", m->ntop);
        y = legend_row(m, y, fill, 1, text);
    }
    y += 10 * u;
    group_digits(res->sites.n, digits, sizeof digits);
    snprintf(text, sizeof text, "%s candidate sites", digits);
    y = legend_text(m, y, TEXT_PX, 0, MUTED_RGB, text);
    group_digits(res->eval.neligible, digits, sizeof digits);
    snprintf(text, sizeof text, "%s eligible", digits);
    y = legend_text(m, y, TEXT_PX, 0, MUTED_RGB, text);
    legend_crs(m, y + 10 * u);
}

/* A round length in metres (1, 2 or 5 x 10^k) of at most max_m. */
static double nice_length(double max_m)
{
    double p = pow(10, floor(log10(max_m)));
    return max_m >= 5 * p ? 5 * p : max_m >= 2 * p ? 2 * p : p;
}

/* "%g" of metres in the bar's unit. */
static void scale_label(double metres, int km, char *out, size_t size)
{
    snprintf(out, size, "%g", km ? metres / 1000 : metres);
}

static void centred_text(cairo_t *cr, double x, double y, const char *s)
{
    cairo_move_to(cr, x - text_w(cr, s) / 2, y);
    cairo_show_text(cr, s);
}

/* The scale bar at the panel's lower left: two halves, black and white,
 * labelled 0, half and the length in km (m under 1 km); in working-CRS
 * metres. */
static void draw_scale_bar(map_draw *m)
{
    double u = m->u, x = m->panel.x0 + PANEL_PAD * u, y = m->panel.y1 - 58 * u;
    double len_m = nice_length(230 * u / m->fr.s), len = len_m * m->fr.s, bar_h = 12 * u;
    int km = len_m >= 1000;
    char a[32], b[32];
    for (int k = 0; k < 2; k++) {
        cairo_new_path(m->cr);
        cairo_rectangle(m->cr, x + k * len / 2, y, len / 2, bar_h);
        set_rgb(m->cr, k ? 0xffffffu : INK_RGB);
        cairo_fill_preserve(m->cr);
        set_rgb(m->cr, INK_RGB);
        cairo_set_line_width(m->cr, 1.5 * u);
        cairo_stroke(m->cr);
    }
    set_font(m, TEXT_PX, 0);
    double base = y + bar_h + font_ext(m->cr).ascent + 4 * u;
    scale_label(len_m / 2, km, a, sizeof a);
    scale_label(len_m, km, b, sizeof b);
    centred_text(m->cr, x, base, "0");
    centred_text(m->cr, x + len / 2, base, a);
    centred_text(m->cr, x + len, base, b);
    cairo_move_to(m->cr, x + len + text_w(m->cr, b) / 2 + 6 * u, base);
    cairo_show_text(m->cr, km ? "km" : "m");
}

/* The north arrow (grid north of the working CRS) at the panel's lower
 * right: a split arrowhead under an "N". */
static void draw_north_arrow(map_draw *m)
{
    double u = m->u, cx = m->panel.x1 - 40 * u, by = m->panel.y1 - 10 * u;
    double ty = by - 70 * u, hw = 18 * u, notch = by - 18 * u;
    cairo_new_path(m->cr);
    cairo_move_to(m->cr, cx, ty);
    cairo_line_to(m->cr, cx - hw, by);
    cairo_line_to(m->cr, cx, notch);
    cairo_close_path(m->cr);
    set_rgb(m->cr, INK_RGB);
    cairo_fill(m->cr);
    cairo_move_to(m->cr, cx, ty);
    cairo_line_to(m->cr, cx + hw, by);
    cairo_line_to(m->cr, cx, notch);
    cairo_close_path(m->cr);
    cairo_set_source_rgb(m->cr, 1, 1, 1);
    cairo_fill_preserve(m->cr);
    set_rgb(m->cr, INK_RGB);
    cairo_set_line_width(m->cr, 1.5 * u);
    cairo_stroke(m->cr);
    set_font(m, HEAD_PX, 1);
    centred_text(m->cr, cx, ty - 8 * u, "N");
}

/* ------------------------------------------------------------------ map */

static dcs_status draw_map(map_draw *m, dcs_error *err)
{
    cairo_set_source_rgb(m->cr, 1, 1, 1);
    cairo_paint(m->cr);
    double top = draw_title(m), bottom = draw_credits(m);
    layout(m, top, bottom);
    size_t n = m->res->scn->outputs.top_n;
    m->ntop = n < m->res->eval.neligible ? n : m->res->eval.neligible;
    if (m->res->model.ncrits == 0)
        m->ntop = 0; /* measure-only: no ranking to show */
    m->top = calloc(m->ntop ? m->ntop : 1, sizeof *m->top);
    if (!m->top)
        return dcs_error_set(err, DCS_ERR_NOMEM, "the map: out of memory");
    dcs_status st = m->raster_sites ? draw_layer_image(m, err) : draw_layer(m, err);
    draw_frame(m);
    if (st == DCS_OK)
        draw_labels(m);
    draw_legend(m);
    draw_scale_bar(m);
    draw_north_arrow(m);
    return st;
}

static void map_size(const dcs_map_options *opt, int *w, int *h)
{
    *w = opt && opt->width_px > 0 ? opt->width_px : 0;
    *h = opt && opt->height_px > 0 ? opt->height_px : 0;
    if (!*w && !*h) {
        *w = MAP_W;
        *h = MAP_H;
    } else if (!*w) {
        *w = *h * MAP_W / MAP_H;
    } else if (!*h) {
        *h = *w * MAP_H / MAP_W;
    }
}

/* The map drawn on surface s at scale k (device units per px); the frame
 * used to *fr when not NULL; page: emit the page (PDF). */
static dcs_status render(const dcs_result *res, const dcs_map_options *opt, dcs_map_cache *cache,
                         cairo_surface_t *s, double k, int page, map_frame *fr, const char *what,
                         dcs_error *err)
{
    int w, h;
    map_size(opt, &w, &h);
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, k, k);
    /* the same glyph options on every surface: cairo renders a face with
     * the options of the surface that used it first, so the PNG's text
     * depended on whether the PDF was drawn before it */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
    map_draw m = {
        .cr = cr,
        .cache = cache,
        .res = res,
        .title = opt ? opt->title : NULL,
        .w = w,
        .h = h,
        .u = fmin(w / (double)MAP_W, h / (double)MAP_H),
        .raster_sites = res->sites.n > PDF_VECTOR_MAX,
    };
    dcs_status st = draw_map(&m, err);
    if (page)
        cairo_show_page(cr);
    if (st == DCS_OK)
        st = cairo_check(err, cairo_status(cr), what);
    if (fr)
        *fr = m.fr;
    free(m.top);
    cairo_destroy(cr);
    return st;
}

/* ------------------------------------------------------------------ PNG */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} png_buf;

static cairo_status_t png_append(void *closure, const unsigned char *data, unsigned int n)
{
    png_buf *b = closure;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p)
            return CAIRO_STATUS_NO_MEMORY;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return CAIRO_STATUS_SUCCESS;
}

/* The PNG in memory and the frame it was drawn with. */
static dcs_status png_render(const dcs_result *res, const dcs_map_options *opt,
                             dcs_map_cache *cache, unsigned char **buf, size_t *len,
                             map_frame *fr, const char *what, dcs_error *err)
{
    int w, h;
    map_size(opt, &w, &h);
    png_buf b = {.p = NULL, .len = 0, .cap = 0};
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    dcs_status st = cairo_check(err, cairo_surface_status(s), what);
    if (st == DCS_OK)
        st = render(res, opt, cache, s, 1, 0, fr, what, err);
    if (st == DCS_OK)
        st = cairo_check(err, cairo_surface_write_to_png_stream(s, png_append, &b), what);
    cairo_surface_destroy(s);
    if (st != DCS_OK) {
        free(b.p);
        return st;
    }
    *buf = b.p;
    *len = b.len;
    return DCS_OK;
}

dcs_status dcs_map_png_buffer(const dcs_result *res, const dcs_map_options *opt,
                              unsigned char **buf, size_t *len, dcs_error *err)
{
    char what[300];
    snprintf(what, sizeof what, "the map of scenario '%s'", res->scn->name);
    *buf = NULL;
    *len = 0;
    return png_render(res, opt, NULL, buf, len, NULL, what, err);
}

/* path with its extension (after the last '.' of the file name) replaced
 * by ext, or ext appended when it has none. */
static void sidecar_path(const char *path, const char *ext, char *out)
{
    snprintf(out, DCS_PATH_MAX, "%s", path);
    char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash))
        dot = out + strlen(out);
    snprintf(dot, DCS_PATH_MAX - (size_t)(dot - out), ".%s", ext);
}

static dcs_status write_bytes(const char *path, const void *p, size_t n, const char *what,
                              dcs_error *err)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create %s '%s': %s", what, path,
                             strerror(errno));
    int e = fwrite(p, 1, n, fp) == n ? 0 : errno;
    if (fclose(fp) != 0 && !e)
        e = errno;
    if (e)
        return dcs_error_set(err, DCS_ERR_IO, "cannot write %s '%s': %s", what, path,
                             strerror(e));
    return DCS_OK;
}

/* The ESRI world file: pixel size in x, two rotation terms, minus the
 * pixel size in y, then x and y of the centre of the upper-left pixel. */
static dcs_status write_world_file(const map_frame *fr, const char *png, dcs_error *err)
{
    char path[DCS_PATH_MAX], text[256];
    double px = 1 / fr->s;
    sidecar_path(png, "pgw", path);
    int n = snprintf(text, sizeof text, "%.10f\n0.0000000000\n0.0000000000\n%.10f\n%.10f\n%.10f\n",
                     px, -px, fr->cx + (0.5 - fr->pcx) * px, fr->cy + (fr->pcy - 0.5) * px);
    return write_bytes(path, text, (size_t)n, "the map's world file", err);
}

/* The working CRS as ESRI WKT (the .prj convention), else as OGC WKT. */
static dcs_status write_prj(const dcs_result *res, const char *png, dcs_error *err)
{
    static const char *const esri[] = {"FORMAT=WKT1_ESRI", NULL};
    char path[DCS_PATH_MAX], *wkt = NULL;
    sidecar_path(png, "prj", path);
    if (!res->crs.work)
        return DCS_OK;
    if (OSRExportToWktEx(res->crs.work, &wkt, esri) != OGRERR_NONE) {
        CPLFree(wkt);
        wkt = NULL;
        if (OSRExportToWkt(res->crs.work, &wkt) != OGRERR_NONE) {
            CPLFree(wkt);
            return dcs_error_set(err, DCS_ERR_DATA, "cannot write the working CRS %s as WKT "
                                 "for '%s'", res->crs.name, path);
        }
    }
    dcs_status st = write_bytes(path, wkt, strlen(wkt), "the map's CRS file", err);
    CPLFree(wkt);
    return st;
}

/* GDAL's auxiliary file <png>.aux.xml with the working CRS, so GDAL and
 * QGIS know the PNG's CRS (the world file gives only its geotransform). */
static dcs_status write_aux(const dcs_result *res, const char *png, dcs_error *err)
{
    char path[DCS_PATH_MAX + 8], *wkt = NULL;
    snprintf(path, sizeof path, "%s.aux.xml", png);
    if (!res->crs.work)
        return DCS_OK;
    if (OSRExportToWkt(res->crs.work, &wkt) != OGRERR_NONE) {
        CPLFree(wkt);
        return dcs_error_set(err, DCS_ERR_DATA, "cannot write the working CRS %s as WKT for "
                             "'%s'", res->crs.name, path);
    }
    char *xml = CPLEscapeString(wkt, -1, CPLES_XML);
    CPLFree(wkt);
    char *text = xml ? CPLStrdup(CPLSPrintf("<PAMDataset>\n  <SRS dataAxisToSRSAxisMapping="
                                            "\"1,2\">%s</SRS>\n</PAMDataset>\n", xml))
                     : NULL;
    CPLFree(xml);
    if (!text)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory writing '%s'", path);
    dcs_status st = write_bytes(path, text, strlen(text), "the map's CRS file", err);
    CPLFree(text);
    return st;
}

dcs_status dcs_map_png(const dcs_result *res, const dcs_map_options *opt, const char *path,
                       dcs_map_cache *cache, dcs_error *err)
{
    char what[DCS_PATH_MAX + 16];
    unsigned char *buf = NULL;
    size_t len = 0;
    map_frame fr;
    snprintf(what, sizeof what, "the map '%s'", path);
    dcs_status st = png_render(res, opt, cache, &buf, &len, &fr, what, err);
    if (st == DCS_OK)
        st = write_bytes(path, buf, len, "the map", err);
    free(buf);
    if (st == DCS_OK)
        st = write_world_file(&fr, path, err);
    if (st == DCS_OK)
        st = write_prj(res, path, err);
    if (st == DCS_OK)
        st = write_aux(res, path, err);
    return st;
}

/* ------------------------------------------------------------------ PDF */

typedef struct {
    FILE *fp;
    int err; /* errno of the first failed write */
} pdf_sink;

static cairo_status_t pdf_write(void *closure, const unsigned char *data, unsigned int n)
{
    pdf_sink *k = closure;
    if (fwrite(data, 1, n, k->fp) == n)
        return CAIRO_STATUS_SUCCESS;
    if (!k->err)
        k->err = errno ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
}

static void pdf_metadata(cairo_surface_t *s, const dcs_result *res, const dcs_map_options *opt)
{
    char creator[64];
    snprintf(creator, sizeof creator, "dcsite %s", DCS_VERSION);
    const char *title = opt && opt->title ? opt->title : res->scn->name;
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title ? title : "");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, creator);
}

/* The map drawn into a PDF stream on sink (A4 landscape scale). */
static dcs_status pdf_render(const dcs_result *res, const dcs_map_options *opt,
                             dcs_map_cache *cache, pdf_sink *sink, const char *what,
                             dcs_error *err)
{
    int w, h;
    map_size(opt, &w, &h);
    double k = fmin(A4_LONG_PT / (w > h ? w : h), A4_SHORT_PT / (w > h ? h : w));
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(pdf_write, sink, w * k, h * k);
    dcs_status st = cairo_check(err, cairo_surface_status(s), what);
    if (st == DCS_OK) {
        pdf_metadata(s, res, opt);
        st = render(res, opt, cache, s, k, 1, NULL, what, err);
    }
    cairo_surface_finish(s);
    if (st == DCS_OK)
        st = cairo_check(err, cairo_surface_status(s), what);
    cairo_surface_destroy(s);
    return st;
}

dcs_status dcs_map_pdf(const dcs_result *res, const dcs_map_options *opt, const char *path,
                       dcs_map_cache *cache, dcs_error *err)
{
    char what[DCS_PATH_MAX + 16];
    snprintf(what, sizeof what, "the map '%s'", path);
    pdf_sink sink = {.fp = fopen(path, "wb"), .err = 0};
    if (!sink.fp)
        return dcs_error_set(err, DCS_ERR_IO, "cannot create the map '%s': %s", path,
                             strerror(errno));
    dcs_status st = pdf_render(res, opt, cache, &sink, what, err);
    int closed = fclose(sink.fp) == 0 ? 0 : errno;
    if (sink.err || (closed && st == DCS_OK)) /* the file's own error says more than cairo's */
        st = dcs_error_set(err, DCS_ERR_IO, "cannot write the map '%s': %s", path,
                           strerror(sink.err ? sink.err : closed));
    return st;
}

/* ------------------------------------------------------------ fonts */

/* cairo's static data (its toy font faces hold fontconfig patterns), then
 * fontconfig's configuration and caches (cairo finds its fonts through
 * fontconfig; dcsite links it to release them). */
void dcs_map_release_fonts(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
