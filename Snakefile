# Reproduction of Hochreiter & Schmidhuber (1997), Experiment 4, Table 7: the LSTM adding problem.
# The DAG: test sets -> compile each model kind's kernels -> train every (variant, T, trial) -> evaluate -> Table 7
# -> one job per figure -> report.  Try it on the tiny config: snakemake --cores 2 --configfile .test/config.yaml


# The paper's reproduction, unless a config is given: a --configfile replaces it rather than being merged
# into it, so a config's variants are exactly the ones it lists.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/sweep.smk"


# Every file the workflow keeps, so that a deleted one is rebuilt by the next run: Snakemake reruns a job for a
# missing output only where the target, or a job that runs, needs it.
rule all:
    input:
        rules.report.output,
        rules.aggregate.output,
        figures(),
        figures("svg"),
        sweep_figures(),
        sweep_figures("svg"),
        sweep_trials(),
        "results/sweep/cells.csv" if SWEEP else [],
        trial_files(),
        test_sets(),


onstart:
    say_the_training_ahead()
