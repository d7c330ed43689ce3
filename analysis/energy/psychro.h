/*
 * psychro.h - psychrometrics of moist air (SI units).
 *
 * Perfect-gas relations of ASHRAE Handbook - Fundamentals (2017, SI),
 * chapter 1 "Psychrometrics", written here from the published equations:
 *
 *   eq. 3   standard atmospheric pressure  p = 101.325 (1 - 2.25577e-5 Z)^5.2559 kPa
 *   eq. 5   saturation pressure over ice,   -100 .. 0 C   (Hyland & Wexler 1983)
 *   eq. 6   saturation pressure over water,    0 .. 200 C (Hyland & Wexler 1983)
 *   eq. 20  humidity ratio  W = 0.621945 pw / (p - pw)
 *   eq. 28  specific volume v = 0.287042 (t + 273.15)(1 + 1.607858 W) / p   (p in kPa)
 *   eq. 32  enthalpy        h = 1.006 t + W (2501 + 1.86 t)                  (kJ/kg dry air)
 *   eq. 33  W from the thermodynamic wet bulb t* >= 0 C (over water)
 *   eq. 35  W from the thermodynamic wet bulb t* <  0 C (over ice)
 *   eq. 36  pw = pws(td): the dew point is the saturation temperature of pw
 *
 * Conventions: temperatures in degrees Celsius, pressures in pascals,
 * humidity ratios in kg of water per kg of dry air, relative humidity in
 * percent (0..100, relative to pws at the dry bulb), enthalpy in kJ per kg
 * of dry air.  Saturation is taken over ice below 0 C and over water at
 * and above 0 C, for the saturation pressure itself, for the dew point
 * (so below 0 C it is the frost point, the inverse of eq. 5 as ASHRAE's
 * eq. 38 approximates) and for the wet bulb (eqs. 33/35).
 *
 * Valid ranges (outside them, and for NaN or infinite input, every
 * function returns NaN; none prints, none aborts):
 *   temperatures        DCS_PSY_T_MIN_C .. DCS_PSY_T_MAX_C  (-100 .. 200 C)
 *   total pressure      DCS_PSY_P_MIN_PA .. DCS_PSY_P_MAX_PA (1 kPa .. 10 MPa;
 *                       the perfect-gas forms lose accuracy far above 1 atm)
 *   humidity ratio      0 .. DCS_PSY_W_MAX (and physically below saturation
 *                       where a function says so)
 *   relative humidity   0 .. 100 %
 *   elevation (eq. 3)   DCS_PSY_Z_MIN_M .. DCS_PSY_Z_MAX_M (-1000 .. 11000 m,
 *                       the troposphere the formula describes)
 *
 * Iterative inverses (wet bulb, dew point) use bisection to 1e-7 C.
 *
 * Ownership: pure functions of their arguments; nothing is allocated.
 */
#ifndef DCS_PSYCHRO_H
#define DCS_PSYCHRO_H

#define DCS_PSY_T_MIN_C   (-100.0)
#define DCS_PSY_T_MAX_C   200.0
#define DCS_PSY_P_MIN_PA  1.0e3
#define DCS_PSY_P_MAX_PA  1.0e7
#define DCS_PSY_W_MAX     10.0
#define DCS_PSY_Z_MIN_M   (-1000.0)
#define DCS_PSY_Z_MAX_M   11000.0

/* Saturation vapour pressure pws(t) in Pa: eq. 5 below 0 C, eq. 6 from 0 C. */
double dcs_psy_sat_pressure(double t_c);

/* Standard atmospheric pressure in Pa at elevation z_m metres (eq. 3). */
double dcs_psy_std_pressure(double z_m);

/* Humidity ratio from the partial pressure of water vapour pw (eq. 20);
 * needs 0 <= pw < p. */
double dcs_psy_w_from_pw(double pw_pa, double p_pa);

/* Partial pressure of water vapour from the humidity ratio (eq. 20 solved
 * for pw). */
double dcs_psy_pw_from_w(double w, double p_pa);

/* Humidity ratio of saturated air at t (eq. 20 with pw = pws(t)); NaN when
 * pws(t) >= p (boiling). */
double dcs_psy_w_sat(double t_c, double p_pa);

/* Humidity ratio from the dew point (eqs. 36 and 20). */
double dcs_psy_w_from_dew_point(double td_c, double p_pa);

/* Humidity ratio from dry bulb and relative humidity in percent
 * (pw = RH/100 * pws(t), then eq. 20). */
double dcs_psy_w_from_rh(double t_c, double rh_pct, double p_pa);

/* Relative humidity in percent from dry bulb and humidity ratio; may
 * exceed 100 for supersaturated input. */
double dcs_psy_rh_from_w(double t_c, double w, double p_pa);

/* Humidity ratio from dry bulb and thermodynamic wet bulb (eq. 33 for
 * twb >= 0 C, eq. 35 below); needs twb <= t; NaN when the result would be
 * negative (a wet bulb too low for any moisture content). */
double dcs_psy_w_from_wet_bulb(double t_c, double twb_c, double p_pa);

/* Thermodynamic wet bulb from dry bulb and humidity ratio: eqs. 33/35
 * solved for t* by bisection; needs W <= Ws(t, p) (to a relative 1e-9, so
 * that saturated input computed by eq. 33 passes).  The two equations do
 * not meet at t* = 0 C; eq. 33 (t* >= 0) is used whenever it has a
 * solution, eq. 35 otherwise, so the result round-trips
 * dcs_psy_w_from_wet_bulb on both branches. */
double dcs_psy_wet_bulb(double t_c, double w, double p_pa);

/* Dew point (frost point below 0 C) from the humidity ratio: eq. 36
 * inverted, pws(td) = pw; needs W > 0 and pw within pws(-100..200 C). */
double dcs_psy_dew_point(double w, double p_pa);

/* Enthalpy of moist air in kJ per kg of dry air (eq. 32). */
double dcs_psy_enthalpy(double t_c, double w);

/* Temperature (C) of saturated air of enthalpy h (kJ/kg dry air) at p_pa:
 * the result of 50 halvings of -60 .. 100 C (saturated enthalpy rises with
 * temperature; the end the root lies beyond when it is outside), to the
 * bit.  A secant search first finds the root, and the halving starts from
 * the 2^-40-wide step of that grid that holds it once both of its ends are
 * checked to bracket it: the steps before would have led there, so the
 * result is the same with about 20 evaluations instead of 50. */
double dcs_psy_saturated_at_enthalpy(double h, double p_pa);

/* Specific volume in m^3 per kg of dry air (eq. 28). */
double dcs_psy_specific_volume(double t_c, double w, double p_pa);

/* Density of moist air in kg/m^3: (1 + W) / v. */
double dcs_psy_density(double t_c, double w, double p_pa);

#endif
