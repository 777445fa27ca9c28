#!/bin/bash
# t0000-lint: the house style's lint (scripts/checksrc.sh) passes on every
# C file: no tabs, 80 columns, no // comments, no banned calls.
set -eu
cd "$(dirname "$0")/.."
scripts/checksrc.sh
