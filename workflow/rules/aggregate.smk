rule aggregate:
    input:
        summaries=runs("summary.json"),
        evaluations=runs("evaluation.json"),
        curves=runs("curve.csv"),
    output:
        trials="results/tables/trials.csv",
        timings="results/tables/timings.csv",
        table7_csv=report("results/tables/table7.csv", caption="../report/table7.rst", category="Table 7"),
        table7_md="results/tables/table7.md",
    params:
        source=sources("scripts/aggregate.py"),
    log:
        "results/logs/aggregate.log",
    conda:
        CORE_ENV
    script:
        "../scripts/aggregate.py"
