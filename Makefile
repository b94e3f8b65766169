# Hearth: `make run` serves, `make test` tests, `make bench` measures.
# Each target first installs the Debian packages it needs (only those missing).

SHELL := /bin/bash
SWIFT ?= swift
DEB_PACKAGES := libsqlite3-dev libsecp256k1-dev libssl-dev zlib1g-dev pkg-config

.PHONY: deps build test fuzz run bench release clean

## deps: install missing system packages with apt-get (as root, or through sudo).
deps:
	@missing=""; \
	for pkg in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "make deps: installing$$missing"; \
	if ! command -v apt-get >/dev/null; then \
	  echo "make deps: apt-get not found; install these packages with your system's package manager:$$missing" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null; then sudo="sudo"; \
	else echo "make deps: run as root or install sudo, or run: apt-get install$$missing" >&2; exit 1; fi; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing

## build: debug build of everything.
build: deps
	$(SWIFT) build

## test: the whole test suite (what CI runs).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

## fuzz: the randomised tests with 20 times the cases and a random seed (or HEARTH_FUZZ_SEED,
## HEARTH_FUZZ_SCALE); a failure prints the seed that reproduces it.
fuzz: deps
	$(SWIFT) build --build-tests
	@seed=$${HEARTH_FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
	echo "make fuzz: seed $$seed"; \
	HEARTH_FUZZ_SEED=$$seed HEARTH_FUZZ_SCALE=$${HEARTH_FUZZ_SCALE:-20} \
	  $(SWIFT) test --skip-build --filter 'hostileStringsAgreeWithBruteForce|WebSocketFuzzTests' \
	  || { echo "make fuzz: FAILED with HEARTH_FUZZ_SEED=$$seed"; exit 1; }

## release: optimized build of the hearth binary.
release: deps
	$(SWIFT) build -c release --product hearth

## run: build and serve on the defaults (ws://127.0.0.1:8008, data/hearth.db).
run: release
	.build/release/hearth serve

## bench: optimized build (the benchmark runs `hearth serve` too), then print its tables.
bench: deps
	$(SWIFT) build -c release --product hearth
	$(SWIFT) build -c release --product HearthBench
	.build/release/HearthBench

clean:
	rm -rf .build
