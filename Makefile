# dcsite - data-center siting.  `make demo` and `make test` do all set-up.
#
#   make            build build/dcsite (packages must already be installed)
#   make demo       install packages if missing, build, run the sample region
#   make test       install packages if missing, build, run every test
#                   (plain build, then again under ASan + UBSan)
#   make asan       only the sanitizer run of the tests
#   make valgrind   the end-to-end demo under valgrind (leaks and errors)
#   make fuzz       libFuzzer (clang-14) on the scenario and weather parsers,
#                   FUZZ_SECONDS (default 20) per target; part of make test
#   make bench      benchmark: synthetic regions of 100k and 1M parcels
#                   (BENCH_SIZES, BENCH_TIMEOUT: see tests/bench/run_bench.sh),
#                   the grid model, and the HTML report of 100k sites
#                   (size, open time in headless chromium: html_bench.sh)
#   make install    build/dcsite and its manual page into $(DESTDIR)$(PREFIX)
#                   (bin/dcsite, share/man/man1/dcsite.1, share/doc/dcsite/ with
#                   README.md and docs/)
#   make clean

PKGS      := gdal proj geos xlsxwriter libcjson libcrypto sqlite3 cairo fontconfig
BUILD     ?= build
SAN       ?=
OPT       ?= -O2
CC        ?= gcc
PREFIX    ?= /usr/local
DESTDIR   ?=

# Recursive (=) so pkg-config runs when a recipe needs it, after the
# dependency step has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)

# Messages and names are cut to fixed buffers on purpose, hence
# -Wno-format-truncation; every other warning is an error.
CFLAGS  = -std=c11 -D_GNU_SOURCE -DGEOS_USE_ONLY_R_API -Wall -Wextra -Werror \
          -Wshadow -Wstrict-prototypes -Wmissing-prototypes $(OPT) -g \
          -Wno-format-truncation \
          -Ianalysis -Ireports -Icli $(PKG_CFLAGS) $(SAN)
LDLIBS  = $(PKG_LIBS) -lm -lpthread

LIB_SRC   := $(sort $(wildcard analysis/*/*.c reports/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%) $(BUILD)/tests/libenospc.so \
            $(BUILD)/tests/librenamefail.so \
            $(BUILD)/tests/route_driver
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 20
FUZZ_SAN  := -Wno-unknown-warning-option -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
CLI_LIB_OBJ = $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJ))

# The HTML report's JavaScript: npm packages pinned in package.json and
# package-lock.json (Leaflet; puppeteer-core for the browser test), fetched
# with npm ci into $(BUILD)/npm when missing or when the lock changes, then
# Leaflet and reports/web/ pasted into the binary (docs/dependencies.md).
NPM_DIR   = $(BUILD)/npm
LEAFLET   = $(NPM_DIR)/node_modules/leaflet/dist
WEB_SRC   := reports/web/report.js reports/web/report.css
WEB_OBJ   = $(BUILD)/gen/web_assets.o

SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all deps deps-test deps-bench demo test asan valgrind bench clean tests-build fuzz fuzz-build \
        install

all: $(BUILD)/dcsite $(BUILD)/dcsite.1

deps:
	@tools/install-deps.sh build

deps-test:
	@tools/install-deps.sh test

deps-bench:
	@tools/install-deps.sh bench

$(BUILD)/%.o: %.c $(wildcard analysis/*/*.h reports/*.h cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(NPM_DIR)/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "dcsite: npm is missing: run tools/install-deps.sh build" >&2; exit 1; }
	@mkdir -p $(NPM_DIR)
	cp package.json package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -o $@ $<

$(BUILD)/gen/web_assets.c: $(BUILD)/tools/embed $(NPM_DIR)/.installed $(WEB_SRC)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ dcs_web_leaflet_js $(LEAFLET)/leaflet.js \
	  dcs_web_leaflet_css $(LEAFLET)/leaflet.css \
	  dcs_web_report_js reports/web/report.js dcs_web_report_css reports/web/report.css

$(WEB_OBJ): $(BUILD)/gen/web_assets.c reports/web_assets.h
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libdcsite.a: $(LIB_OBJ) $(CLI_LIB_OBJ) $(WEB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/dcsite: $(BUILD)/cli/main.o $(BUILD)/libdcsite.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The manual page comes from the option tables (cli/manpage.c).
$(BUILD)/dcsite.1: $(BUILD)/dcsite
	$(BUILD)/dcsite --man > $@.tmp && mv $@.tmp $@

install: $(BUILD)/dcsite $(BUILD)/dcsite.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/doc/dcsite/docs
	install -m 755 $(BUILD)/dcsite $(DESTDIR)$(PREFIX)/bin/dcsite
	install -m 644 $(BUILD)/dcsite.1 $(DESTDIR)$(PREFIX)/share/man/man1/dcsite.1
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/dcsite/
	install -m 644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/dcsite/docs/

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libdcsite.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libdcsite.a $(LDLIBS) $(CMOCKA_LIBS)

# The route engine's command-line front end for tests/e2e/test_route.py.
$(BUILD)/tests/route_driver: tests/tools/route_driver.c $(BUILD)/libdcsite.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libdcsite.a $(LDLIBS)

# The full-disk shim for the bad-input suite (LD_PRELOAD; plain, no sanitizer).
$(BUILD)/tests/libenospc.so: tests/fault/enospc.c
	@mkdir -p $(dir $@)
	gcc -std=c11 -Wall -Wextra -Werror -O2 -g -fPIC -shared -o $@ $< -ldl

# The failing-rename shim for tests/e2e/test_commit.py (LD_PRELOAD; plain).
$(BUILD)/tests/librenamefail.so: tests/fault/renamefail.c
	@mkdir -p $(dir $@)
	gcc -std=c11 -Wall -Wextra -Werror -O2 -g -fPIC -shared -o $@ $< -ldl

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_weather.h $(BUILD)/libdcsite.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libdcsite.a $(LDLIBS)

tests-build: $(BUILD)/dcsite $(BUILD)/dcsite.1 $(TEST_BIN)

fuzz-build: $(FUZZ_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	@$(BUILD)/dcsite run data/scenarios/dallas.json -o out/demo

test: deps-test
	@$(MAKE) --no-print-directory tests-build
	@$(MAKE) --no-print-directory BUILD=build-asan SAN="$(SANFLAGS)" OPT=-O1 tests-build
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang-14 SAN="$(FUZZ_SAN)" OPT=-O1 fuzz-build
	@FUZZ_BUILD=build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run.sh build build-asan

fuzz: deps-test
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang-14 SAN="$(FUZZ_SAN)" OPT=-O1 fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run_fuzz.sh build-fuzz

asan: deps-test
	@$(MAKE) --no-print-directory BUILD=build-asan SAN="$(SANFLAGS)" OPT=-O1 tests-build
	@tests/run.sh build-asan

valgrind: deps-test
	@$(MAKE) --no-print-directory all
	valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	  $(BUILD)/dcsite run data/scenarios/dallas.json -o out/valgrind --quiet

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench/xlsx_floor
	@DCSITE=$(BUILD)/dcsite BENCH_XLSX_FLOOR=$(BUILD)/bench/xlsx_floor tests/bench/run_bench.sh
	@DCSITE=$(BUILD)/dcsite tests/bench/grid_bench.sh
	@DCSITE=$(BUILD)/dcsite tests/bench/html_bench.sh

# the libxlsxwriter floor of the workbook (tests/bench/xlsx_floor.c; issue 28)
$(BUILD)/bench/xlsx_floor: tests/bench/xlsx_floor.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 $< -o $@ -lxlsxwriter

clean:
	rm -rf build build-asan build-fuzz out
