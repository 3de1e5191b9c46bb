# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.mk: builds the libFuzzer targets into build/fuzz/ with clang,
# apart from the main build (its own objects and flags). Used by
# tests/fuzz/run.sh:  make -f tests/fuzz/fuzz.mk [targets]
#
# Every source is instrumented for coverage (fuzzer-no-link) and built
# with ASan+UBSan; the targets link libFuzzer. build/fuzz/indexer (same
# objects, no libFuzzer) builds the small index fuzz_query and
# fuzz_request search.

FZ       := build/fuzz
FZO      := $(FZ)/obj
FCC      ?= clang-14
FCXX     ?= clang++-14
PKGS     := xapian-core icu-uc icu-i18n zlib libmicrohttpd jansson libcurl libxml-2.0 hunspell
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FFLAGS   := -g -O1 $(SAN) -fsanitize=fuzzer-no-link -pthread
FCPPFLAGS := -Icommon -D_GNU_SOURCE -DMEDSEARCH_VERSION='"fuzz"' -DMEDSEARCH_DATADIR='"data"' -MMD -MP
FCFLAGS  := -std=c11 -Wall -Wextra -Wno-unused-parameter $(FFLAGS) $(PKG_CFLAGS)
FCXXFLAGS := -std=c++17 -Wall -Wextra $(FFLAGS) $(PKG_CFLAGS)

F_COMMON := $(patsubst %.c,$(FZO)/%.o,$(wildcard common/*.c)) $(patsubst %.cc,$(FZO)/%.o,$(wildcard common/*.cc))
F_SEARCHD := $(patsubst %.c,$(FZO)/%.o,$(filter-out searchd/main.c,$(wildcard searchd/*.c)))
F_INDEXER := $(patsubst %.c,$(FZO)/%.o,$(wildcard indexer/*.c))
F_READERS := $(filter-out $(FZO)/indexer/main.o,$(F_INDEXER))
F_UTIL   := $(FZO)/tests/fuzz/fuzzutil.o
F_NAMES  := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
F_BINS   := $(addprefix $(FZ)/fuzz_,$(F_NAMES))

.PHONY: fuzz-build
.SECONDARY:
fuzz-build: $(F_BINS) $(FZ)/indexer

$(FZO)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FCC) $(FCPPFLAGS) $(FCFLAGS) -c -o $@ $<
$(FZO)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(FCXX) $(FCPPFLAGS) $(FCXXFLAGS) -c -o $@ $<

# Every target links the indexer's input readers and the searchd objects:
# the input targets use the former, fuzz_query and fuzz_request the latter.
# The readers are an archive, as in the main build: only the objects a
# target uses are linked (the pipeline needs main.c's interrupt flag).
$(FZ)/libreaders.a: $(F_READERS)
	rm -f $@ && ar rcs $@ $^
$(FZ)/fuzz_%: $(FZO)/tests/fuzz/fuzz_%.o $(F_UTIL) $(FZ)/libreaders.a $(F_SEARCHD) $(F_COMMON)
	$(FCXX) $(SAN) -fsanitize=fuzzer -pthread -o $@ $^ $(PKG_LIBS) -lm

$(FZ)/indexer: $(F_INDEXER) $(F_COMMON)
	$(FCXX) $(SAN) -pthread -o $@ $^ $(PKG_LIBS) -lm

-include $(shell find $(FZO) -name '*.d' 2>/dev/null)
