rule sweep_train:
    input:
        engine=rules.compile_engine.output[0],
    output:
        "results/sweep/T{T}/trials.csv",
    params:
        grid=sweep_grid(),
        budget=lambda wildcards: SWEEP["budget"][int(wildcards.T)],
        source=TRAINING_SOURCES,
    threads: SWEEP["threads"] if SWEEP else 1
    resources:
        mem_mb=8000,
        runtime=600,
        gpu=int(SWEEP["engine"] == "cuda") if SWEEP else 0,
    log:
        "results/logs/sweep/T{T}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/sweep_train.py"


rule sweep_figures:
    input:
        expand("results/sweep/T{T}/trials.csv", T=SWEEP["T"] if SWEEP else []),
    output:
        cells=report("results/sweep/cells.csv", caption="../report/sweep.rst", category="Sweep"),
        png=report(sweep_figures("png"), caption="../report/sweep.rst", category="Sweep"),
        svg=sweep_figures("svg"),
    log:
        "results/logs/sweep_figures.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/sweep_figures.py"
