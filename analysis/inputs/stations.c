/* stations.c - weather stations and their modelled year. See stations.h. */
#include "inputs/stations.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dcs_station_work {
    const dcs_scenario *scn;
    dcs_strlist files;
    atomic_size_t next;    /* next file to model */
    dcs_strlist *warnings; /* per file */
    dcs_error *errors;     /* per file (status DCS_OK when it worked) */
};

/* Every file: the scenario's list, then the table's rows (resolved). */
static dcs_status list_files(const dcs_scenario *scn, dcs_strlist *files, dcs_layer *table,
                             int field, dcs_error *err)
{
    for (size_t i = 0; i < scn->energy.nstations; i++)
        if (dcs_strlist_addf(files, "%s", scn->energy.stations[i]) != 0)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (!table)
        return DCS_OK;
    OGR_L_ResetReading(table->lyr);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(table->lyr))) {
        const char *name = OGR_F_IsFieldSetAndNotNull(f, field) ? OGR_F_GetFieldAsString(f, field)
                                                                 : "";
        if (name[strspn(name, " \t")] == '\0') {
            dcs_error_set(err, DCS_ERR_DATA, "energy.station_table: feature %lld of '%s' has "
                          "no weather file in field '%s' (empty); fill it in, or leave the row "
                          "out with a \"where\" filter", (long long)OGR_F_GetFID(f),
                          table->src->dataset, scn->energy.file_field);
            OGR_F_Destroy(f);
            return DCS_ERR_DATA;
        }
        char *path = dcs_scenario_resolve(scn, name);
        int bad = !path || dcs_strlist_addf(files, "%s", path) != 0;
        free(path);
        OGR_F_Destroy(f);
        if (bad)
            return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    if (files->count == 0)
        return dcs_error_set(err, DCS_ERR_DATA, "energy.station_table: no weather file listed");
    return DCS_OK;
}

/* The energy model at the scenario's design; the hours kept in
 * st->hourly_mw when the scenario has hourly signals. */
static dcs_status run_model(const dcs_scenario *scn, const dcs_weather *w, dcs_station *st,
                            dcs_error *err)
{
    dcs_energy_options o = {.design_dry_bulb_c = scn->energy.design_dry_bulb_c,
                            .design_wet_bulb_c = scn->energy.design_wet_bulb_c,
                            .hours = NULL};
    int hourly = scn->energy.hourly.src.dataset != NULL;
    if (hourly && w->hours != DCS_HOURS)
        return dcs_error_set(err, DCS_ERR_DATA, "%s: %zu hours, not %d", st->file, w->hours,
                             DCS_HOURS);
    if (hourly && (!(o.hours = malloc(DCS_HOURS * sizeof *o.hours)) ||
                   !(st->hourly_mw = malloc(DCS_HOURS * sizeof *st->hourly_mw)))) {
        free(o.hours);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    }
    dcs_status s = dcs_energy_run(w, &scn->energy.cooling, scn->it_load_mw, &o, &st->energy, err);
    for (size_t h = 0; hourly && h < DCS_HOURS; h++)
        st->hourly_mw[h] = o.hours[h].facility_mw;
    free(o.hours);
    return s;
}

static dcs_status model_station(const dcs_scenario *scn, const char *file, dcs_station *st,
                                dcs_strlist *warnings, dcs_error *err)
{
    dcs_weather w;
    dcs_status st_ = dcs_weather_read(file, &w, err);
    if (st_ != DCS_OK)
        return st_;
    st->file = dcs_strdup(file);
    st->format = w.format;
    snprintf(st->name, sizeof st->name, "%s", w.station);
    snprintf(st->id, sizeof st->id, "%s", w.station_id);
    st->lon = w.longitude;
    st->lat = w.latitude;
    st->elevation_m = w.elevation_m;
    for (size_t k = 0; k < w.warnings.count; k++)
        dcs_strlist_addf(warnings, "%s", w.warnings.items[k]);
    st->note = w.notes.count ? dcs_strlist_join(&w.notes, "; ") : NULL;
    st_ = st->file ? run_model(scn, &w, st, err) : DCS_OK;
    dcs_weather_free(&w);
    if (!st->file && st_ == DCS_OK)
        st_ = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    return st_;
}

/* Station points in the working CRS, indexed. */
static dcs_status index_points(dcs_stations *s, const dcs_crs *crs, GEOSContextHandle_t geos,
                               dcs_error *err)
{
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(crs->lonlat, crs->work);
    GEOSGeometry **pts = calloc(s->n ? s->n : 1, sizeof *pts);
    dcs_status st = DCS_OK;
    if (!ct || !pts) {
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory indexing weather stations");
        goto fail;
    }
    for (size_t i = 0; i < s->n && st == DCS_OK; i++) {
        double x = s->st[i].lon, y = s->st[i].lat;
        if (!OCTTransform(ct, 1, &x, &y, NULL) || !(pts[i] = GEOSGeom_createPointFromXY_r(geos, x, y)))
            st = dcs_error_set(err, DCS_ERR_DATA,
                               "weather station '%s' (%s): cannot place %.4f, %.4f in %s",
                               s->st[i].name, s->st[i].file, s->st[i].lat, s->st[i].lon, crs->name);
    }
    if (st == DCS_OK) {
        st = dcs_polyset_from_geoms(geos, pts, s->n, &s->points, err);
        pts = NULL; /* the set owns the points now, even on failure */
    }
fail:
    for (size_t i = 0; pts && i < s->n; i++)
        if (pts[i])
            GEOSGeom_destroy_r(geos, pts[i]);
    free(pts);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    return st;
}

dcs_status dcs_stations_begin(const dcs_scenario *scn, dcs_layer *table, int file_field,
                              GEOSContextHandle_t geos, dcs_stations *s, dcs_error *err)
{
    memset(s, 0, sizeof *s);
    s->points.geos = geos;
    dcs_station_work *w = calloc(1, sizeof *w);
    if (!w)
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    s->work = w;
    atomic_init(&w->next, 0);
    dcs_status st = list_files(scn, &w->files, table, file_field, err);
    size_t n = w->files.count;
    if (st == DCS_OK && (!(s->st = calloc(n + 1, sizeof *s->st)) ||
                         !(w->warnings = calloc(n + 1, sizeof *w->warnings)) ||
                         !(w->errors = calloc(n + 1, sizeof *w->errors))))
        st = dcs_error_set(err, DCS_ERR_NOMEM, "out of memory");
    if (st == DCS_OK)
        s->cap = n;
    w->scn = scn;
    return st;
}

int dcs_stations_model_next(dcs_stations *s)
{
    dcs_station_work *w = s->work;
    size_t i = atomic_fetch_add(&w->next, 1);
    if (i >= s->cap)
        return 0;
    w->errors[i].status = model_station(w->scn, w->files.items[i], &s->st[i], &w->warnings[i],
                                        &w->errors[i]);
    return 1;
}

/* The work record's per-file warnings in file order, then the work
 * record itself, freed. */
static void finish_work(dcs_stations *s)
{
    dcs_station_work *w = s->work;
    for (size_t i = 0; i < s->cap; i++) {
        for (size_t k = 0; k < w->warnings[i].count; k++)
            dcs_strlist_addf(&s->warnings, "%s", w->warnings[i].items[k]);
        dcs_strlist_free(&w->warnings[i]);
    }
    dcs_strlist_free(&w->files);
    free(w->warnings);
    free(w->errors);
    free(w);
    s->work = NULL;
}

dcs_status dcs_stations_finish(dcs_stations *s, const dcs_crs *crs, dcs_error *err)
{
    dcs_station_work *w = s->work;
    if (!w)
        return DCS_OK;
    while (dcs_stations_model_next(s))
        ;
    dcs_status st = DCS_OK;
    for (size_t i = 0; st == DCS_OK && i < s->cap; i++)
        if ((st = w->errors[i].status) != DCS_OK)
            *err = w->errors[i];
    finish_work(s);
    if (st == DCS_OK) {
        s->n = s->cap;
        st = index_points(s, crs, s->points.geos, err);
    }
    return st;
}

dcs_status dcs_stations_load(const dcs_scenario *scn, dcs_layer *table, int file_field,
                             const dcs_crs *crs, GEOSContextHandle_t geos, dcs_stations *s,
                             dcs_error *err)
{
    dcs_status st = dcs_stations_begin(scn, table, file_field, geos, s, err);
    return st == DCS_OK ? dcs_stations_finish(s, crs, err) : st;
}

dcs_status dcs_stations_check(const dcs_scenario *scn, dcs_layer *table, int file_field,
                              dcs_strlist *problems, dcs_error *err)
{
    dcs_strlist files = {0};
    dcs_status st = list_files(scn, &files, table, file_field, err);
    for (size_t i = 0; st == DCS_OK && i < files.count; i++) {
        dcs_weather w;
        dcs_error e;
        if (dcs_weather_read(files.items[i], &w, &e) != DCS_OK)
            dcs_strlist_addf(problems, "energy: %s", e.message);
        else
            dcs_weather_free(&w);
    }
    dcs_strlist_free(&files);
    return st;
}

void dcs_stations_free(dcs_stations *s)
{
    if (s->work) {
        while (dcs_stations_model_next(s)) /* none runs now: this only claims the rest */
            ;
        finish_work(s);
    }
    for (size_t i = 0; s->st && i < s->cap; i++) {
        free(s->st[i].file);
        free(s->st[i].note);
        free(s->st[i].hourly_mw);
    }
    free(s->st);
    dcs_polyset_free(&s->points);
    dcs_strlist_free(&s->warnings);
    memset(s, 0, sizeof *s);
}
