/*
 * test_energy.c - the annual energy model over real typical years.
 *
 * Fixtures: the NREL TMY3 files of 20 US stations (tests/fixtures/weather/
 * tmy3, gzip-compressed copies of the shared public data) and the Chicago
 * EPW (same data as the Chicago TMY3).
 *
 * What must hold (issue 4), with the sources of the ranges:
 *  - the Chicago EPW and TMY3 give the same annual PUE and water within
 *    0.5 % for every archetype (their hourly data agree; the EPW pressure
 *    is the TMY3 mbar value times 100);
 *  - economized designs (air-side with evaporative assist, water-side with
 *    towers) have annual PUE between 1.05 and 1.25 everywhere: the range
 *    published for such hyperscale designs (Google reports a fleet-wide
 *    trailing-twelve-month PUE near 1.10; Meta's data centers report
 *    about 1.08-1.10; the LBNL 2016 US data center energy report assumes
 *    1.2 for hyperscale);
 *  - air-cooled chillers and direct-to-chip with dry coolers use no water;
 *    air-cooled chillers use more energy than either economized design;
 *  - evaporative designs do worse in hot-humid climates (Charleston SC,
 *    Dallas Love Field) than in cool-dry ones (Moses Lake WA, The Dalles
 *    WA, Redmond OR), in PUE and in WUE;
 *  - direct evaporative cooling uses most water in hot-dry climates
 *    (Phoenix, Las Vegas) and little where the air is humid;
 *  - a tower plant's WUE lies near the 1.8 L/kWh US average the LBNL
 *    2016 report gives for water-cooled plants (here 1.5 to 2.5: the
 *    towers' air leaves saturated, so cold climates evaporate less of the
 *    heat; 4 cycles of concentration), and is lower where it is cold
 *    (Chicago) than where it is hot (Phoenix, Dallas).
 *
 * Calibration (issue 25; docs/methods.md "Calibration against published
 * figures"): the hyperscale class against operators' published figures,
 * an independent source:
 *  - Google's trailing-twelve-month PUE of six campuses
 *    (datacenters.google/efficiency), water economizer at the nearest
 *    TMY3 station: each within +-0.05;
 *  - direct evaporative (air economizer) WUE: Meta Prineville 0.22 L/kWh
 *    (Redmond OR station), AWS us-east-1 0.12 L/kWh (Dulles): each within
 *    +-50 %, because operators' WUE definitions differ
 *    (site water only or with humidification and bleed; a measured year
 *    against a typical one; The Green Grid WP#35 leaves the boundary to
 *    the operator); and the desert (Phoenix) uses several times more.
 *  - an hour whose dew point is exactly the air economizer's supply dew
 *    point limit (15.0 C) is not too humid: the limit is "above 15 C"
 *    (issue 25: recomputing the dew point through the humidity ratio put
 *    212 such hours at Lexington on DX).
 *  - the design peak (issue 25) on the Chicago EPW, whose ASHRAE header
 *    gives a 20-year extreme dry bulb of 39.5 C: with air-cooled chillers
 *    the design hour is at 39.5 C and the design peak exceeds the
 *    typical-year peak by the difference computed here from the documented
 *    air-chiller equations (docs/methods.md, "Hour by hour": fan power
 *    from the air flow, free-cooling share of the coil, Carnot-fraction
 *    COP capped at cop_max, dry-cooler fans, one pump loop, UPS and
 *    distribution losses), at the hottest hour's pressure for the year and
 *    at the standard pressure of the station's 201 m (ASHRAE eq. 3) for
 *    the design hour; tolerance 1e-9 MW (same arithmetic, other order);
 *  - suspect hours: a dew point above the dry bulb and an upward spike are
 *    flagged and stay out of the peaks; a dip is not flagged; Dallas Love
 *    Field's 9 September 14:00 (dew point 33.0 C at 34.0 C) is a spike.
 */
#include "core/libctx.h"
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>

#include "energy/energy.h"
#include "energy/psychro.h"
#include "pipeline/run.h"

#define FIX "tests/fixtures/weather/"
#define TMY3 FIX "tmy3/"

static void year(const char *path, dcs_cooling_archetype a, dcs_energy *e)
{
    dcs_weather w;
    dcs_error err;
    if (dcs_weather_read(path, &w, &err) != DCS_OK)
        fail_msg("%s", err.message);
    dcs_cooling_params p = dcs_cooling_defaults(a);
    if (dcs_energy_year(&w, &p, 100, e, &err) != DCS_OK)
        fail_msg("%s", err.message);
    dcs_weather_free(&w);
}

static void test_chicago_epw_equals_tmy3(void **state)
{
    (void)state;
    for (int a = 0; a < DCS_COOL_COUNT; a++) {
        dcs_energy epw, tmy;
        year(FIX "chicago.epw.gz", (dcs_cooling_archetype)a, &epw);
        year(FIX "IL-Chicago_Ohare_Intl_Ap.tmy3.gz", (dcs_cooling_archetype)a, &tmy);
        assert_near(epw.pue_annual / tmy.pue_annual, 1, 0.005);
        if (tmy.water_m3 > 0)
            assert_near(epw.water_m3 / tmy.water_m3, 1, 0.005);
        else
            assert_near(epw.water_m3, 0, 0);
        assert_int_equal(epw.mode_hours[0] + epw.mode_hours[1] + epw.mode_hours[2], 8760);
    }
}

/* Sums and identities that hold whatever the weather. */
static void test_year_bookkeeping(void **state)
{
    (void)state;
    dcs_energy e;
    year(TMY3 "TX-Dallas_Love_Field.tmy3.gz", DCS_COOL_WATER_ECONOMIZER, &e);
    assert_near(e.it_energy_mwh, 100 * 8760, 1e-6);
    double sum = 0, water = 0;
    for (int m = 0; m < 12; m++) {
        sum += e.month_energy_mwh[m];
        water += e.month_water_m3[m];
    }
    assert_near(sum, e.energy_mwh, 1e-6);
    assert_near(water, e.water_m3, 1e-6);
    assert_near(e.pue_annual, e.energy_mwh / e.it_energy_mwh, 1e-12);
    assert_near(e.wue_l_kwh, e.water_m3 * 1000 / (e.it_energy_mwh * 1000), 1e-12);
    assert_true(e.pue_peak >= e.pue_annual);
    assert_true(e.peak_mw >= e.energy_mwh / 8760);
    assert_true(e.peak_day_water_m3 * 365 >= e.water_m3);
    /* economics: 1000 lb/MWh x energy x 0.45359237 kg/lb; $0.07/kWh */
    dcs_economics x = dcs_energy_economics(&e, 1000, 0.07, 0.7);
    assert_near(x.co2_t, e.energy_mwh * 1000 * 0.00045359237, 1e-6);
    assert_near(x.cost_usd, e.energy_mwh * 70, 1e-6);
    assert_near(x.usd_per_mwh_it, 70 * e.pue_annual, 1e-9);
    assert_near(x.usd_per_accel_hour, 0.07 * e.pue_annual * 0.7, 1e-12);
}

/* A synthetic year: every hour at dry bulb db, dew point td, sea-level
 * standard pressure; RH from them as the reader would fill it. */
static void constant_year(dcs_weather *w, double db, double td)
{
    memset(w, 0, sizeof *w);
    size_t n = DCS_WEATHER_HOURS;
    w->hours = n;
    snprintf(w->station, sizeof w->station, "synthetic");
    w->dry_bulb_c = malloc(n * sizeof(double));
    w->dew_point_c = malloc(n * sizeof(double));
    w->rh_pct = malloc(n * sizeof(double));
    w->pressure_pa = malloc(n * sizeof(double));
    w->month = malloc(n);
    w->day_of_year = malloc(n * sizeof *w->day_of_year);
    assert_non_null(w->day_of_year);
    for (size_t h = 0; h < n; h++) {
        w->dry_bulb_c[h] = db;
        w->dew_point_c[h] = td;
        w->pressure_pa[h] = 101325;
        w->rh_pct[h] = dcs_psy_rh_from_w(db, dcs_psy_w_from_dew_point(td, 101325), 101325);
        w->day_of_year[h] = (unsigned short)(h / 24 + 1);
        w->month[h] = (unsigned char)(h / 24 / 31 + 1 > 12 ? 12 : h / 24 / 31 + 1);
    }
}

/* Dew point exactly 15.0 C at 20 C dry bulb: outside air as it is, every
 * hour (20 C is below supply_max_c 27 C, so no evaporation either).  A
 * hundredth of a degree above the limit every hour is mechanical: the test
 * sees the boundary. */
static void test_dew_point_boundary(void **state)
{
    (void)state;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_ECONOMIZER);
    assert_near(p.supply_dew_max_c, 15.0, 0);
    dcs_weather w;
    dcs_energy e;
    dcs_error err;
    constant_year(&w, 20.0, 15.0);
    assert_int_equal(dcs_energy_year(&w, &p, 100, &e, &err), DCS_OK);
    assert_int_equal(e.mode_hours[DCS_MODE_FREE], 8760);
    assert_int_equal(e.mode_hours[DCS_MODE_MECHANICAL], 0);
    dcs_weather_free(&w);
    constant_year(&w, 20.0, 15.01);
    assert_int_equal(dcs_energy_year(&w, &p, 100, &e, &err), DCS_OK);
    assert_int_equal(e.mode_hours[DCS_MODE_MECHANICAL], 8760);
    dcs_weather_free(&w);
}

/* Air-cooled chiller plant power (kW) at dry bulb t and pressure pa for
 * IT load it_kw, written from docs/methods.md, not from cooling.c. */
static double air_chiller_kw(const dcs_cooling_params *p, double t, double pa, double it_kw)
{
    double loss = it_kw * (1 / p->ups_efficiency - 1 + p->distribution_loss + p->lighting_misc);
    double mass = (it_kw + loss) / (1.006 * p->server_dt_k);     /* kg/s of air */
    double rho = pa / (287.05 * (p->supply_c + 273.15));
    double fan = mass / rho * p->fan_pa / p->fan_eff / 1000;
    double q = it_kw + loss + fan;
    double coil = t + p->drycooler_approach_k, sup = p->chw_supply_c, dt = p->chw_dt_k;
    double share = coil <= sup ? 1 : coil >= sup + dt ? 0 : (sup + dt - coil) / dt;
    double evap = sup - 2, lift = t + p->condenser_approach_k - evap;
    double cop = lift <= 0 ? p->cop_max : p->carnot_fraction_air * (evap + 273.15) / lift;
    if (cop > p->cop_max)
        cop = p->cop_max;
    double chiller = (1 - share) * q / cop;
    double pump = q / (4.186 * dt) / 1000 * p->pump_kpa / p->pump_eff;
    return it_kw + loss + fan + chiller + p->drycooler_fan_kw_per_kw * (q + chiller) + pump;
}

static void test_design_peak_chicago_epw(void **state)
{
    (void)state;
    dcs_weather w;
    dcs_error err;
    dcs_energy e;
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_CHILLER);
    assert_int_equal(dcs_weather_read(FIX "chicago.epw.gz", &w, &err), DCS_OK);
    assert_true(w.design.present);
    assert_near(w.design.db_max_20y_c, 39.5, 0); /* header: Extremes ..., 39.5, -35.5, 40.9 */
    assert_near(w.design.wb_max_c, 28.5, 0);
    assert_near(w.design.db004_c, 33.3, 0);
    assert_near(w.design.mcwb_db004_c, 23.7, 0);
    assert_int_equal(dcs_energy_year(&w, &p, 100, &e, &err), DCS_OK);
    assert_int_equal(e.design_source, DCS_DESIGN_EPW);
    assert_near(e.design_dry_bulb_c, 39.5, 0);
    double year_kw = 0;
    for (size_t h = 0; h < w.hours; h++)
        if (!w.flag[h] && air_chiller_kw(&p, w.dry_bulb_c[h], w.pressure_pa[h], 1e5) > year_kw)
            year_kw = air_chiller_kw(&p, w.dry_bulb_c[h], w.pressure_pa[h], 1e5);
    double pa = 101325 * pow(1 - 2.25577e-5 * 201.0, 5.2559);
    double design_kw = air_chiller_kw(&p, 39.5, pa, 1e5);
    assert_near(e.peak_mw, year_kw / 1000, 1e-9);
    assert_near(e.peak_design_mw - e.peak_mw, (design_kw - year_kw) / 1000, 1e-9);
    assert_true(e.peak_design_mw - e.peak_mw > 3); /* issue 25: about 3.8 MW per 100 MW */
    assert_near(e.pue_design, e.peak_design_mw / 100, 1e-12);
    dcs_weather_free(&w);
}

static void test_suspect_hours(void **state)
{
    (void)state;
    dcs_weather w;
    dcs_error err;
    dcs_energy e;
    /* air-cooled chillers: power rises with the dry bulb alone */
    dcs_cooling_params p = dcs_cooling_defaults(DCS_COOL_AIR_CHILLER);
    constant_year(&w, 20.0, 10.0);
    w.dew_point_c[100] = 21.0;  /* above the dry bulb by 1 K > 0.5 K; 11 K above its
                                 * neighbours: a spike too */
    for (int h = 199; h <= 201; h++)
        w.dew_point_c[h] = 20.4; /* saturated within the 0.5 K tolerance, no spike */
    w.dry_bulb_c[300] = 30.0;   /* a spike: 10 K above both neighbours */
    w.dry_bulb_c[400] = 10.0;   /* a dip: not flagged */
    w.dry_bulb_c[500] = 24.5;   /* 4.5 K above both */
    w.dry_bulb_c[600] = 24.0;   /* exactly 4 K: not more than the threshold */
    assert_int_equal(dcs_weather_flag(&w, "synthetic.epw", &err), DCS_OK);
    assert_int_equal(w.flag[100], DCS_WX_FLAG_DEW_ABOVE_DRY | DCS_WX_FLAG_SPIKE);
    assert_int_equal(w.flag[200], 0);
    assert_int_equal(w.flag[300], DCS_WX_FLAG_SPIKE);
    assert_int_equal(w.flag[400], 0);
    assert_int_equal(w.flag[500], DCS_WX_FLAG_SPIKE);
    assert_int_equal(w.flag[600], 0);
    assert_int_equal(w.nflagged, 3);
    assert_int_equal(w.warnings.count, 0); /* a note: handled, not a warning */
    assert_int_equal(w.notes.count, 1);
    assert_contains(w.notes.items[0], "station synthetic: 3 suspect hours");
    assert_contains(w.notes.items[0], "01-13 13:00 dry bulb 30.0 C (neighbours 20.0, 20.0)");
    assert_int_equal(dcs_energy_year(&w, &p, 100, &e, &err), DCS_OK);
    assert_int_equal(e.excluded_hours, 3);
    /* the warmest unflagged hour is hour 600 (24.0 C); hour 300 (30 C) is flagged */
    dcs_energy_hour hours[DCS_WEATHER_HOURS];
    dcs_energy_options o = {.design_dry_bulb_c = NAN, .design_wet_bulb_c = NAN, .hours = hours};
    assert_int_equal(dcs_energy_run(&w, &p, 100, &o, &e, &err), DCS_OK);
    assert_near(e.peak_mw, hours[600].facility_mw, 0);
    assert_true(hours[300].facility_mw > e.peak_mw);
    dcs_weather_free(&w);
    assert_int_equal(dcs_weather_read(TMY3 "TX-Dallas_Love_Field.tmy3.gz", &w, &err), DCS_OK);
    assert_near(w.dew_point_c[6037], 33.0, 0);
    assert_int_equal(w.flag[6037], DCS_WX_FLAG_SPIKE);
    int named = 0;
    for (size_t i = 0; i < w.notes.count; i++)
        named += strstr(w.notes.items[i], "station DALLAS LOVE FIELD") &&
                 strstr(w.notes.items[i], "09-09 14:00 dew point 33.0 C at 34.0 C");
    assert_int_equal(named, 1);
    /* its line in the file: 2 header lines, then hour 0 on line 3 (zcat | sed -n 6040p
     * shows 09/09/1997,14:00 with 34.0 and 33.0) */
    assert_int_equal(w.line[6037], 6040);
    assert_contains(w.notes.items[0], "09-09 14:00 dew point 33.0 C at 34.0 C (neighbours 28.4, "
                                      "22.0), line 6040");
    dcs_weather_free(&w);
}

typedef struct {
    char name[96];
    dcs_energy e[DCS_COOL_COUNT];
} station_year;

static station_year *load_all(size_t *n)
{
    DIR *d = opendir(TMY3);
    assert_non_null(d);
    station_year *all = calloc(32, sizeof *all);
    struct dirent *ent;
    *n = 0;
    while ((ent = readdir(d)) && *n < 32) {
        if (!strstr(ent->d_name, ".tmy3.gz"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s%s", TMY3, ent->d_name);
        snprintf(all[*n].name, sizeof all[*n].name, "%s", ent->d_name);
        for (int a = 0; a < DCS_COOL_COUNT; a++)
            year(path, (dcs_cooling_archetype)a, &all[*n].e[a]);
        (*n)++;
    }
    closedir(d);
    return all;
}

static const dcs_energy *find(const station_year *all, size_t n, const char *prefix, int a)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(all[i].name, prefix, strlen(prefix)) == 0)
            return &all[i].e[a];
    fail_msg("no station %s", prefix);
    return NULL;
}

static void test_climates_and_archetypes(void **state)
{
    (void)state;
    size_t n;
    station_year *all = load_all(&n);
    assert_int_equal(n, 20);
    for (size_t i = 0; i < n; i++) {
        const dcs_energy *e = all[i].e;
        for (int a = DCS_COOL_AIR_ECONOMIZER; a <= DCS_COOL_WATER_ECONOMIZER; a++)
            if (!(e[a].pue_annual >= 1.05 && e[a].pue_annual <= 1.25))
                fail_msg("%s %s: PUE %.3f outside 1.05-1.25", all[i].name,
                         dcs_cooling_name((dcs_cooling_archetype)a), e[a].pue_annual);
        assert_near(e[DCS_COOL_AIR_CHILLER].water_m3, 0, 0);
        assert_near(e[DCS_COOL_LIQUID].water_m3, 0, 0);
        assert_true(e[DCS_COOL_AIR_CHILLER].pue_annual > e[DCS_COOL_AIR_ECONOMIZER].pue_annual);
        assert_true(e[DCS_COOL_AIR_CHILLER].pue_annual > e[DCS_COOL_WATER_ECONOMIZER].pue_annual);
        double wue = e[DCS_COOL_WATER_ECONOMIZER].wue_l_kwh;
        if (!(wue > 1.5 && wue < 2.5))
            fail_msg("%s: tower WUE %.2f", all[i].name, wue);
    }
    const char *humid[] = {"SC-Charleston", "TX-Dallas_Love"};
    const char *dry[] = {"WA-Moses_Lake", "WA-The_Dalles", "OR-Redmond"};
    for (int a = DCS_COOL_AIR_ECONOMIZER; a <= DCS_COOL_WATER_ECONOMIZER; a++)
        for (size_t h = 0; h < 2; h++)
            for (size_t c = 0; c < 3; c++) {
                const dcs_energy *hot = find(all, n, humid[h], a), *cool = find(all, n, dry[c], a);
                assert_true(hot->pue_annual > cool->pue_annual);
                if (a == DCS_COOL_WATER_ECONOMIZER)
                    assert_true(hot->wue_l_kwh > cool->wue_l_kwh);
            }
    /* direct evaporation: hot-dry deserts use far more water than humid coasts */
    const dcs_energy *phx = find(all, n, "AZ-Phoenix", DCS_COOL_AIR_ECONOMIZER);
    const dcs_energy *las = find(all, n, "NV-Las_Vegas", DCS_COOL_AIR_ECONOMIZER);
    const dcs_energy *chs = find(all, n, "SC-Charleston", DCS_COOL_AIR_ECONOMIZER);
    assert_true(phx->wue_l_kwh > 5 * chs->wue_l_kwh);
    assert_true(las->wue_l_kwh > 5 * chs->wue_l_kwh);
    const dcs_energy *chi = find(all, n, "IL-Chicago", DCS_COOL_WATER_ECONOMIZER);
    assert_true(chi->wue_l_kwh < find(all, n, "AZ-Phoenix", DCS_COOL_WATER_ECONOMIZER)->wue_l_kwh);
    assert_true(chi->wue_l_kwh < find(all, n, "TX-Dallas_Love", DCS_COOL_WATER_ECONOMIZER)->wue_l_kwh);
    free(all);
}

static void class_year(const char *station, dcs_cooling_archetype a, dcs_design_class c,
                       dcs_energy *e)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s.tmy3.gz", TMY3, station);
    dcs_weather w;
    dcs_error err;
    if (dcs_weather_read(path, &w, &err) != DCS_OK)
        fail_msg("%s", err.message);
    dcs_cooling_params p = dcs_cooling_class_defaults(a, c);
    if (dcs_energy_year(&w, &p, 100, e, &err) != DCS_OK)
        fail_msg("%s", err.message);
    dcs_weather_free(&w);
}

/* Google campuses, TTM PUE published at datacenters.google/efficiency. */
static void test_calibration_google_pue(void **state)
{
    (void)state;
    static const struct {
        const char *station;
        double pue;
    } g[] = {
        {"WA-The_Dalles_Municipal_Arpt", 1.10},  /* The Dalles OR */
        {"IA-Council_Bluffs", 1.11},             /* Council Bluffs IA */
        {"OK-Tulsa_International_Airport", 1.11},/* Mayes County OK */
        {"NC-Hickory_Regional_Ap", 1.13},        /* Lenoir NC */
        {"NV-Las_Vegas_Mccarran_Intl_Ap", 1.09}, /* Henderson NV */
        {"TX-Dallasfort_Worth_Intl_Ap", 1.10},   /* Midlothian TX */
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        dcs_energy e;
        class_year(g[i].station, DCS_COOL_WATER_ECONOMIZER, DCS_CLASS_HYPERSCALE, &e);
        print_message("calibration %-32s published %.2f dcsite %.3f diff %+.3f\n", g[i].station,
                      g[i].pue, e.pue_annual, e.pue_annual - g[i].pue);
        if (fabs(e.pue_annual - g[i].pue) > 0.05)
            fail_msg("%s: PUE %.3f, published %.2f (tolerance 0.05)", g[i].station, e.pue_annual,
                     g[i].pue);
    }
}

/* Direct evaporative cooling's water by climate against operators. */
static void test_calibration_water_by_climate(void **state)
{
    (void)state;
    dcs_energy red, dul, phx;
    class_year("OR-Redmond_Roberts_Field", DCS_COOL_AIR_ECONOMIZER, DCS_CLASS_HYPERSCALE, &red);
    class_year("VA-Washington_Dc_Dulles_Intl_Ar_Sterling_Isis", DCS_COOL_AIR_ECONOMIZER,
               DCS_CLASS_HYPERSCALE, &dul);
    class_year("AZ-Phoenix_Sky_Harbor_Intl_Ap", DCS_COOL_AIR_ECONOMIZER, DCS_CLASS_HYPERSCALE,
               &phx);
    print_message("water Redmond %.3f (Meta Prineville 0.22), Dulles %.3f (AWS 0.12), "
                  "Phoenix %.3f L/kWh\n", red.wue_l_kwh, dul.wue_l_kwh, phx.wue_l_kwh);
    assert_true(fabs(red.wue_l_kwh / 0.22 - 1) <= 0.5);
    assert_true(fabs(dul.wue_l_kwh / 0.12 - 1) <= 0.5);
    assert_true(phx.wue_l_kwh > 3 * red.wue_l_kwh);
    assert_true(phx.wue_l_kwh > 3 * dul.wue_l_kwh);
    /* the humid East evaporates instead of running DX for most hot hours */
    assert_true(dul.mode_hours[DCS_MODE_MECHANICAL] < 1000);
}

int main(void)
{
    dcs_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chicago_epw_equals_tmy3),
        cmocka_unit_test(test_year_bookkeeping),
        cmocka_unit_test(test_climates_and_archetypes),
        cmocka_unit_test(test_calibration_google_pue),
        cmocka_unit_test(test_calibration_water_by_climate),
        cmocka_unit_test(test_dew_point_boundary),
        cmocka_unit_test(test_design_peak_chicago_epw),
        cmocka_unit_test(test_suspect_hours),
    };
    return cmocka_run_group_tests_name("energy", tests, NULL, NULL);
}
