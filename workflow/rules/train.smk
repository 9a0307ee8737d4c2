rule train:
    input:
        engine=engine,
    output:
        summary=f"{RUN}/summary.json",
        curve=f"{RUN}/curve.csv",
        weights=f"{RUN}/weights.npz",
    params:
        setting=setting,
        source=kind_sources("scripts/train.py"),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=train_runtime,
        gpu=gpus,
    log:
        "results/logs/train/{variant}/T{T}/trial{trial}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/train.py"


rule evaluate:
    input:
        engine=engine,
        weights=f"{RUN}/weights.npz",
        test=test_set,
    output:
        evaluation=f"{RUN}/evaluation.json",
        errors=f"{RUN}/test_errors.npz",
    params:
        setting=setting,
        source=kind_sources("scripts/evaluate.py"),
    log:
        "results/logs/evaluate/{variant}/T{T}/trial{trial}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/evaluate.py"
