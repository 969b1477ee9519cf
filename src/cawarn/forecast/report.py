"""An evaluation's report: Markdown with PNG plots, written into the node home.

``HOME/reports/evaluation-<run id>/`` holds ``report.md``, ``skill_by_step.png`` (CRPS and
average precision by step, every model), ``reliability.png`` (observed frequency of y > 0
against the forecast probability) and ``pit.png`` (randomised PIT histograms, all unit-months
and y > 0). Plots are drawn with matplotlib's Agg backend: no screen, no network.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from cawarn.forecast.models import MAIN
from cawarn.forecast.targets import check_targets, summary

SCORES = (
    ("crps", "CRPS"),
    ("brier", "Brier"),
    ("ap", "AP"),
    ("msle", "MSLE"),
    ("ign", "ignorance"),
    ("coverage90", "cov90"),
    ("interval_score", "interval score"),
)


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:.4g}"


def write_report(folder: Path, run_id: int, scores: dict[str, Any], meta: dict[str, Any]) -> Path:
    """Write the report of an evaluation (its ``--json`` object and panel facts)."""
    folder.mkdir(parents=True, exist_ok=True)
    models = scores["models"]
    _plot_skill(models, folder / "skill_by_step.png")
    _plot_reliability(models, folder / "reliability.png")
    _plot_pit(models, folder / "pit.png")
    w = scores["window"]
    lines = [
        f"# Forecast evaluation {run_id}: {meta['panel']} ({meta['level']}), target {w['target']}",
        "",
        f"- Panel: `{meta['panel']}` (#{meta['panel_id']}, sha256 `{meta['sha256'][:12]}…`), "
        f"{scores['units']} units, months {w['panel_first']}..{w['panel_last']}.",
        f"- Rolling origin: one origin per month {w['test_start']}..{w['test_end']} "
        f"({w['origins']} origins), steps 1..{w['steps']}, each model fitted on months up to "
        f"its origin only; {w['skipped_steps']} (origin, step) pairs beyond the panel skipped.",
        f"- {w['samples']} samples per unit-month; seed {w['seed']}; main model over seeds "
        f"{', '.join(str(s) for s in meta['seeds'])}.",
        f"- Ignorance bins: {w['ignorance_bins']}"
        + (" with an open last bin." if w["ignorance_bins_widened"] else "."),
    ]
    if meta["synthetic"]:
        lines.append("- **The panel is built from SIMULATED events (a scenario), not real ones.**")
    lines += ["", "## Targets", ""]
    checks = check_targets(scores, synthetic=meta["synthetic"])
    lines.append(summary(checks))
    if checks:
        lines += [
            "",
            "| check | step | rival | main | rival's | met |",
            "|---|---|---|---|---|---|",
        ]
        for c in checks:
            verdict = "yes" if c.passed else "**no**"
            lines.append(
                f"| {c.score} | {c.step} | {c.rival} | {_fmt(c.main)} | {_fmt(c.other)} | "
                f"{verdict} |"
            )
    lines += ["", "## Overall scores (all unit-months)", ""]
    head = "| model | " + " | ".join(t for _, t in SCORES) + " | CRPS 95% CI | CRPS on y > 0 |"
    lines += [head, "|" + "---|" * (len(SCORES) + 3)]
    for name, m in models.items():
        ci = m["ci"]["crps"]
        interval = "—" if ci is None else f"{_fmt(ci['low'])}–{_fmt(ci['high'])}"
        cells = " | ".join(_fmt(m["overall"].get(k)) for k, _ in SCORES)
        active = _fmt(m["active"]["overall"].get("crps"))
        lines.append(f"| {name} | {cells} | {interval} | {active} |")
    main = models.get(MAIN)
    if main and main["seeds"]:
        lines += ["", f"### {MAIN} by seed (overall)", ""]
        lines += ["| seed | CRPS | AP | Brier |", "|---|---|---|---|"]
        for seed, o in main["seeds"].items():
            lines.append(f"| {seed} | {_fmt(o['crps'])} | {_fmt(o['ap'])} | {_fmt(o['brier'])} |")
    for key, title in (("crps", "CRPS by step"), ("ap", "Average precision (y > 0) by step")):
        steps = list(next(iter(models.values()))["by_step"])
        lines += ["", f"## {title}", "", "| model | " + " | ".join(steps) + " |"]
        lines.append("|" + "---|" * (len(steps) + 1))
        for name, m in models.items():
            cells = " | ".join(_fmt(m["by_step"][s][key]) for s in steps)
            lines.append(f"| {name} | {cells} |")
    lines += [
        "",
        "## Plots",
        "",
        "![Skill by step](skill_by_step.png)",
        "",
        "![Reliability diagram](reliability.png)",
        "",
        "![PIT histograms](pit.png)",
        "",
        "Scores follow ViEWS' evaluation profile; see docs/forecasting.md for their definitions.",
        "",
    ]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _plot_skill(models: dict[str, Any], path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), dpi=100)
    for name, m in models.items():
        steps = [int(s) for s in m["by_step"]]
        for ax, key in zip(axes, ("crps", "ap"), strict=True):
            values = [m["by_step"][str(s)][key] for s in steps]
            values = [math.nan if v is None else v for v in values]
            width = 2.5 if name == MAIN else 1.2
            ax.plot(steps, values, marker="o", markersize=3, linewidth=width, label=name)
    axes[0].set(title="CRPS by step (lower is better)", xlabel="step (months ahead)")
    axes[1].set(title="Average precision, y > 0 (higher is better)", xlabel="step (months ahead)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _shown(models: dict[str, Any]) -> list[str]:
    """The main model and the strongest baselines, for the calibration plots."""
    return [n for n in (MAIN, "conflictology", "zinb", "oracle") if n in models] or list(models)


def _plot_reliability(models: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 5), dpi=100)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="calibrated")
    for name in _shown(models):
        diag = models[name].get("diagnostics")
        if not diag:
            continue
        rel = diag["reliability"]
        points = [
            (p, o)
            for p, o, n in zip(rel["mean_forecast"], rel["observed"], rel["count"], strict=True)
            if n and p is not None and o is not None
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=name)
    ax.set(
        title="Reliability of P(y > 0)",
        xlabel="forecast probability",
        ylabel="observed frequency",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _plot_pit(models: dict[str, Any], path: Path) -> None:
    shown = _shown(models)
    fig, axes = plt.subplots(2, len(shown), figsize=(3.2 * len(shown), 5.5), dpi=100, squeeze=False)
    for col, name in enumerate(shown):
        diag = models[name].get("diagnostics")
        for row, key in enumerate(("pit_all", "pit_active")):
            ax = axes[row][col]
            counts = diag[key] if diag else []
            total = sum(counts)
            if total:
                bins = len(counts)
                ax.bar(
                    [(i + 0.5) / bins for i in range(bins)],
                    [c * bins / total for c in counts],
                    width=1 / bins,
                    edgecolor="white",
                )
            ax.axhline(1.0, color="grey", linestyle="--", linewidth=1)
            where = "all unit-months" if key == "pit_all" else "y > 0"
            ax.set(title=f"{name}: {where}", xlim=(0, 1))
            ax.title.set_fontsize(9)
    fig.suptitle("Randomised PIT (flat = calibrated; U = too narrow; hump = too wide)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
