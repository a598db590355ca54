# Comradarr: one non-recursive Makefile.
#
#   make                    build lib/libcomradarr.a, every binary and the fake *arr
#   make DEVELOPER=1        the strict warning set (what `make check` uses)
#   make SANITIZE=address,undefined
#   make BUILD=build-asan   build somewhere else (several builds side by side)
#   make check              install missing packages (as root), run every suite,
#                           then again under ASan+UBSan
#   make demo               build, start the embedded PostgreSQL and a demo library,
#                           run the whole job, serve the dashboard
#   make install            PREFIX, DESTDIR; install-bin/-man/-completions/-systemd/-sql
#
# Sources are found by wildcard: a new lib/LAYER/x.c joins the library, a new
# cmd/comradarr-x.c becomes a binary, a new tests/unit/test_x.c becomes a suite.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
LIBEXECDIR  ?= $(PREFIX)/libexec/comradarr
MANDIR      ?= $(PREFIX)/share/man
DATADIR     ?= $(PREFIX)/share/comradarr
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
UNITDIR     ?= $(PREFIX)/lib/systemd/system
DESTDIR     ?=
BUILD       ?= build

CC          ?= cc
PKGS        := libpq libcurl libsodium libargon2 jansson libmicrohttpd
# pkg-config runs when this file is read, so a target that installs the
# libraries first (deps, demo, check) must build in a second make that reads
# it again: their recipes run $(MAKE) after tests/deps.sh.  Any other goal on
# a machine without the libraries stops here with what to do, instead of a
# compiler error about a missing header.
NODEPS_GOALS:= deps demo check clean install-man install-completions install-systemd \
               install-sql uninstall
ifneq ($(MAKECMDGOALS),)
ifeq ($(filter-out $(NODEPS_GOALS),$(MAKECMDGOALS)),)
SKIP_PKG_CHECK := 1
endif
endif
ifneq ($(SKIP_PKG_CHECK),1)
ifneq ($(shell pkg-config --exists $(PKGS) check 2>/dev/null && echo ok),ok)
$(error the libraries Comradarr builds with are missing ($(PKGS), check): run 'make deps' \
(as root it installs them with apt-get), or 'make demo' / 'make check', which do it first)
endif
endif
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS:= $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null)
PG_BINDIR   := $(shell pg_config --bindir 2>/dev/null)
NPROC       := $(shell nproc 2>/dev/null || echo 2)

CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Werror
ifeq ($(DEVELOPER),1)
WARN        += -Wvla -Wformat=2 -Wformat-security -Wstrict-prototypes \
               -Wmissing-prototypes -Wold-style-definition -Wshadow \
               -Wpointer-arith -Wwrite-strings -Wundef -Wno-format-nonliteral \
               -Wimplicit-fallthrough -Wnull-dereference
endif
ifneq ($(SANITIZE),)
SAN_FLAGS   := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
ALL_CFLAGS  := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN_FLAGS) -Ilib -Icmd -I$(BUILD)/gen \
               -DCOMRADARR_VERSION='"$(VERSION)"' -DCOMRADARR_PG_BINDIR='"$(PG_BINDIR)"' \
               -DCOMRADARR_LIBEXECDIR='"$(LIBEXECDIR)"' $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS)
LIBS        := $(PKG_LIBS) -lm -lpthread

# Quiet by default, as git's build: "CC lib/core/log.o"; V=1 shows commands.
ifneq ($(V),1)
Q_CC        = @echo '   CC $@';
Q_LD        = @echo '   LD $@';
Q_AR        = @echo '   AR $@';
Q_GEN       = @echo '  GEN $@';
endif

LIB_SRCS    := $(sort $(wildcard lib/*/*.c))
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o
LIBA        := $(BUILD)/libcomradarr.a
CMD_SRCS    := $(sort $(wildcard cmd/comradarr*.c))
PROGRAMS    := $(CMD_SRCS:cmd/%.c=$(BUILD)/bin/%)
# cmd/common: option tables, --help/--version, error reporting (every binary)
# cmd/front:  the front door's admin verbs (comradarr db|migrate|connector ...)
CLI_OBJS    := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard cmd/common/*.c)))
FRONT_OBJS  := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard cmd/front/*.c)))
SQL_FILES   := $(sort $(wildcard sql/[0-9][0-9][0-9][0-9]_*.sql))

FAKEARR_SRCS:= $(sort $(wildcard tests/fakearr/*.c))
FAKEARR     := $(BUILD)/bin/fakearr
TLIB_SRCS   := $(sort $(wildcard tests/lib/*.c))
TLIB_OBJS   := $(TLIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
INTEG_SRCS  := $(sort $(wildcard tests/integration/test_*.c))
INTEG_BINS  := $(INTEG_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%)
BENCH_SRCS  := $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BINS  := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/tests/bench/%)

.PHONY: all lib programs tests clean check check-build check-asan check-unit \
        check-integration check-contract check-e2e check-lint check-style check-man \
        deps demo bench fuzz install install-bin install-man install-completions \
        install-systemd install-sql uninstall

all: programs $(FAKEARR) tests

lib: $(LIBA)
programs: $(PROGRAMS)
tests: $(UNIT_BINS) $(INTEG_BINS) $(BENCH_BINS) $(FAKEARR)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Migrations are compiled into the library so a binary never depends on
# where sql/ was installed; install-sql still ships them for reading.
$(BUILD)/gen/migrations.c: $(SQL_FILES) sql/embed.sh
	@mkdir -p $(@D)
	$(Q_GEN)sh sql/embed.sh $(SQL_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The web UI's CSS, JS and images travel inside the library too, each with
# a content hash for its ETag and its immutable URL (lib/web/ui_assets.h).
UI_ASSETS   := $(sort $(wildcard lib/web/ui/*.css lib/web/ui/*.js lib/web/ui/*.svg))
LIB_OBJS    += $(BUILD)/gen/ui_assets.o
$(BUILD)/gen/ui_assets.c: $(UI_ASSETS) lib/web/ui/embed.sh
	@mkdir -p $(@D)
	$(Q_GEN)sh lib/web/ui/embed.sh $(UI_ASSETS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/ui_assets.o: $(BUILD)/gen/ui_assets.c
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@rm -f $@
	$(Q_AR)$(AR) rcs $@ $^

$(BUILD)/bin/comradarr: $(BUILD)/cmd/comradarr.o $(FRONT_OBJS) $(CLI_OBJS) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/cmd/comradarr.o $(FRONT_OBJS) $(CLI_OBJS) $(LIBA) $(LIBS)

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(CLI_OBJS) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJS) $(LIBA) $(LIBS)

$(FAKEARR): $(FAKEARR_SRCS:%.c=$(BUILD)/%.o) $(LIBA)
	@mkdir -p $(@D)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $(FAKEARR_SRCS:%.c=$(BUILD)/%.o) $(LIBA) $(LIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(Q_CC)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests -Itests/lib -c -o $@ $<

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(TLIB_OBJS) $(LIBA)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

$(BUILD)/tests/integration/%: $(BUILD)/tests/integration/%.o $(TLIB_OBJS) $(LIBA)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(TLIB_OBJS) $(LIBA)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- tests
# `make check` is the one test command. It runs the whole suite once with
# the strict build and once under ASan+UBSan; tests/run.sh prints each
# runner's summary and a final "N passed, N failed" line.
check:
	@sh tests/deps.sh --test
	$(MAKE) --no-print-directory -j$(NPROC) DEVELOPER=1 BUILD=build all
	$(MAKE) --no-print-directory -j$(NPROC) DEVELOPER=1 BUILD=build-asan \
		SANITIZE=address,undefined CFLAGS='-O1 -g' all
	sh tests/run.sh build build-asan

check-build: all

deps:
	@sh tests/deps.sh

bench: all
	sh tests/bench/run.sh $(BUILD)

# deps, then a second make that reads this file with the libraries present
demo:
	@sh tests/deps.sh
	$(MAKE) --no-print-directory -j$(NPROC) BUILD=$(BUILD) programs $(FAKEARR)
	sh examples/demo.sh $(BUILD)

fuzz:
	sh tests/fuzz/run.sh long

# ---------------------------------------------------------------- install
install: install-bin install-man install-completions install-systemd install-sql

install-bin: programs
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/

install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	for f in man/*.1; do [ -e "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man1/; done; true
	for f in man/*.5; do [ -e "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man5/; done; true
	for f in man/*.7; do [ -e "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man7/; done; true

install-completions:
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 completions/comradarr.bash $(DESTDIR)$(BASHCOMPDIR)/comradarr
	for p in $(filter-out comradarr,$(notdir $(PROGRAMS))); do \
		ln -sf comradarr $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	install -m 0644 completions/_comradarr $(DESTDIR)$(ZSHCOMPDIR)/_comradarr

install-systemd:
	install -d $(DESTDIR)$(UNITDIR)
	for f in systemd/*.service systemd/*.timer; do \
		[ -e "$$f" ] || continue; \
		sed 's|@BINDIR@|$(BINDIR)|g' "$$f" > $(DESTDIR)$(UNITDIR)/$$(basename "$$f"); \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename "$$f"); done

install-sql:
	install -d $(DESTDIR)$(DATADIR)/sql
	install -m 0644 $(SQL_FILES) $(DESTDIR)$(DATADIR)/sql/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS)))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-*
