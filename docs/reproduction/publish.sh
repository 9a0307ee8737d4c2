#!/usr/bin/env bash
# Copy a finished pipeline run into docs/reproduction/<name>/ so readers see it without running anything:
#   docs/reproduction/publish.sh <name> [results folder, default results]
# Copies the report, the tables, the PNG figures (SVGs stay in results/) and the sweep's cells.
set -euo pipefail
name=$1
src=${2:-results}
dest=$(cd "$(dirname "$0")" && pwd)/$name
rm -rf "$dest"
mkdir -p "$dest/figures"
cp "$src/report/report.html" "$src"/tables/*.csv "$src"/tables/*.md "$dest/"
(cd "$src/figures" && find . -name '*.png' -exec cp --parents {} "$dest/figures/" \;)
if [ -f "$src/sweep/cells.csv" ]; then cp "$src/sweep/cells.csv" "$dest/sweep_cells.csv"; fi
echo "published $src -> $dest"
