from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import io, plots  # noqa: E402

errors = plots.errors_frame([io.read_json(path) for path in snakemake.input.summaries], snakemake.input.errors)
plots.test_errors(errors, snakemake.output.png, snakemake.output.svg)
plots.test_errors(errors, snakemake.output.failures_png, snakemake.output.failures_svg, wrong_only=True)
