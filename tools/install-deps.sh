#!/usr/bin/env bash
# install-deps.sh - make sure the Debian packages dcsite needs are installed.
#
#   tools/install-deps.sh build   packages to build and run dcsite
#   tools/install-deps.sh test    the above plus what the test suite uses
#   tools/install-deps.sh bench   the test packages plus the benchmark's
#                                 (ogr2ogr for its floor, GNU time for RSS,
#                                 GeoPandas, rasterio and rtree for its
#                                 GeoPandas peer)
#
# As root, missing packages are installed with apt-get (running
# `apt-get update` first when the package lists are missing or stale).
# Otherwise the exact install command is printed and the script exits 1.
set -euo pipefail

build_pkgs=(gcc make pkg-config libgdal-dev libproj-dev libgeos-dev
            libxlsxwriter-dev libcjson-dev libssl-dev libsqlite3-dev libcairo2-dev
            libfontconfig-dev fonts-dejavu-core)
test_pkgs=(libcmocka-dev python3 python3-gdal python3-openpyxl python3-pyproj
           valgrind libreoffice-calc-nogui clang-14 libclang-rt-14-dev postgresql-15
           postgresql-15-postgis-3 slurm-wlm munge man-db poppler-utils
           python3-jsonschema python3-qgis qgis-providers xvfb xauth
           python3-numpy python3-scipy python3-skimage)
bench_pkgs=(gdal-bin time python3-geopandas python3-rasterio python3-rtree)
# npm fetches Leaflet at build time (the HTML report; docs/dependencies.md):
# Debian's npm, unless an npm (e.g. one that came with another nodejs
# package) is there already.  The browser test drives Debian's chromium.
command -v npm >/dev/null 2>&1 || build_pkgs+=(npm)
test_pkgs+=(chromium)

case "${1:-build}" in
  build) wanted=("${build_pkgs[@]}") ;;
  test)  wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "dcsite: missing Debian packages: ${missing[*]}" >&2
  echo "dcsite: install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "dcsite: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
