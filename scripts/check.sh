#!/usr/bin/env bash
# What a reviewer checks before reading a change, in the order CI runs it: formatting, clippy
# with warnings as errors over every target, then the README's test command. Uses the same
# persistent target directory as CI. Pass --no-test to stop after the lints.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/homotopy-explorer/target}"
echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --release --all-targets -- -D warnings
if [ "${1:-}" = "--no-test" ]; then
  exit 0
fi
echo "== .ci/deps && cargo test --release (the README's test command)"
.ci/deps && cargo test --release
