/* noise.c - plant sound power and ISO 9613-2 propagation. See noise.h. */
#include "community/noise.h"

#include <math.h>
#include <string.h>

const double dcs_noise_band_hz[DCS_NOISE_BANDS] = {63, 125, 250, 500, 1000, 2000, 4000, 8000};
const double dcs_noise_a_weight[DCS_NOISE_BANDS] = {-26.2, -16.1, -8.6, -3.2, 0.0, 1.2, 1.0, -1.1};
const double dcs_noise_c_weight[DCS_NOISE_BANDS] = {-0.8, -0.2, 0.0, 0.0, 0.0, -0.2, -0.8, -3.0};

/* Per unit; sources and the generic spectra in docs/methods.md ("Noise at
 * receptors", sound power table).  Generic units are an overall LwA with a
 * published spectrum shape: the cooling tower's falls 4 dB an octave from
 * 63 Hz (scaled to 97 dBA), the fans' (dry cooler 93 dBA, air handler
 * 94 dBA, generator enclosure 108 dBA) add Hudson's octave corrections
 * (+5.2 +4.0 +0.9 -4.5 -4.9 -10.1 -12.6 -19.9) to the overall LwA. */
static const dcs_noise_unit units[DCS_NSRC_COUNT] = {
    [DCS_NSRC_COOLING_TOWER] = {"cooling_tower", 2.5,
                                {106.6, 102.6, 98.6, 94.6, 90.6, 86.6, 82.6, 78.6}},
    [DCS_NSRC_DRY_COOLER] = {"dry_cooler", 1.0, {98.2, 97.0, 93.9, 88.5, 88.1, 82.9, 80.4, 73.1}},
    [DCS_NSRC_AIR_CHILLER] = {"air_chiller", 0.527, {98, 101, 102, 99, 94, 92, 89, 85}},
    [DCS_NSRC_AIR_HANDLER] = {"air_handler", 3.0, {99.2, 98.0, 94.9, 89.5, 89.1, 83.9, 81.4, 74.1}},
    [DCS_NSRC_GENERATOR] = {"generator", 2.5,
                            {113.2, 112.0, 108.9, 103.5, 103.1, 97.9, 95.4, 88.1}},
};

const dcs_noise_unit *dcs_noise_unit_of(dcs_noise_source kind)
{
    return kind < DCS_NSRC_COUNT ? &units[kind] : NULL;
}

/* ISO 9613-2:1996 Table 2, dB/km, 63 Hz .. 8 kHz. */
static const struct {
    const char *name;
    double alpha[DCS_NOISE_BANDS];
} atmospheres[DCS_ATM_COUNT] = {
    [DCS_ATM_10C_70] = {"10C_70pct", {0.1, 0.4, 1.0, 1.9, 3.7, 9.7, 32.8, 117}},
    [DCS_ATM_20C_70] = {"20C_70pct", {0.1, 0.3, 1.1, 2.8, 5.0, 9.0, 22.9, 76.6}},
    [DCS_ATM_30C_70] = {"30C_70pct", {0.1, 0.3, 1.0, 3.1, 7.4, 12.7, 23.1, 59.3}},
    [DCS_ATM_15C_20] = {"15C_20pct", {0.3, 0.6, 1.2, 2.7, 8.2, 28.2, 88.8, 202}},
    [DCS_ATM_15C_50] = {"15C_50pct", {0.1, 0.5, 1.2, 2.2, 4.2, 10.8, 36.2, 129}},
    [DCS_ATM_15C_80] = {"15C_80pct", {0.1, 0.3, 1.1, 2.4, 4.1, 8.3, 23.7, 82.8}},
};

const char *dcs_noise_atmosphere_name(dcs_noise_atmosphere a)
{
    return a < DCS_ATM_COUNT ? atmospheres[a].name : "?";
}

int dcs_noise_atmosphere_from_name(const char *name, dcs_noise_atmosphere *out)
{
    for (int a = 0; a < DCS_ATM_COUNT; a++)
        if (strcmp(name, atmospheres[a].name) == 0) {
            *out = (dcs_noise_atmosphere)a;
            return 0;
        }
    return -1;
}

double dcs_noise_alpha(dcs_noise_atmosphere a, int band)
{
    return atmospheres[a].alpha[band];
}

static double count_units(double load_mw, double unit_mw)
{
    return load_mw > 0 ? ceil(load_mw / unit_mw - 1e-9) : 0;
}

void dcs_noise_plant_units(dcs_cooling_archetype archetype, double liquid_fraction,
                           double it_mw, double pue, double out[DCS_NSRC_COUNT])
{
    for (int k = 0; k < DCS_NSRC_COUNT; k++)
        out[k] = 0;
    switch (archetype) {
    case DCS_COOL_AIR_ECONOMIZER:
        out[DCS_NSRC_AIR_HANDLER] = count_units(it_mw, units[DCS_NSRC_AIR_HANDLER].unit_mw);
        break;
    case DCS_COOL_WATER_ECONOMIZER:
        out[DCS_NSRC_COOLING_TOWER] =
            count_units(it_mw * pue, units[DCS_NSRC_COOLING_TOWER].unit_mw);
        break;
    case DCS_COOL_AIR_CHILLER:
        out[DCS_NSRC_AIR_CHILLER] = count_units(it_mw, units[DCS_NSRC_AIR_CHILLER].unit_mw);
        break;
    case DCS_COOL_LIQUID:
    default:
        out[DCS_NSRC_DRY_COOLER] =
            count_units(liquid_fraction * it_mw, units[DCS_NSRC_DRY_COOLER].unit_mw);
        out[DCS_NSRC_AIR_CHILLER] =
            count_units((1 - liquid_fraction) * it_mw, units[DCS_NSRC_AIR_CHILLER].unit_mw);
        break;
    }
}

void dcs_noise_part_load(const double full[DCS_NSRC_COUNT], double f, double out[DCS_NSRC_COUNT])
{
    for (int k = 0; k < DCS_NSRC_COUNT; k++)
        out[k] = full[k] > 0 && f > 0 ? ceil(f * full[k] - 1e-9) : 0;
}

void dcs_noise_plant_lw(const double n[DCS_NSRC_COUNT], double lw[DCS_NOISE_BANDS])
{
    for (int b = 0; b < DCS_NOISE_BANDS; b++) {
        double e = 0;
        for (int k = 0; k < DCS_NSRC_COUNT; k++)
            if (n[k] > 0)
                e += n[k] * pow(10, units[k].lw[b] / 10);
        lw[b] = e > 0 ? 10 * log10(e) : -INFINITY;
    }
}

double dcs_noise_adiv(double d_m)
{
    return 20 * log10(d_m) + 11;
}

/* a'(h) .. d'(h) of ISO 9613-2 Table 3 (bands 125 .. 1000 Hz). */
static double ground_fn(int band, double h, double dp)
{
    double far = 1 - exp(-dp / 50);
    switch (band) {
    case 1:
        return 1.5 + 3.0 * exp(-0.12 * (h - 5) * (h - 5)) * far +
               5.7 * exp(-0.09 * h * h) * (1 - exp(-2.8e-6 * dp * dp));
    case 2:
        return 1.5 + 8.6 * exp(-0.09 * h * h) * far;
    case 3:
        return 1.5 + 14.0 * exp(-0.46 * h * h) * far;
    default:
        return 1.5 + 5.0 * exp(-0.9 * h * h) * far;
    }
}

/* As or Ar of Table 3 for a region of ground factor g, height h. */
static double end_region(int band, double g, double h, double dp)
{
    if (band == 0)
        return -1.5;
    if (band >= 5)
        return -1.5 * (1 - g);
    return -1.5 + g * ground_fn(band, h, dp);
}

double dcs_noise_agr(const dcs_noise_path *p, int band, double dp)
{
    double g = p->ground_g, hs = p->source_h_m, hr = p->receiver_h_m;
    double span = 30 * (hs + hr);
    double q = dp <= span ? 0 : 1 - span / dp;
    double am = band == 0 ? -3 * q : -3 * q * (1 - g);
    return end_region(band, g, hs, dp) + end_region(band, g, hr, dp) + am;
}

void dcs_noise_attenuation(const dcs_noise_path *p, double dp, double a[DCS_NOISE_BANDS])
{
    double dh = p->source_h_m - p->receiver_h_m;
    double d = sqrt(dp * dp + dh * dh);
    if (d < 1)
        d = 1; /* Adiv's reference distance: no gain closer than 1 m */
    double adiv = dcs_noise_adiv(d);
    for (int b = 0; b < DCS_NOISE_BANDS; b++) {
        double agr = dcs_noise_agr(p, b, dp);
        double dz = fmin(p->barrier_db[b], 20.0);
        double ground = dz > 0 ? fmax(dz, agr) : agr; /* Agr + Abar, eq. 12 */
        a[b] = adiv + atmospheres[p->atmosphere].alpha[b] * d / 1000 + ground;
    }
}

void dcs_noise_levels(const double lw[DCS_NOISE_BANDS], const dcs_noise_path *p, double dp,
                      double lp[DCS_NOISE_BANDS])
{
    double a[DCS_NOISE_BANDS];
    dcs_noise_attenuation(p, dp, a);
    for (int b = 0; b < DCS_NOISE_BANDS; b++)
        lp[b] = lw[b] - a[b];
}

double dcs_noise_total(const double lp[DCS_NOISE_BANDS], const double *weight)
{
    double e = 0;
    for (int b = 0; b < DCS_NOISE_BANDS; b++)
        if (isfinite(lp[b]))
            e += pow(10, (lp[b] + (weight ? weight[b] : 0)) / 10);
    return e > 0 ? 10 * log10(e) : -INFINITY;
}
