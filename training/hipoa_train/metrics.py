"""Agreement metrics for ordinal grades (sklearn is not on the Debian stack, and these are a few lines):
accuracy, Cohen's kappa (unweighted, linear, quadratic), confusion matrices, Wilson intervals, percentile bootstrap
CIs over units or over groups of hips (films). The formulas are the ones `./hipoa eval` uses (tools/cli Agreement,
tools/phantom Kappa): the same weights up to a constant factor, which kappa does not see."""
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


def wilson(hits: int, n: int, z: float = 1.959963984540054) -> dict:
    """Wilson score interval for a proportion (95 % by default): never the degenerate 1.000-1.000 a bootstrap gives
    when every hip is right."""
    if n == 0:
        return {"low": None, "high": None}
    p, z2n = hits / n, z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * np.sqrt(p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n)
    return {"low": float(max(0.0, centre - half)), "high": float(min(1.0, centre + half))}


def confusion_by_group(y_true, y_pred, groups, k: int) -> np.ndarray:
    """[G, k, k] confusion counts per group (film); any hashable group keys."""
    _, g = np.unique(np.asarray([str(x) for x in groups]), return_inverse=True)
    y_true, y_pred = np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)
    n_groups = int(g.max()) + 1 if len(g) else 0
    return np.bincount(g * k * k + y_true * k + y_pred, minlength=n_groups * k * k).reshape(n_groups, k, k)


def bootstrap_groups_ci(stats: dict, per_group: np.ndarray, reps: int = 1000, seed: int = 0,
                        alpha: float = 0.05) -> dict:
    """{name: percentile CI} of each stat(confusion) in `stats` over `reps` resamples of whole groups (films) with
    replacement: a film's two hips go in or out together, since they are correlated (one patient, one exposure, one
    reader sitting) and resampling hips would make the interval too narrow. per_group: [G, k, k] from
    confusion_by_group; every stat sees the same resamples."""
    n = len(per_group)
    empty = {"low": None, "high": None, "valid": 0}
    if n == 0:
        return {name: dict(empty) for name in stats}
    rng = np.random.default_rng(seed)
    k = per_group.shape[1]
    flat = per_group.reshape(n, -1).astype(np.float64)
    vals = {name: [] for name in stats}
    for _ in range(reps):
        cm = (np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64) @ flat).reshape(k, k)
        for name, stat in stats.items():
            vals[name].append(stat(cm))
    out = {}
    for name, v in vals.items():
        v = np.array(v, dtype=np.float64)
        v = v[np.isfinite(v)]
        out[name] = dict(empty) if len(v) == 0 else {
            "low": float(np.quantile(v, alpha / 2)), "high": float(np.quantile(v, 1 - alpha / 2)), "valid": int(len(v))}
    return out


def accuracy_from_confusion(cm: np.ndarray) -> float:
    cm = np.asarray(cm)
    return float(np.trace(cm) / cm.sum()) if cm.sum() else float("nan")


def ceiling(reader_p) -> float:
    """The best accuracy any model can reach against labels drawn from per-hip grade distributions reader_p [N, K]:
    the expected hit rate of predicting g for a hip is reader_p[g], so the best is max(reader_p) per hip, averaged.
    NaN for no hips."""
    p = np.asarray(reader_p, dtype=np.float64)
    return float(p.max(axis=1).mean()) if len(p) else float("nan")


def score(per_task: dict) -> float:
    """One number to pick the best epoch: mean quadratic kappa over the ordinal grades and kappa over the binary
    findings (NaN counts as 0, so a collapsed model never wins)."""
    vals = [per_task[t]["kappa_quadratic" if t in ("fo", "ao", "jsn") else "kappa"] for t in per_task]
    return float(np.mean([v if np.isfinite(v) else 0.0 for v in vals]))
