from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import io, plots  # noqa: E402

plots.curves(
    [io.read_json(path) for path in snakemake.input.summaries],
    [io.read_csv(path) for path in snakemake.input.curves],
    snakemake.output.png,
    snakemake.output.svg,
)
