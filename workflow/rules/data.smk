rule test_set:
    output:
        data="results/data/T{T}/{testset}.npz",
        manifest="results/data/T{T}/{testset}.manifest.json",
    params:
        sequences=config["test"]["sequences"],
        seed=config["test"]["seed"],
        marker=marker,
        source=sources("scripts/test_set.py"),
    log:
        "results/logs/test_set/T{T}_{testset}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/test_set.py"


rule compile_engine:
    output:
        "results/engine/{kind}/numba.json",
    params:
        engine=config["engine"],
        source=kind_sources("scripts/compile_engine.py"),
    log:
        "results/logs/compile_engine/{kind}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/compile_engine.py"
