rule sweep_train:
    input:
        engine=f"results/engine/{SWEEP_KIND}/numba.json",
        test=lambda wildcards: test_set_of(SWEEP["base"], wildcards.T),
        manifest=lambda wildcards: test_set_of(SWEEP["base"], wildcards.T, ".manifest.json"),
    output:
        "results/sweep/T{T}/trials.csv",
    params:
        grid=sweep_grid,
        base=SWEEP["base"] if SWEEP else "",
        setting=sweep_setting,
        source=sources("scripts/sweep_train.py", kind=SWEEP_KIND),
        checkpoint=lambda wildcards: f"results/sweep/T{wildcards.T}/train.checkpoint",
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


rule sweep_cells:
    input:
        sweep_trials(),
    output:
        report("results/sweep/cells.csv", caption="../report/sweep.rst", category="Sweep"),
    params:
        source=sources("scripts/sweep_cells.py", kind=SWEEP_KIND),
    log:
        "results/logs/sweep/cells.log",
    conda:
        CORE_ENV
    script:
        "../scripts/sweep_cells.py"


rule sweep_heatmap:
    input:
        "results/sweep/cells.csv",
    output:
        png=report("results/figures/sweep_{value}.png", caption="../report/sweep.rst", category="Sweep", labels={"value": "{value}"}),
        svg="results/figures/sweep_{value}.svg",
    params:
        source=sources("scripts/sweep_heatmap.py", kind=SWEEP_KIND),
    log:
        "results/logs/sweep/{value}.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/sweep_heatmap.py"
