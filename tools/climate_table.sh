#!/usr/bin/env bash
# climate_table.sh - annual PUE and WUE of every cooling archetype at every
# TMY3 station in tests/fixtures/weather/tmy3, as a Markdown table (the one
# in docs/methods.md), for one design class (default colocation).
# Usage: tools/climate_table.sh [path/to/dcsite] [colocation|hyperscale|enterprise]
set -euo pipefail
cd "$(dirname "$0")/.."
dcsite=${1:-build/dcsite}
class=${2:-colocation}
archetypes=(air_economizer water_economizer air_chiller liquid)
echo "| station | air economizer PUE / WUE | water economizer PUE / WUE | air-cooled chiller PUE | liquid PUE |"
echo "|---|---|---|---|---|"
for f in tests/fixtures/weather/tmy3/*.tmy3.gz; do
  row="| $(basename "$f" .tmy3.gz)"
  for a in "${archetypes[@]}"; do
    cell=$("$dcsite" energy "$f" --cooling "$a" --design-class "$class" --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
w = d["wue_l_kwh"]
print("%.3f" % d["pue_annual"] + (" / %.2f" % w if w else ""))')
    row="$row | $cell"
  done
  echo "$row |"
done
