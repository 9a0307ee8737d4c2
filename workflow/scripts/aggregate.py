from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import tables  # noqa: E402

tables.write_all(
    [tables.load_trial(path) for path in snakemake.input.summaries],
    snakemake.output.trials,
    snakemake.output.timings,
    snakemake.output.table7_csv,
    snakemake.output.table7_md,
)
