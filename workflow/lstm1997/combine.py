"""One published folder from a study measured in stages: several configs, sessions or machines read as one Table 7.

    python -m lstm1997.combine DEST --configs CONFIG... --sources SOURCE...

Each SOURCE is a published folder (``trials.csv``, ``timings.csv``, ``figures/curves/``: what ``publish.sh``
copies) or a results folder (``runs/<label>/T<T>/trial<k>/`` with ``summary.json``, ``evaluation.json`` and
``curve.csv``; a label and T with a trial not yet finished is left out, so that no row reads as complete while a
run is still going).  A trial measured in two sources (same label, T and trial, so the same seed) must have met
every stopping definition at the same count and have the same test errors: a rerun of the pipeline gives the
same bytes, so a difference is an error, named.  Table 7 is computed from the trials as published (10
significant digits), so a mean can differ from the aggregate rule's in its tenth digit.  DEST gets the tables,
the overview, success and scaling figures, every (label, T)'s learning curves and the report, with the labels in
the order of the configs' variants; the labels measured at two or more T also get ``scaling.csv`` (the power law
fitted to each, ``lstm1997.scaling``) and ``figures/scaling.png``.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import plots, report, scaling, tables
from .criteria import DEFINITIONS
from .io import read_csv, read_json, write_csv, write_text

log = logging.getLogger(__name__)
TRIAL = ["label", "T", "trial"]
SAME = [f"success_{name}" for name in DEFINITIONS] + ["sequences", "wrong"]
"""The columns two measurements of one trial must agree on."""


@dataclass
class Source:
    """One source's trials and timings, and its learning-curve figures (published) or runs (results)."""

    name: str
    trials: pd.DataFrame
    timings: pd.DataFrame
    curve_pngs: dict[tuple[str, int], Path] = field(default_factory=dict)
    runs: dict[tuple[str, int], list[Path]] = field(default_factory=dict)


def _curve_key(png: Path) -> tuple[str, int]:
    """(label, T) of a learning-curve figure, named ``<label>_T<T>.png`` by the curves rule."""
    label, _, T = png.stem.rpartition("_T")
    return label, int(T)


def _published(folder: Path) -> Source:
    pngs = {_curve_key(png): png for png in (folder / "figures" / "curves").glob("*.png")}
    return Source(str(folder), read_csv(folder / "trials.csv"), read_csv(folder / "timings.csv"), curve_pngs=pngs)


def _finished(run: Path) -> bool:
    return all((run / name).exists() for name in ("summary.json", "evaluation.json", "curve.csv"))


def _results(folder: Path) -> Source:
    found = sorted((folder / "runs").glob("*/T*/trial*"))
    unfinished = {run.parent for run in found if not _finished(run)}
    runs = [run for run in found if run.parent not in unfinished]
    if not runs:
        raise ValueError(f"{folder}: no (label, T) with every trial finished under runs/<label>/T<T>/trial<k>/")
    if unfinished:
        log.info("%s: left out, a trial not finished (no summary, evaluation or curve yet): %s", folder, ", ".join(sorted(f"{p.parent.name} {p.name}" for p in unfinished)))
    summaries = [tables.load_trial(run / "summary.json", run / "evaluation.json", run / "curve.csv") for run in runs]
    # the CSV round trip gives a published folder's dtypes, so the two kinds of source compare alike
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(Path(tmp) / "trials.csv", tables.trials_frame(summaries))
        trials = read_csv(Path(tmp) / "trials.csv")
    grouped: dict[tuple[str, int], list[Path]] = {}
    for run, summary in zip(runs, summaries):
        grouped.setdefault((summary["label"], int(summary["T"])), []).append(run)
    return Source(str(folder), trials, tables.timings_frame(summaries), runs=grouped)


def read_source(folder: str | Path) -> Source:
    """A published folder (it has ``trials.csv``) or a results folder (it has ``runs/``)."""
    folder = Path(folder)
    if (folder / "trials.csv").exists():
        return _published(folder)
    if (folder / "runs").is_dir():
        return _results(folder)
    raise ValueError(f"{folder}: neither a published folder (trials.csv) nor a results folder (runs/)")


def merge(frames: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The union of (source name, frame) pairs, one row per trial, the first source's where two measured it;
    refused where two sources disagree on a trial's ``SAME`` columns."""
    seen: dict[tuple, tuple[str, pd.Series]] = {}
    rows = []
    for name, frame in frames:
        for _, row in frame.iterrows():
            key = tuple(row[TRIAL])
            if key not in seen:
                seen[key] = (name, row)
                rows.append(row)
            elif not row[SAME].equals(seen[key][1][SAME]):
                first, before = seen[key]
                differ = [c for c in SAME if not (pd.isna(row[c]) and pd.isna(before[c])) and row[c] != before[c]]
                raise ValueError(f"label {key[0]}, T {key[1]}, trial {key[2]}: {first} and {name} differ in {', '.join(differ)}")
    return pd.DataFrame(rows).sort_values(TRIAL, kind="stable").reset_index(drop=True)


def _curves(sources: list[Source], trials: pd.DataFrame, dest: Path) -> None:
    """Every (label, T)'s learning curves, from the source that measured most of its trials."""
    out = dest / "figures" / "curves"
    out.mkdir(parents=True, exist_ok=True)
    for label, T in trials[["label", "T"]].drop_duplicates().itertuples(index=False):
        best = max(sources, key=lambda s: ((s.trials["label"] == label) & (s.trials["T"] == T)).sum())  # the first of equals
        png = out / f"{label}_T{T}.png"
        if (label, T) in best.curve_pngs:
            shutil.copyfile(best.curve_pngs[(label, T)], png)
        elif (label, T) in best.runs:
            runs = best.runs[(label, T)]
            plots.curves([read_json(r / "summary.json") for r in runs], [read_csv(r / "curve.csv") for r in runs], str(png), str(png.with_suffix(".svg")))
            png.with_suffix(".svg").unlink()


def _scaling(trials: pd.DataFrame, order: list[str], dest: Path) -> None:
    """The scaling figure and fits of the labels measured at two or more T (none: neither is written)."""
    spread = trials.groupby("label")["T"].nunique()
    several = trials[trials["label"].isin(spread[spread >= 2].index)]
    if len(several):
        write_csv(dest / "scaling.csv", scaling.fits(several)[["label", "T", "exponent", "prefactor"]])
        plots.scaling(several, order, str(dest / "figures" / "scaling.png"), str(dest / "figures" / "scaling.svg"))


def combine(dest: str | Path, configs: list[str | Path], sources: list[str | Path]) -> pd.DataFrame:
    """Write DEST's tables, figures and report from ``sources``; returns its Table 7."""
    dest, read = Path(dest), [read_source(s) for s in sources]
    trials = merge([(s.name, s.trials) for s in read])
    timings = pd.concat([s.timings for s in read]).drop_duplicates(TRIAL).sort_values(TRIAL, kind="stable")
    table = tables.table7(trials)
    order = plots.ordered(report.config_order(configs), table["label"])
    write_csv(dest / "trials.csv", trials)
    write_csv(dest / "timings.csv", timings)
    write_csv(dest / "table7.csv", table)
    write_text(dest / "table7.md", tables.markdown(table))
    figures = dest / "figures"
    plots.overview(table, order, str(figures / "overview.png"), str(figures / "overview.svg"))
    plots.success_distribution(trials, order, str(figures / "success.png"), str(figures / "success.svg"))
    _curves(read, trials, dest)
    _scaling(trials, order, dest)
    for svg in figures.glob("*.svg"):
        svg.unlink()  # published folders keep the PNGs the report shows
    report.republish(dest, order)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One published folder (tables, figures, report) from several runs of the pipeline.")
    parser.add_argument("dest", help="folder to write, e.g. docs/reproduction/longlags")
    parser.add_argument("--configs", nargs="+", required=True, help="the configs the sources ran: their variants give the order")
    parser.add_argument("--sources", nargs="+", required=True, help="published folders or results folders; the first measurement of a trial is kept")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    table = combine(args.dest, args.configs, args.sources)
    log.info("wrote %s: %d rows of Table 7", args.dest, len(table))


if __name__ == "__main__":
    main()
