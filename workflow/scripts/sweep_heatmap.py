from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import io, plots, robustness  # noqa: E402

plots.sweep_heatmaps(io.read_csv(snakemake.input[0]), snakemake.wildcards.value, robustness.PAPER, snakemake.output.png, snakemake.output.svg)
