/*
 * noise.h - the sound power of a data center's outdoor plant and its
 * propagation to a receptor by ISO 9613-2 (pure: no I/O).
 *
 * Bands: the eight octave bands 63 Hz .. 8 kHz (index 0 .. 7).
 *
 * Sound power: the plant is counted in units of five kinds (cooling-tower
 * cells, dry coolers, air-cooled chillers, air handlers, standby generator
 * sets), each with an octave-band sound power per unit and a capacity per
 * unit (dcs_noise_unit_of(); every figure and its source in
 * docs/methods.md, "Noise at receptors").  dcs_noise_plant_units() sizes
 * the cooling units of a cooling archetype (energy/cooling.h) from the IT
 * load: n = ceil(load / capacity).  n units radiate 10 lg n dB more than
 * one (incoherent sources at one point).  A plant at a load fraction f runs
 * ceil(f n) of its n units (staging, not fan speed: the louder of the two
 * usual controls).
 *
 * Propagation (ISO 9613-2:1996, point source, downwind, no Cmet):
 *   Lp = Lw - (Adiv + Aatm + Agr + Abar)          per band
 *   Adiv = 20 lg(d / 1 m) + 11                    (eq. 7)
 *   Aatm = alpha(f) d / 1000                      (eq. 8, Table 2)
 *   Agr  = As + Ar + Am, general method           (7.3.1, Table 3)
 *   Abar = max(Dz - Agr, 0) for a band with an insertion loss Dz > 0 (the
 *          barrier's diffraction replaces the ground effect, eq. 12), Dz
 *          capped at 20 dB (single diffraction); 0 elsewhere.
 * d is the slant distance sqrt(dp^2 + (hs - hr)^2), dp its projection on
 * the ground.  A- and C-weighted totals with the IEC 61672-1 weightings.
 *
 * Everything here is a pure function of its arguments (thread-safe);
 * nothing is allocated.
 */
#ifndef DCS_NOISE_H
#define DCS_NOISE_H

#include "energy/cooling.h"

#define DCS_NOISE_BANDS 8

/* Band centres, Hz: 63 .. 8000. */
extern const double dcs_noise_band_hz[DCS_NOISE_BANDS];
/* IEC 61672-1 A and C weightings at the band centres, dB. */
extern const double dcs_noise_a_weight[DCS_NOISE_BANDS];
extern const double dcs_noise_c_weight[DCS_NOISE_BANDS];

typedef enum {
    DCS_NSRC_COOLING_TOWER, /* one induced-draft cell */
    DCS_NSRC_DRY_COOLER,
    DCS_NSRC_AIR_CHILLER,
    DCS_NSRC_AIR_HANDLER,   /* outside-air (economizer) air handler */
    DCS_NSRC_GENERATOR,     /* standby diesel set in its acoustic enclosure */
    DCS_NSRC_COUNT
} dcs_noise_source;

typedef struct {
    const char *name;          /* "cooling_tower", ... */
    double unit_mw;            /* capacity of one unit (MW of heat; a generator's rating) */
    double lw[DCS_NOISE_BANDS]; /* sound power of one unit, dB re 1 pW, unweighted */
} dcs_noise_unit;

/* The unit of a kind (a static table). */
const dcs_noise_unit *dcs_noise_unit_of(dcs_noise_source kind);

/* The ISO 9613-2 Table 2 atmospheres (temperature, relative humidity). */
typedef enum {
    DCS_ATM_10C_70,  /* default */
    DCS_ATM_20C_70,
    DCS_ATM_30C_70,
    DCS_ATM_15C_20,
    DCS_ATM_15C_50,
    DCS_ATM_15C_80,
    DCS_ATM_COUNT
} dcs_noise_atmosphere;

/* "10C_70pct", "20C_70pct", "30C_70pct", "15C_20pct", "15C_50pct", "15C_80pct". */
const char *dcs_noise_atmosphere_name(dcs_noise_atmosphere a);
int dcs_noise_atmosphere_from_name(const char *name, dcs_noise_atmosphere *out);

/* Attenuation coefficient alpha, dB/km, of band b. */
double dcs_noise_alpha(dcs_noise_atmosphere a, int band);

/* The cooling units of an archetype at full load for it_mw of IT load at
 * design PUE pue (units[k] for each kind; generators 0):
 *  - air_economizer: air handlers for it_mw;
 *  - water_economizer: cooling-tower cells for it_mw x pue (all the heat);
 *  - air_chiller: air-cooled chillers for it_mw;
 *  - liquid: dry coolers for liquid_fraction x it_mw, air-cooled chillers
 *    for the rest. */
void dcs_noise_plant_units(dcs_cooling_archetype archetype, double liquid_fraction,
                           double it_mw, double pue, double units[DCS_NSRC_COUNT]);

/* The units running at load fraction f (0 .. 1): ceil(f n) of each. */
void dcs_noise_part_load(const double full[DCS_NSRC_COUNT], double f,
                         double out[DCS_NSRC_COUNT]);

/* Total sound power of the units, per band (unit Lw + 10 lg n, summed
 * over kinds on energy); -INFINITY in every band when there are none. */
void dcs_noise_plant_lw(const double units[DCS_NSRC_COUNT], double lw[DCS_NOISE_BANDS]);

/* A propagation path's settings. */
typedef struct {
    double source_h_m, receiver_h_m; /* heights above the ground */
    double ground_g;                 /* ground factor G, 0 (hard) .. 1 (porous) */
    double barrier_db[DCS_NOISE_BANDS]; /* insertion loss Dz per band (0: no barrier) */
    dcs_noise_atmosphere atmosphere;
} dcs_noise_path;

/* The terms of ISO 9613-2 for band b at ground distance dp_m. */
double dcs_noise_adiv(double d_m);
double dcs_noise_agr(const dcs_noise_path *p, int band, double dp_m);

/* The total attenuation A per band at ground distance dp_m. */
void dcs_noise_attenuation(const dcs_noise_path *p, double dp_m, double a[DCS_NOISE_BANDS]);

/* Band levels at the receptor: lw - A. */
void dcs_noise_levels(const double lw[DCS_NOISE_BANDS], const dcs_noise_path *p, double dp_m,
                      double lp[DCS_NOISE_BANDS]);

/* Energy sum of the band levels with a weighting (NULL: unweighted). */
double dcs_noise_total(const double lp[DCS_NOISE_BANDS], const double *weight);

#endif
