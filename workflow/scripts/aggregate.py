from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import tables  # noqa: E402

tables.write_all(
    [tables.load_trial(*trial) for trial in zip(snakemake.input.summaries, snakemake.input.evaluations, snakemake.input.curves)],
    snakemake.output.trials,
    snakemake.output.timings,
    snakemake.output.table7_csv,
    snakemake.output.table7_md,
)
