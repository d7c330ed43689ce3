/*
 * report_hourly.h - the hour-by-hour year of one station as CSV, for
 * audits (dcsite energy --hourly FILE).
 *
 * One header line, then one row per hour (w->hours rows, 8760):
 *   hour_of_year  1..8760
 *   timestamp     MM-DD HH:00, the hour's end in local standard time
 *                 (01:00 .. 24:00; a typical year has no year)
 *   dry_bulb_c, wet_bulb_c, dew_point_c
 *   mode          free, partial or mechanical
 *   pue           facility power / IT power of the hour
 *   facility_mw   everything the facility draws (also its MWh in the hour)
 *   water_m3      evaporated + blown down in the hour
 *   flag          empty, or dew_above_dry / spike (joined by '+'): a
 *                 suspect weather hour left out of the peaks (weather.h)
 * Numbers carry 12 significant digits, so the columns sum to the reported
 * annual totals within 1e-10 relative.
 *
 * Written atomically (output.h): a temporary file beside `path`, renamed
 * over it once complete.  Thread-safe as long as two calls do not write
 * the same path.  Nothing to free.
 */
#ifndef DCS_REPORT_HOURLY_H
#define DCS_REPORT_HOURLY_H

#include "core/error.h"
#include "energy/energy.h"
#include "energy/weather.h"

/* hours: w->hours entries from dcs_energy_run(); it_mw the IT load. */
dcs_status dcs_report_hourly_csv(const char *path, const dcs_weather *w,
                                 const dcs_energy_hour *hours, double it_mw, dcs_error *err);

#endif
