rule figures:
    input:
        trials="results/tables/trials.csv",
        table7="results/tables/table7.csv",
        curves=runs("curve.csv"),
        errors=runs("test_errors.npz"),
    output:
        png=report(figures("png"), caption="../report/figures.rst", category="Figures"),
        svg=figures("svg"),
    params:
        runs=run_keys(),
        order=list(SETTINGS),
    log:
        "results/logs/figures.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/figures.py"
