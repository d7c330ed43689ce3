/* report_hourly.c - the year hour by hour as CSV. See report_hourly.h. */
#include "report_hourly.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

static const char *mode_name(dcs_cooling_mode m)
{
    return m == DCS_MODE_FREE ? "free" : m == DCS_MODE_PARTIAL ? "partial" : "mechanical";
}

static const char *flag_name(unsigned f)
{
    if ((f & DCS_WX_FLAG_DEW_ABOVE_DRY) && (f & DCS_WX_FLAG_SPIKE))
        return "dew_above_dry+spike";
    return f & DCS_WX_FLAG_DEW_ABOVE_DRY ? "dew_above_dry" : f & DCS_WX_FLAG_SPIKE ? "spike" : "";
}

/* Day of the month of hour h (the year has no 29 February). */
static int day_of_month(const dcs_weather *w, size_t h)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    int m = w->month[h] >= 1 && w->month[h] <= 12 ? w->month[h] : 1;
    return w->day_of_year[h] - before[m - 1];
}

static int write_rows(FILE *f, const dcs_weather *w, const dcs_energy_hour *hours, double it_mw)
{
    fprintf(f, "hour_of_year,timestamp,dry_bulb_c,wet_bulb_c,dew_point_c,mode,pue,facility_mw,"
               "water_m3,flag\n");
    for (size_t h = 0; h < w->hours; h++) {
        const dcs_energy_hour *x = &hours[h];
        fprintf(f, "%zu,%02d-%02d %02d:00,%.12g,%.12g,%.12g,%s,%.12g,%.12g,%.12g,%s\n", h + 1,
                w->month[h], day_of_month(w, h), (int)(h % 24) + 1, x->dry_bulb_c, x->wet_bulb_c,
                x->dew_point_c, mode_name(x->mode), x->facility_mw / it_mw, x->facility_mw,
                x->water_m3, flag_name(x->flag));
    }
    return ferror(f) ? -1 : 0;
}

/* tmp = DIR/.BASE.part-PID beside path. */
static void temp_path(const char *path, char *tmp)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(tmp, DCS_PATH_MAX, "%.*s/.%s.part-%ld", (int)(slash - path), path, slash + 1,
                 (long)getpid());
    else
        snprintf(tmp, DCS_PATH_MAX, ".%s.part-%ld", path, (long)getpid());
}

dcs_status dcs_report_hourly_csv(const char *path, const dcs_weather *w,
                                 const dcs_energy_hour *hours, double it_mw, dcs_error *err)
{
    char tmp[DCS_PATH_MAX];
    if (strlen(path) + 32 > DCS_PATH_MAX)
        return dcs_error_set(err, DCS_ERR_IO, "--hourly '%s': the path is too long", path);
    temp_path(path, tmp);
    dcs_output_begin(tmp);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int e = errno;
        dcs_output_discard(tmp);
        return dcs_error_set(err, DCS_ERR_IO,
                             "--hourly '%s': cannot create '%s': %s; check the directory exists "
                             "and is writable",
                             path, tmp, strerror(e));
    }
    int bad = write_rows(f, w, hours, it_mw);
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        dcs_output_discard(tmp);
        return dcs_error_set(err, DCS_ERR_IO, "--hourly '%s': cannot write '%s': %s", path, tmp,
                             strerror(e));
    }
    return dcs_output_commit(tmp, path, err);
}
