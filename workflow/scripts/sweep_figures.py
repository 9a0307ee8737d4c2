from lstm1997 import jobs

jobs.start(snakemake.log[0])

import pandas as pd  # noqa: E402

from lstm1997 import io, sweep  # noqa: E402

cells = sweep.summarize(pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True))
io.write_csv(snakemake.output.cells, cells)
for value, png, svg in zip(("success_probability", "median_sequences"), snakemake.output.png, snakemake.output.svg):
    sweep.heatmaps(cells, value, png, svg)
