from lstm1997 import jobs

jobs.start(snakemake.log[0], numba_cache=snakemake.input.engine)

from lstm1997 import trials  # noqa: E402
from lstm1997.variants import Setting  # noqa: E402

trials.evaluate_trial(
    Setting.from_params(snakemake.wildcards.variant, snakemake.params.setting),
    snakemake.input.weights,
    snakemake.input.test,
    snakemake.input.manifest,
    snakemake.output.evaluation,
    snakemake.output.errors,
)
