#!/usr/bin/env bash
# Behaviour check for refactors: runs a fixed list of short runs (shipped presets, some with a
# shorter Phase I so that every strategy reaches its homotopy part) and prints one SHA-256 per
# history.csv and solution.csv. Run it before and after a change and diff the two listings;
# identical lines mean the runs wrote byte-identical numbers.
#
#   scripts/same-outputs.sh [BINARY] > before.txt
#
# BINARY defaults to the release build in the persistent target directory.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/homotopy-explorer/target}"
bin="${1:-$target/release/homotopy-explorer}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# preset | --steps cap | sed edits applied to the preset (";"-separated, may be empty)
runs=(
  "allen_cahn_1d_classical|300|"
  "allen_cahn_1d_strategy1|500|s/^adam_steps = .*/adam_steps = 200/"
  "allen_cahn_1d_strategy1_paper|400|s/^adam_steps = .*/adam_steps = 200/;s/^lm_iterations = .*/lm_iterations = 20/"
  "allen_cahn_1d_strategy2|900|s/^adam_steps = .*/adam_steps = 200/;s/^lm_iterations = .*/lm_iterations = 20/;s/^max_steps = 5000/max_steps = 150/"
  "allen_cahn_1d_curriculum|900|s/^adam_steps = .*/adam_steps = 200/;s/^lm_iterations = .*/lm_iterations = 20/;s/^max_steps = 5000/max_steps = 150/"
  "allen_cahn_1d_hrta|400|"
  "burgers_1d_strategy1|300|s/^adam_steps = .*/adam_steps = 100/"
  "burgers_1d_s_homotopy|300|s/^adam_steps = .*/adam_steps = 100/"
  "boundary_layer_isgd|300|"
  "poisson_multiscale_1d_lbfgs|60|"
  "poisson_multiscale_1d_homotopy|300|s/^adam_steps = .*/adam_steps = 100/"
  "high_frequency_fit_homotopy|300|s/^adam_steps = .*/adam_steps = 100/"
  "helmholtz_2d_homotopy|140|s/^adam_steps = .*/adam_steps = 60/;s/^lm_iterations = .*/lm_iterations = 5/;s/^max_steps = 30/max_steps = 10/"
  "allen_cahn_2d_time_sequential_adam|120|s/^initial_steps = .*/initial_steps = 40/"
  "random_features_allen_cahn|200|"
)
for entry in "${runs[@]}"; do
  IFS='|' read -r preset steps edits <<<"$entry"
  src="presets/$preset.toml"
  cp "$src" "$work/$preset.toml"
  if [ -n "$edits" ]; then
    sed -i "$edits" "$work/$preset.toml"
  fi
  out="$work/out/$preset"
  if ! "$bin" run "$work/$preset.toml" --steps "$steps" --out "$out" --quiet 2>"$work/$preset.log"; then
    echo "$preset: run failed" >&2
    cat "$work/$preset.log" >&2
    exit 1
  fi
  for f in history.csv solution.csv; do
    echo "$(sha256sum <"$out/$f" | cut -c1-16)  $preset/$f"
  done
done
