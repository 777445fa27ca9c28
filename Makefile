# zscrape: one Makefile, no recursion.  `make V=1` shows the commands.
include config.mk

BUILD   ?= build
ifdef SANITIZE
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override BUILD := $(BUILD)-san
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  += $(STD) $(OPT) $(WARN) $(SANFLAGS) -MMD -MP -I. $(PKG_CFLAGS)
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

MODS    := common parser fetcher sink
# every module's .c except its main.c goes into lib<module>.a
mod_src  = $(filter-out $(1)/main.c,$(wildcard $(1)/*.c))
mod_obj  = $(patsubst %.c,$(BUILD)/%.o,$(call mod_src,$(1)))
LIBS    := $(BUILD)/libparser.a $(BUILD)/libfetcher.a $(BUILD)/libsink.a \
           $(BUILD)/libcommon.a
PROGS   := bin/zscrape-fetcher bin/zscrape-parser bin/zscrape-sink
ifdef SANITIZE
PROGS   := $(patsubst bin/%,$(BUILD)/bin/%,$(PROGS))
endif
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.SECONDARY:
.PHONY: all unit test test-asan demo install clean check deps deps-demo fuzz \
        bench bench-parse bench-h2
TOOLS    := $(BUILD)/tests/select_dump $(BUILD)/tests/bench_parse
all: $(PROGS) $(UNIT_BIN) $(TOOLS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

define mod_lib
$(BUILD)/lib$(1).a: $(call mod_obj,$(1))
	@$$(if $$(Q),echo "  AR      $$@")
	$$(Q)mkdir -p $$(dir $$@) && rm -f $$@ && $$(if $$^,ar rcs $$@ $$^,printf '!<arch>\n' > $$@)
endef
$(foreach m,$(MODS),$(eval $(call mod_lib,$(m))))

bin/zscrape-% $(BUILD)/bin/zscrape-%: $(BUILD)/%/main.o $(LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

# the packages, by level (scripts/install-deps.sh --help): the demo needs
# only the build and run ones, the tests every tool they use
deps:
	@sh scripts/install-deps.sh --if-missing --test

deps-demo:
	@sh scripts/install-deps.sh --if-missing --demo

unit: all
	@tests/run-unit.sh $(BUILD)

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SANITIZE=address,undefined all
	@tests/run.sh

test-asan: deps
	@$(MAKE) --no-print-directory SANITIZE=address,undefined all
	@ZSCRAPE_BIN=$(CURDIR)/build-san/bin tests/run.sh --e2e-only

demo: deps-demo
	@$(MAKE) --no-print-directory all
	@scripts/zscrape demo

check:
	@scripts/checksrc.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/zscrape
	install -m 755 bin/zscrape-fetcher bin/zscrape-parser bin/zscrape-sink \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 755 scripts/zscrape scripts/zscrape-cluster \
		scripts/zscrape-serve $(DESTDIR)$(PREFIX)/bin/
	cp -r demo $(DESTDIR)$(PREFIX)/share/zscrape/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 man/zscrape.1 man/zscrape-sink.1 man/zscrape-fetcher.1 \
		man/zscrape-parser.1 man/zscrape-cluster.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 completion/zscrape.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/zscrape
	for p in zscrape-sink zscrape-fetcher zscrape-parser zscrape-cluster; do \
		ln -sf zscrape \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$p; done

clean:
	rm -rf build build-san bin/zscrape-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- selector
# tests/tools/select_dump: the C side of tests/t0300-css-differential.sh
all: $(BUILD)/tests/select_dump
$(BUILD)/tests/select_dump: tests/tools/select_dump.c $(LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

# ---------------------------------------------------------------- bench
# make bench-parse: CPU ms/page over the python3.11-doc pages for (a)
# decode + plain gumbo (malloc), (g) the same under zscrape's parse guard
# (arena, timer, depth check), (b) + the default rules, (c) + the rules of
# bench/rules10.txt; then (b) and (c) over (a) and over (g), and (g) over
# (a), the guard's cost.  `bench_parse DIR RULES PASSES MODE` runs one
# mode alone (for perf record).
PYDOC ?= /usr/share/doc/python3.11/html
$(BUILD)/tests/bench_parse: tests/tools/bench_parse.c $(LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

bench-parse: deps $(BUILD)/tests/bench_parse
	@$(BUILD)/tests/bench_parse $(PYDOC) bench/rules10.txt 3

# ---------------------------------------------------------------- fuzz
# libFuzzer harnesses for the selector compiler/matcher and the rule file
# (tests/fuzz/).  clang only; objects of their own in build-fuzz/.
# `make fuzz-short` runs each for FUZZ_SHORT seconds (used by make test),
# `make fuzz` for FUZZ_TIME.  New inputs go to build-fuzz/corpus-*/, a
# crash to build-fuzz/crash-* (add a regression unit test for it).
FUZZ_CC     ?= clang
FUZZ_TIME   ?= 600
FUZZ_SHORT  ?= 20
FUZZ_DIR    := build-fuzz
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=all $(STD) -I. \
               $(shell pkg-config --cflags gumbo libcurl 2>/dev/null)
FUZZ_LIBS   := $(shell pkg-config --libs gumbo libcurl 2>/dev/null) -lm
FUZZ_SRC    := parser/select_lex.c parser/select_parse.c \
               parser/select_index.c parser/select_match.c parser/text.c \
               parser/rules.c parser/extract.c parser/serialize.c \
               common/buf.c common/util.c common/log.c common/url.c
FUZZ_RUN     = -dict=tests/fuzz/$(2).dict -max_len=4096 -timeout=10 \
               -rss_limit_mb=4096 -artifact_prefix=$(FUZZ_DIR)/ \
               -print_final_stats=1
FUZZ_BINS   := $(FUZZ_DIR)/fuzz_select $(FUZZ_DIR)/fuzz_rules

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRC) $(wildcard parser/*.h)
	@mkdir -p $(FUZZ_DIR)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRC) $(FUZZ_LIBS)

# fuzz_one NAME DICT SECONDS
define fuzz_one
	@mkdir -p $(FUZZ_DIR)/corpus-$(1)
	$(Q)$(FUZZ_DIR)/fuzz_$(1) $(FUZZ_DIR)/corpus-$(1) tests/fuzz/seeds-$(1) \
		$(call FUZZ_RUN,$(1),$(2)) -max_total_time=$(3)
endef

.PHONY: fuzz-short
fuzz: $(FUZZ_BINS)
	$(call fuzz_one,select,select,$(FUZZ_TIME))
	$(call fuzz_one,rules,rules,$(FUZZ_TIME))

fuzz-short: $(FUZZ_BINS)
	$(call fuzz_one,select,select,$(FUZZ_SHORT)) 2>$(FUZZ_DIR)/select.log \
		|| { tail -n 40 $(FUZZ_DIR)/select.log; exit 1; }
	$(call fuzz_one,rules,rules,$(FUZZ_SHORT)) 2>$(FUZZ_DIR)/rules.log \
		|| { tail -n 40 $(FUZZ_DIR)/rules.log; exit 1; }
	@echo "fuzz-short: no findings ($(FUZZ_SHORT) s each)"

# ---------------------------------------------------------------- fuzz-msg
# the wire-protocol decoder's harness (tests/fuzz/fuzz_msg.c)
FUZZ_MSG_SRC := common/msg.c common/log.c common/util.c common/buf.c
$(FUZZ_DIR)/fuzz_msg_bin: tests/fuzz/fuzz_msg.c $(FUZZ_MSG_SRC) common/msg.h
	@mkdir -p $(FUZZ_DIR)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_MSG_SRC) \
		$(shell pkg-config --libs libzmq) -lm

.PHONY: fuzz-msg fuzz-msg-short
fuzz-msg-short: $(FUZZ_DIR)/fuzz_msg_bin
	@mkdir -p $(FUZZ_DIR)/corpus-msg
	$(Q)$(FUZZ_DIR)/fuzz_msg_bin $(FUZZ_DIR)/corpus-msg tests/fuzz/seeds-msg \
		-max_total_time=$(FUZZ_SHORT) -max_len=2048 -timeout=10 \
		-artifact_prefix=$(FUZZ_DIR)/ 2>$(FUZZ_DIR)/msg.log || \
		{ tail -n 30 $(FUZZ_DIR)/msg.log; exit 1; }
	@echo "fuzz-msg-short: no findings ($(FUZZ_SHORT) s)"
fuzz-msg: $(FUZZ_DIR)/fuzz_msg_bin
	@mkdir -p $(FUZZ_DIR)/corpus-msg
	$(FUZZ_DIR)/fuzz_msg_bin $(FUZZ_DIR)/corpus-msg tests/fuzz/seeds-msg \
		-max_total_time=$(FUZZ_TIME) -max_len=2048 \
		-artifact_prefix=$(FUZZ_DIR)/

# ---------------------------------------------------------------- make bench
# scripts/bench/run.sh: zscrape against its peers (Debian's httpx, aiohttp,
# Scrapy, parsel, npm's crawlee: scripts/install-deps.sh --bench; a peer
# that is missing is reported as skipped), IO-bound, CPU-bound, scaling,
# the gumbo ceiling and memory, in under 10 minutes; the table goes to
# bench/results/bench.{txt,csv,json,png}.  Tools of its own: the IO floor
# (a bare libcurl multi client) and the multi-process gumbo ceiling.
BENCH_TOOLS := $(BUILD)/bench/floor $(BUILD)/bench/floor-engine \
               $(BUILD)/bench/ceiling

$(BUILD)/bench/floor: scripts/bench/floor.c scripts/bench/floor_common.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs libcurl)

# the same with the fetcher's transfer engine (fetcher/events.c)
$(BUILD)/bench/floor-engine: scripts/bench/floor_engine.c \
		scripts/bench/floor_common.h $(LIBS)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS) $(LDLIBS)

$(BUILD)/bench/ceiling: scripts/bench/ceiling.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(shell pkg-config --libs gumbo)

bench:
	@sh scripts/install-deps.sh --if-missing --bench || \
		echo "bench: install-deps.sh --bench failed: missing peers will be skipped" >&2
	@$(MAKE) --no-print-directory all $(BENCH_TOOLS)
	@BUILD=$(BUILD) scripts/bench/run.sh

# make bench-h2: HTTP/2 against --http1.1 on the IO workload over https
# (scripts/bench/h2.sh; H2_N, H2_REPS, H2_PERHOST)
bench-h2:
	@$(MAKE) --no-print-directory all
	@scripts/bench/h2.sh
