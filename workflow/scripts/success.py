from lstm1997 import jobs

jobs.start(snakemake.log[0])

import pandas as pd  # noqa: E402

from lstm1997 import plots  # noqa: E402

plots.success_distribution(pd.read_csv(snakemake.input[0]), snakemake.params.order, snakemake.output.png, snakemake.output.svg)
