# SPDX-License-Identifier: GPL-2.0-or-later
# medsearch: one non-recursive Makefile.
#
#   make              build build/indexer, build/searchd, build/search
#   make check        build and run every test (unit, golden, end-to-end)
#   make demo         index corpus/, start searchd, run example searches
#   make site         the search page: searchd + nginx on 127.0.0.1:8089 (site-stop)
#   make SAN=1 ...    AddressSanitizer + UndefinedBehaviorSanitizer build
#   make TSAN=1 ...   ThreadSanitizer build
#   make install PREFIX=/usr/local DESTDIR=   (see "install" below)
#   make fresh-check  make check + make demo in a fresh Debian 12 root
#   make bench, make eval, make fuzz, make clean
#
# Sources are found by folder: common/*.c|*.cc -> libmedsearch.a,
# indexer/*.c, searchd/*.c, client/*.c -> one program each (main.c holds
# main; the rest also goes into a per-program library that tests link),
# tests/unit/test_*.c -> one cmocka test binary each.

.DEFAULT_GOAL := all
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/medsearch
DOCDIR  ?= $(PREFIX)/share/doc/medsearch
MANDIR  ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
B       := build
O       := build/obj
VERSION := 0.1.0

CC  ?= cc
CXX ?= c++
PKGS := xapian-core icu-uc icu-i18n zlib libmicrohttpd jansson libcurl libxml-2.0 hunspell

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CXXWARN  := -Wall -Wextra -Wshadow
OPT      ?= -O2 -g
SANFLAGS :=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1 -g
endif
ifeq ($(TSAN),1)
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT      := -O1 -g
endif

# pkg-config is only asked once the dependencies are known to be installed.
DEPS_OK := $(shell scripts/deps.sh >&2 && echo 1)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Each program links only the libraries it uses, with --no-as-needed so
# that its NEEDED entries are exactly these lists in every build (Debian's
# gcc drops --as-needed under SAN=1 anyway); tests/e2e/00-programs.sh
# checks them. The tests and tools link every library.
indexer_LIBS := $(shell pkg-config --libs xapian-core icu-uc icu-i18n zlib jansson libxml-2.0 2>/dev/null)
searchd_LIBS := $(shell pkg-config --libs xapian-core icu-uc zlib libmicrohttpd jansson hunspell 2>/dev/null) -lm
# searchd allocates per request (Xapian's postlists and cursors, records,
# JSON) on worker threads and frees across them (the pool's jobs):
# mimalloc's thread-local free lists take 3-9 % off a request's
# instructions (bench/results/related-speed-2026-12-07.md). Sanitizer builds keep
# their own allocator.
ifeq ($(SAN)$(TSAN),)
searchd_LIBS += -lmimalloc
endif
search_LIBS  := $(shell pkg-config --libs jansson libcurl 2>/dev/null) -lm
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

CPPFLAGS += -Icommon -D_GNU_SOURCE -DMEDSEARCH_VERSION='"$(VERSION)"' \
            -MMD -MP
CFLAGS   += -std=c11 $(WARN) $(OPT) $(SANFLAGS) -pthread $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 $(CXXWARN) $(OPT) $(SANFLAGS) -pthread $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS) -pthread
LDLIBS   += -lm

# Rebuild everything when the flags change (SAN=1 after a plain build).
FLAGS_STAMP := $(B)/.flags-$(shell echo '$(CC) $(CXX) $(CFLAGS) $(CXXFLAGS) $(CPPFLAGS)' | md5sum | cut -c1-12)

COMMON_C   := $(wildcard common/*.c)
COMMON_CXX := $(wildcard common/*.cc)
COMMON_OBJ := $(COMMON_C:%.c=$(O)/%.o) $(COMMON_CXX:%.cc=$(O)/%.o)
LIBCOMMON  := $(B)/libmedsearch.a

define program
$(1)_SRC  := $$(wildcard $(2)/*.c)
$(1)_LIBO := $$(patsubst %.c,$(O)/%.o,$$(filter-out $(2)/main.c,$$($(1)_SRC)))
$(1)_LIB  := $(B)/lib$(1).a
$$($(1)_LIB): $$($(1)_LIBO)
	@rm -f $$@
	ar rcs $$@ $$^
$(B)/$(1): $(O)/$(2)/main.o $$($(1)_LIB) $(LIBCOMMON)
	$$($(3)) $$(LDFLAGS) -o $$@ $$^ -Wl,--no-as-needed $$($(1)_LIBS)
PROGRAMS += $(B)/$(1)
PROGLIBS += $$($(1)_LIB)
endef
# program NAME,FOLDER,LINKER: the client has no C++ and links with $(CC).
$(eval $(call program,indexer,indexer,CXX))
$(eval $(call program,searchd,searchd,CXX))
$(eval $(call program,search,client,CC))

TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c bench/*.c)
TOOL_BIN := $(patsubst %.c,$(B)/%,$(notdir $(TOOL_SRC)))

.PHONY: all check demo demo-stop site site-stop bench eval fuzz install clean tests fresh-check man
all: $(PROGRAMS)
tests: all $(TEST_BIN) $(TOOL_BIN)

$(FLAGS_STAMP):
	@mkdir -p $(B)
	@rm -f $(B)/.flags-*
	@touch $@

$(O)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(O)/%.o: %.cc $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(LIBCOMMON): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/tests/%: $(O)/tests/unit/%.o $(PROGLIBS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $< $(PROGLIBS) $(LIBCOMMON) $(PKG_LIBS) $(LDLIBS) $(CMOCKA_LIBS)

# Small helper programs used by tests and benchmarks (load generator, ...).
$(B)/%: $(O)/tests/tools/%.o $(PROGLIBS) $(LIBCOMMON)
	$(CXX) $(LDFLAGS) -o $@ $< $(PROGLIBS) $(LIBCOMMON) $(PKG_LIBS) $(LDLIBS)
$(B)/%: $(O)/bench/%.o $(PROGLIBS) $(LIBCOMMON)
	$(CXX) $(LDFLAGS) -o $@ $< $(PROGLIBS) $(LIBCOMMON) $(PKG_LIBS) $(LDLIBS)

check: tests
	@tests/run.sh

demo: all
	@scripts/demo.sh

demo-stop:
	@if [ -f demo/searchd.pid ]; then kill -TERM $$(cat demo/searchd.pid) 2>/dev/null || true; rm -f demo/searchd.pid; echo "searchd stopped"; fi

site: all
	@scripts/site.sh

site-stop:
	@scripts/site.sh stop

bench: all $(TOOL_BIN)
	@bench/run.sh
	@bench/scaleout.sh
	@bench/replication.sh

eval: all
	@bench/eval.sh

fuzz:
	@tests/fuzz/run.sh

# The README's two commands in a minimal Debian 12 root (needs root or sudo).
fresh-check:
	@scripts/fresh-check.sh

# install: the programs, data/, the example config, the docs, the manual
# pages (help2man from each program's --help, medsearch.conf(5) from the
# example config's comments: the text lives in one place) and the systemd
# units with the paths filled in. No path is compiled in (the indexer finds
# data/ beside its binary), so a PREFIX changes no object file.
MANPAGES := $(B)/man/indexer.1 $(B)/man/search.1 $(B)/man/searchd.8 $(B)/man/medsearch.conf.5
UNITS    := $(patsubst contrib/systemd/%.in,$(B)/systemd/%,$(wildcard contrib/systemd/*.in))
man: $(MANPAGES)
$(B)/man/indexer.1: $(B)/indexer docs/man/indexer.h2m
	@mkdir -p $(dir $@)
	help2man --no-info --section 1 --name "build and update the medsearch index" --include docs/man/indexer.h2m \
	    --output $@ $<
$(B)/man/search.1: $(B)/search docs/man/search.h2m
	@mkdir -p $(dir $@)
	help2man --no-info --section 1 --name "query searchd from the command line" --include docs/man/search.h2m \
	    --output $@ $<
$(B)/man/searchd.8: $(B)/searchd docs/man/searchd.h2m
	@mkdir -p $(dir $@)
	help2man --no-info --section 8 --name "the medsearch search daemon" --include docs/man/searchd.h2m \
	    --output $@ $<
$(B)/man/medsearch.conf.5: medsearch.conf.example scripts/conf2man.sh
	@mkdir -p $(dir $@)
	scripts/conf2man.sh $(VERSION) < $< > $@
# The units depend on the install paths: made at each install, never stale.
.PHONY: units
units:
	@mkdir -p $(B)/systemd
	@for u in contrib/systemd/*.in; do \
	    sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	        -e 's|@UNITDIR@|$(UNITDIR)|g' $$u > $(B)/systemd/$$(basename $$u .in); done

install: all man units
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -m 644 data/* medsearch.conf.example $(DESTDIR)$(DATADIR)/
	install -m 644 README.md LICENSE docs/*.md medsearch.conf.example $(DESTDIR)$(DOCDIR)/
	install -m 644 $(B)/man/indexer.1 $(B)/man/search.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(B)/man/medsearch.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(B)/man/searchd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 $(UNITS) $(DESTDIR)$(UNITDIR)/

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
