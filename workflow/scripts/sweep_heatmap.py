from lstm1997 import jobs

jobs.start(snakemake.log[0])

import pandas as pd  # noqa: E402

from lstm1997 import plots, sweep  # noqa: E402

plots.sweep_heatmaps(pd.read_csv(snakemake.input[0]), snakemake.wildcards.value, sweep.PAPER, snakemake.output.png, snakemake.output.svg)
