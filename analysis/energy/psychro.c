/* psychro.c - psychrometrics of moist air (ASHRAE 2017 SI, ch. 1). See psychro.h. */
#include "energy/psychro.h"

#include <math.h>

#define KELVIN 273.15
#define MW_RATIO 0.621945     /* Mw / Mda, eq. 20 */
#define RDA_KJ 0.287042       /* kJ/(kg K), dry air, eq. 28 */
#define VAP_VOL 1.607858      /* Mda / Mw, eq. 28 */
#define BISECT_TOL 1e-7       /* degrees C */
#define SAT_SLACK 1e-9        /* relative rounding allowed above saturation */

static int in_range(double x, double lo, double hi)
{
    return isfinite(x) && x >= lo && x <= hi;
}

static int temp_ok(double t_c)
{
    return in_range(t_c, DCS_PSY_T_MIN_C, DCS_PSY_T_MAX_C);
}

static int pressure_ok(double p_pa)
{
    return in_range(p_pa, DCS_PSY_P_MIN_PA, DCS_PSY_P_MAX_PA);
}

static int w_ok(double w)
{
    return in_range(w, 0.0, DCS_PSY_W_MAX);
}

/* ln pws over ice, eq. 5 (T in K, pws in Pa). */
static double ln_pws_ice(double T)
{
    return -5.6745359e3 / T + 6.3925247 - 9.6778430e-3 * T + 6.2215701e-7 * T * T
           + 2.0747825e-9 * T * T * T - 9.4840240e-13 * T * T * T * T + 4.1635019 * log(T);
}

/* ln pws over liquid water, eq. 6 (T in K, pws in Pa). */
static double ln_pws_water(double T)
{
    return -5.8002206e3 / T + 1.3914993 - 4.8640239e-2 * T + 4.1764768e-5 * T * T
           - 1.4452093e-8 * T * T * T + 6.5459673 * log(T);
}

double dcs_psy_sat_pressure(double t_c)
{
    if (!temp_ok(t_c))
        return NAN;
    double T = t_c + KELVIN;
    return exp(t_c < 0 ? ln_pws_ice(T) : ln_pws_water(T));
}

double dcs_psy_std_pressure(double z_m)
{
    if (!in_range(z_m, DCS_PSY_Z_MIN_M, DCS_PSY_Z_MAX_M))
        return NAN;
    return 101325.0 * pow(1.0 - 2.25577e-5 * z_m, 5.2559);
}

double dcs_psy_w_from_pw(double pw_pa, double p_pa)
{
    if (!pressure_ok(p_pa) || !isfinite(pw_pa) || pw_pa < 0 || pw_pa >= p_pa)
        return NAN;
    return MW_RATIO * pw_pa / (p_pa - pw_pa);
}

double dcs_psy_pw_from_w(double w, double p_pa)
{
    if (!w_ok(w) || !pressure_ok(p_pa))
        return NAN;
    return p_pa * w / (MW_RATIO + w);
}

double dcs_psy_w_sat(double t_c, double p_pa)
{
    return dcs_psy_w_from_pw(dcs_psy_sat_pressure(t_c), p_pa);
}

double dcs_psy_w_from_dew_point(double td_c, double p_pa)
{
    return dcs_psy_w_from_pw(dcs_psy_sat_pressure(td_c), p_pa);
}

double dcs_psy_w_from_rh(double t_c, double rh_pct, double p_pa)
{
    if (!in_range(rh_pct, 0.0, 100.0))
        return NAN;
    return dcs_psy_w_from_pw(rh_pct / 100.0 * dcs_psy_sat_pressure(t_c), p_pa);
}

double dcs_psy_rh_from_w(double t_c, double w, double p_pa)
{
    double pws = dcs_psy_sat_pressure(t_c);
    double pw = dcs_psy_pw_from_w(w, p_pa);
    if (isnan(pws) || isnan(pw))
        return NAN;
    return 100.0 * pw / pws;
}

/* Eq. 33 (t* >= 0) or eq. 35 (t* < 0) with Ws* already known. */
static double w_wet_bulb_eq(double t_c, double twb_c, double ws_star)
{
    if (twb_c >= 0)
        return ((2501.0 - 2.326 * twb_c) * ws_star - 1.006 * (t_c - twb_c))
               / (2501.0 + 1.86 * t_c - 4.186 * twb_c);
    return ((2830.0 - 0.24 * twb_c) * ws_star - 1.006 * (t_c - twb_c))
           / (2830.0 + 1.86 * t_c - 2.1 * twb_c);
}

double dcs_psy_w_from_wet_bulb(double t_c, double twb_c, double p_pa)
{
    if (!temp_ok(t_c) || !temp_ok(twb_c) || twb_c > t_c)
        return NAN;
    double ws_star = dcs_psy_w_sat(twb_c, p_pa);
    if (isnan(ws_star))
        return NAN;
    double w = w_wet_bulb_eq(t_c, twb_c, ws_star);
    return w >= 0 ? w : NAN;
}

/* Bisection for t* in [lo, hi] where W(t*) - w changes sign; W(t*) grows
 * monotonically within one branch of eqs. 33/35.  Where Ws(t*) is
 * undefined (boiling at this pressure) t* is too high. */
static double bisect_wet_bulb(double t_c, double w, double p_pa, double lo, double hi)
{
    while (hi - lo > BISECT_TOL) {
        double mid = 0.5 * (lo + hi);
        double ws_mid = dcs_psy_w_sat(mid, p_pa);
        if (isnan(ws_mid) || w_wet_bulb_eq(t_c, mid, ws_mid) > w)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

double dcs_psy_wet_bulb(double t_c, double w, double p_pa)
{
    double ws = dcs_psy_w_sat(t_c, p_pa);
    if (!w_ok(w) || isnan(ws) || w > ws * (1 + SAT_SLACK))
        return NAN;
    /* Eqs. 33 and 35 do not meet at t* = 0 (eq. 35 gives the larger W), so
     * a W just above eq. 33's value at 0 C has a solution on each branch;
     * the water branch (eq. 33) is taken whenever it has one. */
    if (t_c >= 0 && w >= w_wet_bulb_eq(t_c, 0.0, dcs_psy_w_sat(0.0, p_pa)))
        return bisect_wet_bulb(t_c, w, p_pa, 0.0, t_c);
    /* Ice branch: below -100 C W(t*) is negative, at min(t, 0) it is at
     * least W. */
    return bisect_wet_bulb(t_c, w, p_pa, DCS_PSY_T_MIN_C, t_c < 0 ? t_c : 0.0);
}

double dcs_psy_dew_point(double w, double p_pa)
{
    double pw = dcs_psy_pw_from_w(w, p_pa);
    if (isnan(pw) || pw < dcs_psy_sat_pressure(DCS_PSY_T_MIN_C)
        || pw > dcs_psy_sat_pressure(DCS_PSY_T_MAX_C))
        return NAN;
    /* pws(t) is increasing over the whole range (ice and water branches). */
    double lo = DCS_PSY_T_MIN_C, hi = DCS_PSY_T_MAX_C;
    while (hi - lo > BISECT_TOL) {
        double mid = 0.5 * (lo + hi);
        if (dcs_psy_sat_pressure(mid) > pw)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

double dcs_psy_enthalpy(double t_c, double w)
{
    if (!temp_ok(t_c) || !w_ok(w))
        return NAN;
    return 1.006 * t_c + w * (2501.0 + 1.86 * t_c);
}

double dcs_psy_specific_volume(double t_c, double w, double p_pa)
{
    if (!temp_ok(t_c) || !w_ok(w) || !pressure_ok(p_pa))
        return NAN;
    return RDA_KJ * (t_c + KELVIN) * (1.0 + VAP_VOL * w) / (p_pa / 1000.0);
}

double dcs_psy_density(double t_c, double w, double p_pa)
{
    double v = dcs_psy_specific_volume(t_c, w, p_pa);
    return isnan(v) ? NAN : (1.0 + w) / v;
}

/* ---- saturated air of a given enthalpy ------------------------------------ */

enum { SAT_HALVINGS = 50, SAT_JUMP = 40 };
#define SAT_LO (-60.0)
#define SAT_SPAN 160.0 /* -60 .. 100 C: every halving point is exact in a double */

/* 1 when saturated air at t has less enthalpy than h (NaN: no). */
static int sat_below(double t, double h, double p_pa)
{
    return dcs_psy_enthalpy(t, dcs_psy_w_sat(t, p_pa)) < h;
}

/* The root of saturated enthalpy = h by the secant method from 20 and 30 C;
 * NaN when it fails to settle. */
static double sat_secant(double h, double p_pa)
{
    double t0 = 20, t1 = 30;
    double g0 = dcs_psy_enthalpy(t0, dcs_psy_w_sat(t0, p_pa)) - h;
    double g1 = dcs_psy_enthalpy(t1, dcs_psy_w_sat(t1, p_pa)) - h;
    for (int i = 0; i < 12; i++) {
        if (!isfinite(g0) || !isfinite(g1) || g1 == g0)
            return NAN;
        double t2 = t1 - g1 * (t1 - t0) / (g1 - g0);
        if (!(t2 > SAT_LO && t2 < SAT_LO + SAT_SPAN))
            return NAN;
        if (fabs(t2 - t1) < 1e-12)
            return t2;
        t0 = t1, g0 = g1, t1 = t2;
        g1 = dcs_psy_enthalpy(t1, dcs_psy_w_sat(t1, p_pa)) - h;
    }
    return NAN;
}

double dcs_psy_saturated_at_enthalpy(double h, double p_pa)
{
    double lo = SAT_LO, hi = SAT_LO + SAT_SPAN, t = sat_secant(h, p_pa);
    int done = 0;
    if (!isnan(t)) {
        /* the grid step of halving SAT_JUMP that holds t, or a neighbour:
         * a + step and j * step are exact (multiples of 2^-35 below 2^7) */
        double step = ldexp(SAT_SPAN, -SAT_JUMP), j = floor((t - SAT_LO) / step);
        for (int k = 0; k < 3 && !done; k++) {
            double jj = j + (k == 1 ? -1 : k == 2 ? 1 : 0);
            double a = SAT_LO + jj * step, b = a + step;
            if (jj >= 0 && jj < ldexp(1, SAT_JUMP) && sat_below(a, h, p_pa) &&
                !sat_below(b, h, p_pa)) {
                lo = a, hi = b;
                done = SAT_JUMP;
            }
        }
    }
    for (int i = done; i < SAT_HALVINGS; i++) {
        double mid = 0.5 * (lo + hi);
        if (sat_below(mid, h, p_pa))
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}
