from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import report  # noqa: E402

report.render(
    snakemake.input.notebook,
    snakemake.output.notebook,
    snakemake.output.html,
    {
        "table7_csv": snakemake.input.table7_csv,
        "table7_md": snakemake.input.table7_md,
        "trials_csv": snakemake.input.trials,
        "timings_csv": snakemake.input.timings,
        "overview_png": snakemake.input.overview,
        "success_png": snakemake.input.success,
        "test_errors_png": snakemake.input.test_errors,
        "failures_png": snakemake.input.failures,
        "curve_pngs": list(snakemake.input.curves),
        "sweep_pngs": list(snakemake.input.sweep),
        "sweep_cells_csv": next(iter(snakemake.input.sweep_cells), ""),
    },
)
