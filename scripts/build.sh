#!/usr/bin/env bash
# Build the shipped scenarios (scenarios/*.toml) into out/. Sets up .venv on first use.
# Extra arguments go to `kim-budget build`, e.g. `bash scripts/build.sh scenarios/ -o elsewhere/`.
source "$(dirname "$0")/setup.sh"
exec .venv/bin/kim-budget build "$@"
