/* utility_water.c - water against the utility's spare capacity. See utility_water.h. */
#include "community/utility_water.h"

#include <math.h>

/* x as a percentage of spare (NaN unless spare > 0). */
static double share(double x, double spare)
{
    return spare > 0 ? 100 * x / spare : NAN;
}

void dcs_water_share_compute(const dcs_utility *u, double peak_day_m3, double annual_m3,
                             dcs_water_share *out)
{
    double spare = !isnan(u->spare) ? u->spare : u->capacity - u->demand;
    double demand = !isnan(u->demand) ? u->demand : u->capacity - u->spare;
    double drought = u->capacity * u->drought_factor - demand;
    *out = (dcs_water_share){
        .spare_m3_day = spare,
        .spare_drought_m3_day = drought,
        .peak_day_pct = share(peak_day_m3, spare),
        .annual_pct = share(annual_m3, spare * 365),
        .peak_day_drought_pct = share(peak_day_m3, drought),
        .annual_drought_pct = share(annual_m3, drought * 365),
    };
}
