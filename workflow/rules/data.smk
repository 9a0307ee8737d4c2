rule test_set:
    output:
        data="results/data/T{T}/{testset}.npz",
        manifest="results/data/T{T}/{testset}.manifest.json",
    params:
        sequences=config["test"]["sequences"],
        seed=config["test"]["seed"],
        marker=marker,
        source=source_hash("task"),
    log:
        "results/logs/test_set/T{T}_{testset}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/test_set.py"


rule compile_engine:
    output:
        "results/engine/numba/compiled.json",
    params:
        source=TRAINING_SOURCES,
    log:
        "results/logs/compile_engine.log",
    conda:
        CORE_ENV
    script:
        "../scripts/compile_engine.py"
