from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import io, plots  # noqa: E402

plots.success_distribution(io.read_csv(snakemake.input[0]), snakemake.params.order, snakemake.output.png, snakemake.output.svg)
