from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import plots  # noqa: E402

plots.write_all(
    snakemake.input.trials,
    snakemake.input.table7,
    snakemake.params.order,
    snakemake.params.runs,
    snakemake.input.curves,
    snakemake.input.errors,
    snakemake.output.png,
    snakemake.output.svg,
)
