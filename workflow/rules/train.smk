rule train:
    input:
        engine=rules.compile_engine.output[0],
    output:
        summary=f"{RUN}/summary.json",
        curve=f"{RUN}/curve.csv",
        weights=f"{RUN}/weights.npz",
    params:
        setting=setting,
        source=TRAINING_SOURCES,
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
        engine=rules.compile_engine.output[0],
        weights=f"{RUN}/weights.npz",
        test=test_set,
    output:
        evaluation=f"{RUN}/evaluation.json",
        errors=f"{RUN}/test_errors.npz",
    params:
        setting=setting,
    log:
        "results/logs/evaluate/{variant}/T{T}/trial{trial}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/evaluate.py"
