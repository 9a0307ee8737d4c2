rule report:
    input:
        # Every input but the notebook is passed to the notebook as the parameter of its name.
        notebook=workflow.source_path("../notebooks/report.ipynb"),
        table7_csv="results/tables/table7.csv",
        trials_csv="results/tables/trials.csv",
        timings_csv="results/tables/timings.csv",
        overview_png="results/figures/overview.png",
        success_png="results/figures/success.png",
        test_errors_png="results/figures/test_errors.png",
        failures_png="results/figures/failures.png",
        curve_pngs=curve_figures(),
        summaries=runs("summary.json"),
        sweep_pngs=sweep_figures(),
        sweep_cells=["results/sweep/cells.csv"] if SWEEP else [],
    output:
        notebook="results/report/report.ipynb",
        html=report("results/report/report.html", caption="../report/report.rst", category="Report"),
    params:
        order=list(SETTINGS),
        source=sources("scripts/report.py", "notebooks/report.ipynb"),
    log:
        "results/logs/report.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/report.py"
