# chat98: two commands on a fresh Debian machine with Rust (rustup).
#   make run   installs what is missing, then serves the release build at http://127.0.0.1:3000
#   make test  installs what is missing (Chromium too), then runs every test
# Both are idempotent: once the tools are there they only build what changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.10
# cargo-leptos runs whatever wasm-bindgen CLI is on PATH, so it must match the
# crate pinned in Cargo.toml exactly.
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)

# wasm-opt comes from npm's binaryen (Debian's binaryen 108 breaks hydration).
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# cargo-leptos sets this while building; setting it for plain cargo too lets
# `cargo test` and `cargo leptos` share one set of compiled dependencies.
export LEPTOS_OUTPUT_NAME := chat98
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The browser suite gets a server of its own: another port, a fresh database.
E2E_ADDR := 127.0.0.1:3098
E2E_DATA := $(CURDIR)/target/e2e-data

.PHONY: help run test tools wasm-target cargo-leptos wasm-bindgen-cli npm-packages browser unit fuzz e2e bench-smoke lint

help:
	@echo "make run    build (release) and serve chat98 at http://127.0.0.1:3000"
	@echo "make test   unit, integration and browser tests"
	@echo "make lint   rustfmt and clippy for both the server and the browser build"

# On a fresh machine the server's release build runs beside the tools'
# installs (each of them leaves a core idle at times: links, one-crate
# stretches), so the serve step below finds its dependencies built
# (BENCHMARKS.md, "First set-up").
run:
	@mkdir -p target; \
	  cargo build --release --features ssr --bin chat98 > target/first-server-build.log 2>&1 & server=$$!; \
	  $(MAKE) --no-print-directory -j3 tools || { kill $$server 2>/dev/null; exit 1; }; \
	  wait $$server || { tail -40 target/first-server-build.log; exit 1; }
	cargo leptos serve --release --precompress

test: tools browser unit fuzz e2e bench-smoke

# Every test against SQLite; then, with TEST_DATABASE_URL, every integration
# test again with its servers on PostgreSQL (leftover test schemas dropped first).
unit:
	cargo test --release --features ssr
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  psql "$$TEST_DATABASE_URL" -q -v ON_ERROR_STOP=1 -f tests/it/support/drop_test_schemas.sql && \
	  echo "again with the servers on PostgreSQL" && \
	  CHAT98_TEST_BACKEND=postgres cargo test --release --features ssr --tests; \
	fi

# schemathesis against /api/openapi.json, on the binary `unit` built.
fuzz:
	tests/fuzz/run

# cargo-leptos builds the release server and WASM (with .br/.gz copies of the
# bundle, served as they are), starts the server and runs Playwright at once;
# end2end/global-setup.ts waits for the server.
e2e:
	rm -rf "$(E2E_DATA)" target/e2e-results.json
	env -u DATABASE_URL LEPTOS_SITE_ADDR=$(E2E_ADDR) CHAT_DATA_DIR="$(E2E_DATA)" CHAT_REGISTER_MAX=100000 CHAT_HASH_WAIT=30s \
	  CHAT_MESSAGE_BURST=100000 CHAT98_BASE_URL=http://$(E2E_ADDR) \
	  cargo leptos end-to-end --release --precompress; \
	  status=$$?; node end2end/check-results.cjs && exit $$status

# The load harness in a tiny mode, so it keeps working (figures: BENCHMARKS.md).
bench-smoke:
	benches/run smoke

lint: tools
	cargo fmt --all --check
	cargo clippy --release --all-targets --features ssr -- -D warnings
	cargo clippy --release -p loadgen -- -D warnings
	cargo clippy --release --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

# The tools' own release profiles are fat LTO with one codegen unit; thin
# builds of them install in less time and run cargo-leptos's steps as fast
# (BENCHMARKS.md, "First set-up").
TOOL_PROFILE := CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1

tools: wasm-target cargo-leptos wasm-bindgen-cli npm-packages

wasm-target:
	@if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then \
	  rustup target add wasm32-unknown-unknown; fi

cargo-leptos:
	@if [ "$$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $(CARGO_LEPTOS_VERSION)" ]; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 10 minutes on 2 quiet cores)"; \
	  $(TOOL_PROFILE) cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads; fi

wasm-bindgen-cli:
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  $(TOOL_PROFILE) cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi

npm-packages:
	@if ! cmp -s end2end/package-lock.json end2end/node_modules/.chat98-installed; then \
	  (cd end2end && npm ci --no-audit --no-fund) && \
	  cp end2end/package-lock.json end2end/node_modules/.chat98-installed; fi

# Chromium for the browser suite; sqlite3 for its tests that write history
# with old timestamps into their own server's database while it is stopped.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v sqlite3 >/dev/null; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core sqlite3; fi
