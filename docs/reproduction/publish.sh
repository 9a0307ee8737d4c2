#!/usr/bin/env bash
# Copy a finished pipeline run into docs/reproduction/<name>/ so readers see it without running anything:
#   docs/reproduction/publish.sh <name> [results folder, default results]
# Copies the report, the tables, the PNG figures the report shows (SVGs stay in results/; figures left in
# results/figures by a run of another config are not copied), and the sweep's cells and per-T runs.
set -euo pipefail
name=$1
src=${2:-results}
dest=$(cd "$(dirname "$0")" && pwd)/$name
rm -rf "$dest"
mkdir -p "$dest/figures"
cp "$src/report/report.html" "$src"/tables/*.csv "$src"/tables/*.md "$dest/"
python3 - "$src/report/report.ipynb" <<'PY' | (cd "$src/figures" && xargs -r cp --parents -t "$dest/figures/")
import json, re, sys
cell = next(c for c in json.load(open(sys.argv[1]))["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
print("\n".join(re.findall(r'"results/figures/([^"]+\.png)"', "".join(cell["source"]))))
PY
if [ -f "$src/sweep/cells.csv" ]; then
  cp "$src/sweep/cells.csv" "$dest/sweep_cells.csv"
  for runs in "$src"/sweep/T*/trials.csv; do cp "$runs" "$dest/sweep_runs_$(basename "$(dirname "$runs")").csv"; done
fi
echo "published $src -> $dest"
