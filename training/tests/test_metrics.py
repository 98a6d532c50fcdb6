import numpy as np
import pytest

from hipoa_train import metrics


def test_kappa_textbook_2x2():
    cm = np.array([[20, 5], [10, 15]])  # p_o = 0.7, p_e = 0.5 -> 0.4
    assert metrics.kappa_from_confusion(cm) == pytest.approx(0.4)
    assert metrics.kappa_from_confusion(cm, "quadratic") == pytest.approx(0.4)  # 2 classes: all weights agree


def test_weighted_kappa_reversal():
    y, p = [0, 1, 2], [2, 1, 0]
    assert metrics.kappa(y, p, 3, "quadratic") == pytest.approx(-1.0)  # 1 - (8/3) / (12/9)
    assert metrics.kappa(y, p, 3, "linear") == pytest.approx(-0.5)     # 1 - (4/3) / (8/9)
    assert metrics.kappa(y, y, 3, "quadratic") == pytest.approx(1.0)


def test_kappa_matches_definition():
    # unweighted kappa from its definition (p_o - p_e) / (1 - p_e); near-miss errors favour the weighted kappas
    a = [0, 1, 2, 3, 1, 2, 0, 3, 2, 1]
    b = [0, 1, 2, 2, 1, 3, 0, 3, 1, 1]
    cm = metrics.confusion(a, b, 4)
    po = np.trace(cm) / 10
    pe = (cm.sum(1) * cm.sum(0)).sum() / 100
    assert metrics.kappa(a, b, 4) == pytest.approx((po - pe) / (1 - pe))
    assert metrics.kappa(a, b, 4, "quadratic") > metrics.kappa(a, b, 4, "linear") > metrics.kappa(a, b, 4)


def test_degenerate_kappa_is_nan_and_score_treats_it_as_zero():
    assert np.isnan(metrics.kappa([1, 1], [1, 1], 4))
    per = {t: metrics.task_metrics([1, 1], [1, 1], 4) for t in ("fo", "ao")}
    assert metrics.score(per) == 0.0


def test_bootstrap_ci_brackets_estimate():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    p = np.where(rng.random(200) < 0.7, y, rng.integers(0, 4, 200))
    k = metrics.kappa(y, p, 4, "quadratic")
    ci = metrics.bootstrap_ci(lambda ix: metrics.kappa(y[ix], p[ix], 4, "quadratic"), 200, 200)
    assert ci["low"] < k < ci["high"]
