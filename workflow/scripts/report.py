from lstm1997 import jobs

jobs.start(snakemake.log[0])

from lstm1997 import report  # noqa: E402

# Every input but the notebook is a parameter of the notebook, under its own name (lists stay lists), and so is
# the config's order of variants.
parameters = {name: list(value) if isinstance(value, list) else value for name, value in snakemake.input.items() if name != "notebook"}
report.render(snakemake.input.notebook, snakemake.output.notebook, snakemake.output.html, parameters | {"order": snakemake.params.order})
