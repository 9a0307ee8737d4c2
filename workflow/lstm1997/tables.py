"""Table 7 side by side with the paper: per (variant, T) successes, sequences to success, test errors.

The verdict compares our mean sequences to success (primary definition, successful trials) with the
paper's mean: "within 2x" when the ratio lies in [1/2, 2], else "off by <ratio>x" (slower) or "too fast: <1/ratio>x
fewer sequences".
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from . import paper
from .criteria import DEFINITIONS
from .io import read_csv, read_json, write_csv, write_text
from .variants import Setting, changes

KEYS = ["label", "T"]
log = logging.getLogger(__name__)


def load_trial(summary: str | Path, evaluation: str | Path, curve: str | Path) -> dict:
    """A trial's summary, its evaluation and the last row of its learning curve, for the tables."""
    tested = read_json(evaluation)
    rows = read_csv(curve)
    last = rows.iloc[-1].to_dict() if len(rows) else {"cumulative_mse": np.nan, "asker_correct_in_window": np.nan}
    return read_json(summary) | {"wrong": tested["wrong"], "test_sequences": tested["sequences"], "test_mse": tested["mse"], "last": last}


def trials_frame(summaries: list[dict]) -> pd.DataFrame:
    """One row per trial, sorted; no timings, so the same config gives the same bytes."""
    rows = []
    for s in summaries:
        row = {k: s[k] for k in ("label", "variant", "T", "trial", "seed", "budget", "sequences", "primary", "wrong", "test_sequences", "test_mse")}
        row["changes"] = changes(s["settings"])
        row["window"] = s["settings"]["protocol"]["window"]
        row["weights"] = Setting.from_params(s["label"], s["settings"]).model.n_weights
        row.update({f"success_{name}": s["success"].get(name) for name in DEFINITIONS})
        row["last_cumulative_mse"] = s["last"]["cumulative_mse"]
        row["last_asker_correct"] = s["last"]["asker_correct_in_window"]
        rows.append(row)
    frame = pd.DataFrame(rows).sort_values(["label", "T", "trial"], kind="stable").reset_index(drop=True)
    for name in DEFINITIONS:
        frame[f"success_{name}"] = frame[f"success_{name}"].astype("Int64")
    return frame


def timings_frame(summaries: list[dict]) -> pd.DataFrame:
    rows = [{"label": s["label"], "T": s["T"], "trial": s["trial"], "sequences": s["sequences"], "wall_time_s": s["wall_time_s"]} for s in summaries]
    return pd.DataFrame(rows).sort_values(["label", "T", "trial"], kind="stable").reset_index(drop=True)


def _row(group: pd.DataFrame) -> dict:
    primary = group["primary"].iloc[0]
    done = group[f"success_{primary}"].dropna().astype(float)
    T = int(group["T"].iloc[0])
    row = {
        "changes": group["changes"].iloc[0],
        "min_lag": T // 2,
        "weights": int(group["weights"].iloc[0]),
        "trials": len(group),
        "budget": int(group["budget"].iloc[0]),
        "criterion": primary,
        "successes": len(done),
        "mean_sequences": done.mean() if len(done) else np.nan,
        "median_sequences": done.median() if len(done) else np.nan,
        "min_sequences": done.min() if len(done) else np.nan,
        "max_sequences": done.max() if len(done) else np.nan,
        "test_sequences": int(group["test_sequences"].iloc[0]),
        "mean_wrong": group["wrong"].mean(),
        "max_wrong": int(group["wrong"].max()),
        "trials_at_most_3_wrong": int((group["wrong"] <= paper.MAX_WRONG).sum()),
        "mean_test_mse": group["test_mse"].mean(),
        "mean_last_cumulative_mse": group["last_cumulative_mse"].mean(),
        "mean_last_asker_correct": group["last_asker_correct"].mean(),
    }
    for name in DEFINITIONS:
        met = group[f"success_{name}"].dropna().astype(float)
        row[f"successes_{name}"] = len(met)
        row[f"mean_sequences_{name}"] = met.mean() if len(met) else np.nan
        row[f"median_sequences_{name}"] = met.median() if len(met) else np.nan
    ref = paper.TABLE7.get(T)
    row["paper_sequences"] = ref["sequences"] if ref else np.nan
    row["paper_wrong"] = ref["wrong"] if ref else np.nan
    row["ratio_to_paper"] = row["mean_sequences"] / ref["sequences"] if ref and len(done) else np.nan
    row["verdict"] = verdict(row)
    return row


def verdict(row: dict) -> str:
    """Plain words for one row: within 2x of the paper's mean, off by how much, or not reproduced."""
    if np.isnan(row["paper_sequences"]):
        return "no paper row for this T"
    if row["successes"] == 0:
        return f"not reproduced: no trial met the criterion within {row['budget']:,} sequences"
    ratio = row["ratio_to_paper"]
    words = f"within 2x ({ratio:.2f}x)" if paper.off_by(ratio) <= paper.WITHIN else f"off by {ratio:.1f}x" if ratio > 1 else f"too fast: {1 / ratio:.1f}x fewer sequences"
    if row["successes"] < row["trials"]:
        words += f"; only {row['successes']}/{row['trials']} trials met the criterion within {row['budget']:,}"
    return words


def table7(trials: pd.DataFrame) -> pd.DataFrame:
    """Aggregate the trials into one row per (label, T), next to the paper's Table 7 row."""
    rows = [{"label": label, "T": T, **_row(group)} for (label, T), group in trials.groupby(KEYS, sort=True)]
    return pd.DataFrame(rows)


def _count(x) -> str:
    return "–" if pd.isna(x) else f"{x:,.0f}"


def _span(low, high) -> str:
    return "–" if pd.isna(low) else f"{low:,.0f} – {high:,.0f}"


def markdown(table: pd.DataFrame) -> str:
    """Table 7 as markdown, the paper's numbers beside ours."""
    head = (
        "| variant | T | min lag | weights | successes | mean seq. to success | median | min – max "
        "| mean wrong of test set | paper: seq. | paper: wrong of 2560 | verdict |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in table.itertuples():
        lines.append(
            f"| {r.label} | {r.T} | {r.min_lag} | {r.weights} | {r.successes}/{r.trials} | {_count(r.mean_sequences)} "
            f"| {_count(r.median_sequences)} | {_span(r.min_sequences, r.max_sequences)} | {r.mean_wrong:.1f} of {r.test_sequences} "
            f"| {_count(r.paper_sequences)} | {_count(r.paper_wrong)} | {r.verdict} |"
        )
    return "\n".join(lines) + "\n"


def write_all(summaries: list[dict], trials_csv: str, timings_csv: str, table7_csv: str, table7_md: str) -> None:
    """All tables of the pipeline's aggregate step."""
    trials = trials_frame(summaries)
    table = table7(trials)
    write_csv(trials_csv, trials)
    write_csv(timings_csv, timings_frame(summaries))
    write_csv(table7_csv, table)
    write_text(table7_md, markdown(table))
    log.info("wrote %s (%d trials), %s, %s and %s (%d rows)", trials_csv, len(trials), timings_csv, table7_csv, table7_md, len(table))
