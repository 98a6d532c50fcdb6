"""Agreement metrics for ordinal grades (sklearn is not on the Debian stack, and these are a few lines):
accuracy, Cohen's kappa (unweighted, linear, quadratic), confusion matrices, percentile bootstrap CIs."""
from __future__ import annotations

import numpy as np


def confusion(y_true, y_pred, k: int) -> np.ndarray:
    """k x k counts, rows = truth, columns = prediction."""
    y_true, y_pred = np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def kappa_from_confusion(cm: np.ndarray, weights: str | None = None) -> float:
    """Cohen's kappa with disagreement weights None (0/1), 'linear' |i-j| or 'quadratic' (i-j)^2 (as sklearn's
    cohen_kappa_score). NaN when expected disagreement is zero (e.g. a single class in truth and prediction)."""
    cm = np.asarray(cm, dtype=np.float64)
    k, n = cm.shape[0], cm.sum()
    if n == 0:
        return float("nan")
    i, j = np.indices((k, k))
    w = {None: (i != j).astype(float), "linear": np.abs(i - j).astype(float),
         "quadratic": ((i - j) ** 2).astype(float)}[weights]
    expected = np.outer(cm.sum(1), cm.sum(0)) / n
    denom = (w * expected).sum()
    return float("nan") if denom == 0 else float(1 - (w * cm).sum() / denom)


def kappa(y_true, y_pred, k: int, weights: str | None = None) -> float:
    return kappa_from_confusion(confusion(y_true, y_pred, k), weights)


def task_metrics(y_true, y_pred, k: int) -> dict:
    cm = confusion(y_true, y_pred, k)
    return {"n": int(cm.sum()), "accuracy": float(np.trace(cm) / max(cm.sum(), 1)),
            "kappa": kappa_from_confusion(cm), "kappa_linear": kappa_from_confusion(cm, "linear"),
            "kappa_quadratic": kappa_from_confusion(cm, "quadratic"), "confusion": cm.tolist()}


def bootstrap_ci(stat, n: int, reps: int = 1000, seed: int = 0, alpha: float = 0.05) -> dict:
    """Percentile CI of stat(indices) over `reps` resamples (with replacement) of n units (hips, films)."""
    rng = np.random.default_rng(seed)
    vals = np.array([stat(rng.integers(0, n, n)) for _ in range(reps)], dtype=np.float64)
    vals = vals[np.isfinite(vals)]
    if len(vals) == 0:
        return {"low": None, "high": None, "valid": 0}
    return {"low": float(np.quantile(vals, alpha / 2)), "high": float(np.quantile(vals, 1 - alpha / 2)),
            "valid": int(len(vals))}


def score(per_task: dict) -> float:
    """One number to pick the best epoch: mean quadratic kappa over the ordinal grades and kappa over the binary
    findings (NaN counts as 0, so a collapsed model never wins)."""
    vals = [per_task[t]["kappa_quadratic" if t in ("fo", "ao", "jsn") else "kappa"] for t in per_task]
    return float(np.mean([v if np.isfinite(v) else 0.0 for v in vals]))
