rule report:
    input:
        notebook=workflow.source_path("../notebooks/report.ipynb"),
        table7_csv="results/tables/table7.csv",
        table7_md="results/tables/table7.md",
        trials="results/tables/trials.csv",
        timings="results/tables/timings.csv",
        overview="results/figures/overview.png",
        success="results/figures/success.png",
        test_errors="results/figures/test_errors.png",
        failures="results/figures/failures.png",
        curves=curve_figures(),
        sweep=sweep_figures(),
        sweep_cells=["results/sweep/cells.csv"] if SWEEP else [],
    output:
        notebook="results/report/report.ipynb",
        html=report("results/report/report.html", caption="../report/report.rst", category="Report"),
    log:
        "results/logs/report.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/report.py"
