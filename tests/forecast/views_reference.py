"""Scores computed by views-evaluation 2.0.0 and scikit-learn, run in their own environment.

Run by test_views_agreement.py with the interpreter of the cross-check virtual environment
(numpy < 2), never imported by cawarn's tests: ``python views_reference.py DIR`` reads the
arrays the test wrote to DIR and writes DIR/views.json.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score
from views_evaluation import EvaluationFrame, NativeEvaluator
from views_evaluation.evaluation import native_metric_calculators as native
from views_evaluation.profiles.base import BASE_PROFILE

SAMPLE_METRICS = ["CRPS", "twCRPS", "MIS", "Coverage", "Ignorance", "Brier_rgs_sample"]


def _floats(tree: object) -> object:
    if isinstance(tree, dict):
        return {str(k): _floats(v) for k, v in tree.items()}
    if isinstance(tree, list | tuple | np.ndarray):
        return [_floats(v) for v in tree]
    return float(tree)


def main(folder: Path) -> None:
    obs = np.load(folder / "obs.npy")
    samples = np.load(folder / "samples.npy")
    p = np.load(folder / "p.npy")
    p_tied = np.load(folder / "p_tied.npy")
    point = np.load(folder / "point.npy")
    ids = {k: np.load(folder / f"{k}.npy") for k in ("time", "unit", "origin", "step")}
    labels = (obs > 0).astype(np.int64)
    steps = sorted(int(s) for s in np.unique(ids["step"]))

    evaluator = NativeEvaluator(
        {
            "steps": steps,
            "regression_targets": ["ged_sb"],
            "classification_targets": ["ged_sb_dich"],
            "regression_point_metrics": ["MSLE"],
            "regression_sample_metrics": SAMPLE_METRICS,
            "classification_point_metrics": ["AP", "Brier_cls_point"],
            "evaluation_profile": "base",
        }
    )
    frames = {
        "sample": EvaluationFrame(obs, samples, ids, {"target": "ged_sb"}),
        "point": EvaluationFrame(obs, point[:, None], ids, {"target": "ged_sb"}),
        "cls": EvaluationFrame(labels, p[:, None], ids, {"target": "ged_sb_dich"}),
    }
    reports = {
        name: evaluator.evaluate(frame).to_dict()["schemas"] for name, frame in frames.items()
    }

    prof = BASE_PROFILE
    overall = {
        "CRPS": native.calculate_crps_native(obs, samples),
        "twCRPS": native.calculate_twcrps_native(obs, samples, **prof["twCRPS"]),
        "twCRPS_5": native.calculate_twcrps_native(obs, samples, threshold=5.0),
        "MIS": native.calculate_mean_interval_score_native(obs, samples, **prof["MIS"]),
        "MIS_0.5": native.calculate_mean_interval_score_native(obs, samples, alpha=0.5),
        "Coverage": native.calculate_coverage_native(obs, samples, **prof["Coverage"]),
        "Coverage_0.5": native.calculate_coverage_native(obs, samples, alpha=0.5),
        "Ignorance": native.calculate_ignorance_score_native(obs, samples, **prof["Ignorance"]),
        "Brier_rgs_sample": native.calculate_brier_rgs_sample_native(
            obs, samples, **prof["Brier_rgs_sample"]
        ),
        "MSLE": native.calculate_msle_native(obs, point),
        "AP": native.calculate_ap_native(labels, p),
        "AP_tied": native.calculate_ap_native(labels, p_tied),
        "Brier_cls_point": native.calculate_brier_cls_point_native(
            labels, p, **prof["Brier_cls_point"]
        ),
    }
    big = np.load(folder / "big_obs.npy")
    try:
        native.calculate_ignorance_score_native(big, samples[: big.size], **prof["Ignorance"])
        big_raises = False
    except ValueError:
        big_raises = True
    open_bins = [*prof["Ignorance"]["bins"], math.inf]
    ign_open = native.calculate_ignorance_score_native(
        big, samples[: big.size], bins=open_bins, low_bin=0, high_bin=10000
    )
    by_step = {}
    for s in steps:
        rows = ids["step"] == s
        by_step[f"step{s:02d}"] = average_precision_score(labels[rows], p[rows])
    out = {
        "reports": reports,
        "overall": overall,
        "crps_per_row": native._crps_ensemble_numpy(obs, samples),
        "ignorance_per_row": [
            native.calculate_ignorance_score_native(
                obs[i : i + 1], samples[i : i + 1], **prof["Ignorance"]
            )
            for i in range(obs.size)
        ],
        "ignorance_big_raises": big_raises,
        "ignorance_open_bins": ign_open,
        "sklearn_ap": average_precision_score(labels, p),
        "sklearn_ap_tied": average_precision_score(labels, p_tied),
        "sklearn_ap_by_step": by_step,
    }
    out = {k: (v if isinstance(v, bool) else _floats(v)) for k, v in out.items()}
    (folder / "views.json").write_text(json.dumps(out))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
