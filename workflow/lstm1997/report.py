"""The report: papermill runs the parameterised notebook, nbconvert renders it to HTML.

The notebook (workflow/notebooks/report.ipynb) holds the prose; this module computes what the prose
fills in: markdown tables of the results, the closest reading per T, the ladder's rungs and its minimal fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import nbformat
import numpy as np
import pandas as pd
import papermill
from nbconvert import HTMLExporter

from . import paper
from .criteria import DEFINITIONS
from .io import atomic, write_text
from .variants import LADDER


def _cell(successes: int, trials: int, mean: float) -> str:
    return f"{successes}/{trials}" + (f", {mean:,.0f}" if successes else "")


def readings(table: pd.DataFrame) -> str:
    """Every (variant, T): what it changes, successes and mean sequences under each definition, test errors."""
    head = "| variant | T | changes from the paper's defaults | " + " | ".join(DEFINITIONS) + " | mean wrong | test MSE | verdict |"
    lines = [head, "|" + "---|" * (len(DEFINITIONS) + 6)]
    for r in table.sort_values(["T", "label"]).to_dict("records"):
        cells = [_cell(r[f"successes_{d}"], r["trials"], r[f"mean_sequences_{d}"]) for d in DEFINITIONS]
        lines.append(
            f"| {r['label']} | {r['T']} | {r['changes']} | " + " | ".join(cells)
            + f" | {r['mean_wrong']:.1f} of {r['test_sequences']} | {r['mean_test_mse']:.2e} | {r['verdict']} |"
        )
    return "\n".join(lines)


def diverged(summaries: list[dict]) -> str:
    """Trials whose weights stopped being finite (summary.json ``diverged_at``): where, and how Table 7 counts them."""
    lines = []
    for s in summaries:
        if s["diverged_at"] is not None:
            met = s["success"][s["primary"]]
            counted = "counted as failed" if met is None else f"counted as a success: it met the rule at {met:,} before"
            lines.append(f"- **{s['label']}, T = {s['T']}, trial {s['trial']}**: diverged at sequence {s['diverged_at']:,} (weights no longer finite), {counted}.")
    return "\n".join(lines) if lines else "No trial diverged: every run's weights stayed finite."


def reproduced(table: pd.DataFrame) -> str:
    """Plain verdict per T of the paper: which readings land within 2x of Table 7, which is closest."""
    lines = []
    for T, ref in paper.TABLE7.items():
        rows = table[table["T"] == T]
        if rows.empty:
            continue
        good = rows[rows["verdict"].str.startswith("within 2x")]
        best = best_reading(table, T)
        if len(good):
            lines.append(f"- **T = {T}** (paper {ref['sequences']:,}): within 2x: " + ", ".join(f"`{x}`" for x in good["label"]) + ".")
        elif best is not None:
            lines.append(f"- **T = {T}** (paper {ref['sequences']:,}): no reading within 2x; closest `{best.label}`, {best.verdict}.")
        else:
            lines.append(f"- **T = {T}** (paper {ref['sequences']:,}): no reading had every trial succeed within its budget.")
    return "\n".join(lines)


def verdicts(table: pd.DataFrame) -> str:
    """One markdown bullet per (variant, T): ours, the paper's, the verdict."""
    lines = []
    for r in table.itertuples():
        ours = f"mean {r.mean_sequences:,.0f} sequences ({r.successes}/{r.trials} trials)" if r.successes else f"0/{r.trials} trials succeeded"
        ref = f"paper {r.paper_sequences:,.0f}" if not np.isnan(r.paper_sequences) else "no paper row"
        lines.append(f"- **{r.label}, T = {r.T}**: {ours}, {r.mean_wrong:.1f} wrong of 2560 on average; {ref}: **{r.verdict}**.")
    return "\n".join(lines)


def best_reading(table: pd.DataFrame, T: int) -> pd.Series | None:
    """The row at T closest to the paper's mean sequences among rows where every trial succeeded."""
    rows = table[(table["T"] == T) & (table["successes"] == table["trials"])]
    if rows.empty or T not in paper.TABLE7:
        return None
    return rows.loc[(np.log(rows["ratio_to_paper"])).abs().idxmin()]


Rung = tuple[int, str, str, pd.Series]
"""A rung of the ladder in a results table: its number, variant, the change it makes, its Table 7 row."""


def rungs(table: pd.DataFrame, T: int) -> list[Rung]:
    """The ladder's rungs (``variants.LADDER``) that ``table`` has at T, in order."""
    rows = table[table["T"] == T].set_index("label")
    return [(k, name, change, rows.loc[name]) for k, (name, change) in enumerate(LADDER) if name in rows.index]


def median(r: pd.Series) -> str:
    """Median sequences to success of a Table 7 row, or a dash where no trial met the rule."""
    return f"{r.median_sequences:,.0f}" if r.successes else "–"


def ladder(table: pd.DataFrame, T: int = 100) -> str:
    """The diagnosis table: each rung from the asker's setup to the paper's, what it changes, what it achieves."""
    lines = [
        "| rung | variant | change from the rung above | met the stopping rule | median sequences | mean wrong of test set "
        "| asker's running mean at the end | asker's 'correct' (abs. error < 0.2) of last 2000 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, name, change, r in rungs(table, T):
        lines.append(
            f"| {k} | {name} | {change} | {r.successes}/{r.trials} | {median(r)} | {r.mean_wrong:.1f} of {r.test_sequences} "
            f"| {r.mean_last_cumulative_mse:.4f} | {r.mean_last_asker_correct:,.0f} |"
        )
    if len(lines) < 4:
        return f"(fewer than two rungs of the ladder at T = {T} in this configuration: see config/ladder.yaml)"
    return "\n".join(lines)


def _changed(a: pd.Series, b: pd.Series) -> bool:
    """Whether a rung changed the outcome measurably: trials meeting the rule, or mean test errors by over 25%."""
    return a.successes != b.successes or not 0.8 <= (b.mean_wrong + 1) / (a.mean_wrong + 1) <= 1.25


@dataclass(frozen=True)
class Fix:
    """The minimal fix along a ladder: the first rung where most trials meet the rule (None: no such rung),
    and, of the rungs up to it after the first, those whose change moved the outcome, (rung, change), and those that did not."""

    rung: int | None
    moved: list[tuple[int, str]]
    inert: list[int]


def minimal_fix(ladder_rungs: list[Rung]) -> Fix:
    """The changes up to the first rung where most trials meet the rule, split by whether they changed the outcome."""
    fixed = next((k for k, _, _, r in ladder_rungs if r.successes * 2 >= r.trials), None)
    if fixed is None:
        return Fix(None, [], [])
    steps = [(k, change, _changed(a, b)) for (_, _, _, a), (k, _, change, b) in zip(ladder_rungs, ladder_rungs[1:]) if k <= fixed]
    return Fix(fixed, [(k, change) for k, change, changed in steps if changed], [k for k, _, changed in steps if not changed])


def render(notebook: str, executed: str, html: str, parameters: dict) -> None:
    """Execute ``notebook`` with papermill in the current folder (``parameters`` injected), then render HTML without the code."""
    with atomic(executed) as tmp:
        papermill.execute_notebook(
            notebook, str(tmp), parameters=parameters, cwd=os.getcwd(), kernel_name="python3", progress_bar=False, log_output=False
        )
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    write_text(html, body)
