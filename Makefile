# talentd: two commands on a fresh Debian machine.
#   make run   installs missing system packages, builds, initializes ./var/talent.db (admin password in
#              ./var/admin.secret), serves on ./var/talentd.sock
#   make test  installs, builds, runs every test suite (Swift unit tests, the integration suite over the
#              socket, then the fuzzer for 60 s)
#   make fuzz  the libFuzzer harness (Tests/fuzz) for FUZZ_SECONDS (default 600)
#   make install  installs talentd, talentctl (with its message bundle), its man page and shell completions under $(PREFIX)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
SWIFT ?= swift
PYTHON ?= python3
# System packages the build and the tests need (C headers for SQLite and Argon2; sqlite3 for
# inspecting databases in tests and by hand; man-db and groff to check the man page renders;
# prometheus for promtool, which checks system.metrics; systemd for systemd-analyze, which checks
# Ops/systemd; chromium, headless, opens the report `talentctl publish` writes).
APT_PACKAGES := libsqlite3-dev libargon2-dev sqlite3 man-db groff-base prometheus systemd chromium
PY_MODULES := pytest jsonschema
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VAR := ./var

.PHONY: run test deps py-deps build build-debug unit-test integration-test fuzz fuzz-build bench clean help install man completions

help:
	@echo "make run    - install what is missing, build (release), init $(VAR)/talent.db, serve on $(VAR)/talentd.sock"
	@echo "make test   - install what is missing, build, run the unit and integration tests"
	@echo "make fuzz   - fuzz the framer, JSON parser and envelope for FUZZ_SECONDS (default 600); crashes in $(FUZZ_DIR)/crashes"
	@echo "make bench  - compare talentd with redis-server over Unix sockets (Ops/bench)"
	@echo "make install - install the binaries, talentctl's man page and bash/zsh/fish completions under PREFIX (default /usr/local)"
	@echo "make man    - regenerate Ops/man/talentctl.1 from talentctl's commands"

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

py-deps:
	@$(PYTHON) -c 'import pytest, jsonschema' 2>/dev/null || $(PYTHON) -m pip install -q $(PY_MODULES)

build: deps
	$(SWIFT) build -c release --product talentd
	$(SWIFT) build -c release --product talentctl

run: build
	mkdir -p $(VAR)
	.build/release/talentd init --db $(VAR)/talent.db --admin-secret-file $(VAR)/admin.secret
	@echo "serving on $(VAR)/talentd.sock; the admin password is in $(VAR)/admin.secret (mode 0600)"
	@echo "try: .build/release/talentctl ping; .build/release/talentctl --principal admin --secret-file $(VAR)/admin.secret info"
	exec .build/release/talentd serve --db $(VAR)/talent.db --socket $(VAR)/talentd.sock

build-debug: deps
	$(SWIFT) build --build-tests
	# The man page test compares Ops/man/talentctl.1 with the commands as they are.
	$(SWIFT) build --product generate-manual

unit-test: build-debug
	$(SWIFT) test --skip-build

integration-test: build-debug py-deps
	$(PYTHON) -m pytest -q -p no:cacheprovider Tests/integration

# The fuzz build has its own scratch path: its flags (sanitizers, -DFUZZING) must never mix
# with the ordinary build's products. libFuzzer adds what it finds to a copy of the seed corpus, so
# the tree stays clean; a crash input is written to $(FUZZ_DIR)/crashes and becomes a unit test.
FUZZ_DIR := .build-fuzz
FUZZ_SECONDS ?= 600

fuzz-build: deps
	$(SWIFT) build --scratch-path $(FUZZ_DIR) --product talent-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING

fuzz: fuzz-build
	mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/crashes
	cp Tests/fuzz/corpus/* $(FUZZ_DIR)/corpus/
	$(FUZZ_DIR)/debug/talent-fuzz $(FUZZ_DIR)/corpus -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -artifact_prefix=$(FUZZ_DIR)/crashes/ -print_final_stats=1

test: unit-test integration-test
	$(MAKE) fuzz FUZZ_SECONDS=60

bench: deps
	bash Ops/bench/compare-redis.sh

PREFIX ?= /usr/local
DESTDIR ?=
BIN := .build/release

# The man page is generated from the commands (swift-argument-parser's generate-manual) and kept
# in the repository, so that installing needs no generator; blank lines become paragraph breaks.
man:
	$(SWIFT) build --product talentctl
	$(SWIFT) build --product generate-manual
	mkdir -p Ops/man
	"$$($(SWIFT) build --show-bin-path)/generate-manual" "$$($(SWIFT) build --show-bin-path)/talentctl" \
	  --output-directory Ops/man --section 1 --date "$$(git log -1 --format=%cs)"
	sed -i 's/^$$/.Pp/' Ops/man/talentctl.1

completions: build
	mkdir -p $(BIN)/completions
	for shell in bash zsh fish; do $(BIN)/talentctl --generate-completion-script $$shell > $(BIN)/completions/talentctl.$$shell; done

# talentctl finds its messages (English, Vietnamese) in ../share/talentctl beside its bin directory.
install: build completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/talentctl
	install -m 0755 $(BIN)/talentd $(BIN)/talentctl $(DESTDIR)$(PREFIX)/bin/
	cp -R $(BIN)/talentd_talentctl.resources $(DESTDIR)$(PREFIX)/share/talentctl/
	install -m 0644 Ops/man/talentctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 0644 $(BIN)/completions/talentctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/talentctl
	install -D -m 0644 $(BIN)/completions/talentctl.zsh $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_talentctl
	install -D -m 0644 $(BIN)/completions/talentctl.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/talentctl.fish

clean:
	rm -rf .build $(FUZZ_DIR)
