rule curves:
    input:
        summaries=trials_of("summary.json"),
        curves=trials_of("curve.csv"),
    output:
        png=report(
            "results/figures/curves/{variant}_T{T}.png",
            caption="../report/curves.rst",
            category="Figures",
            subcategory="Learning curves",
            labels={"variant": "{variant}", "T": "{T}"},
        ),
        svg="results/figures/curves/{variant}_T{T}.svg",
    params:
        source=sources("scripts/curves.py"),
    log:
        "results/logs/figures/curves/{variant}_T{T}.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/curves.py"


rule overview:
    input:
        "results/tables/table7.csv",
    output:
        png=report("results/figures/overview.png", caption="../report/overview.rst", category="Figures"),
        svg="results/figures/overview.svg",
    params:
        order=list(SETTINGS),
        source=sources("scripts/overview.py"),
    log:
        "results/logs/figures/overview.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/overview.py"


rule success:
    input:
        "results/tables/trials.csv",
    output:
        png=report("results/figures/success.png", caption="../report/success.rst", category="Figures"),
        svg="results/figures/success.svg",
    params:
        order=list(SETTINGS),
        source=sources("scripts/success.py"),
    log:
        "results/logs/figures/success.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/success.py"


rule test_errors:
    input:
        summaries=runs("summary.json"),
        errors=runs("test_errors.npz"),
    output:
        png=report("results/figures/test_errors.png", caption="../report/test_errors.rst", category="Figures"),
        svg="results/figures/test_errors.svg",
        failures_png=report("results/figures/failures.png", caption="../report/failures.rst", category="Figures"),
        failures_svg="results/figures/failures.svg",
    params:
        source=sources("scripts/test_errors.py"),
    log:
        "results/logs/figures/test_errors.log",
    conda:
        REPORT_ENV
    script:
        "../scripts/test_errors.py"
