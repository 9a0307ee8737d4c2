rule train:
    input:
        engine=engine,
    output:
        summary=trials_of("summary.json"),
        curve=trials_of("curve.csv"),
        weights=trials_of("weights.npz"),
    params:
        setting=setting,
        trials=TRIALS,
        source=kind_sources("scripts/train.py"),
        checkpoint=lambda wildcards: f"results/runs/{wildcards.variant}/T{wildcards.T}/train.checkpoint",
    threads: train_threads
    resources:
        mem_mb=2000,
        runtime=train_runtime,
        gpu=gpus,
    log:
        "results/logs/train/{variant}/T{T}.log",
    conda:
        CORE_ENV
    script:
        "../scripts/train.py"


rule evaluate:
    input:
        engine=engine,
        weights=f"{RUN}/weights.npz",
        test=test_set,
        manifest=test_manifest,
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
