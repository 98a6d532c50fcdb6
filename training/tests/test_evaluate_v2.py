"""Evaluation against phantom v2 labels, with answers known by construction: the ceiling formula on hand-made
readerP, a model that predicts the truth, Wilson intervals, a bootstrap that resamples films, the held-out test
split, hardware hips apart and unreadable manifest images counted as misses."""
import json

import numpy as np
import pytest

from conftest import write_fake_train_data
from hipoa_train import data, evaluate, metrics, readers, train_grader

GRADER = ["--arch", "densenet-tiny", "--batch", "4", "--threads", "2", "--max-steps", "2", "--epochs", "1"]


def one_hot_logits(grades: np.ndarray) -> list[np.ndarray]:
    """Per task [N, K] logits whose argmax is the given grade [N, 5]."""
    return [np.eye(data.NUM_CLASSES[t])[grades[:, i]] for i, t in enumerate(data.TASKS)]


# Four hand-made hips: per task the reader's grade, the truth and readerP (rows sum to 1).
P4 = [[0.7, 0.2, 0.1, 0.0], [0.1, 0.5, 0.4, 0.0], [0.0, 0.3, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]
P2 = [[0.9, 0.1], [0.4, 0.6], [0.5, 0.5], [0.2, 0.8]]
TRUTH = np.array([[0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [3, 3, 3, 1, 1], [2, 2, 2, 0, 0]])
READER = np.array([[0, 1, 0, 0, 1], [1, 1, 2, 1, 1], [3, 2, 3, 0, 1], [1, 2, 2, 0, 0]])


def hand_made_v2():
    return [{"truth": dict(zip(data.TASKS, map(int, TRUTH[h]))),
             "readerP": {t: (P4 if data.NUM_CLASSES[t] == 4 else P2)[h] for t in data.TASKS}} for h in range(4)]


def test_ceiling_is_the_mean_of_the_best_reader_probability():
    assert metrics.ceiling(P4) == pytest.approx((0.7 + 0.5 + 0.4 + 0.25) / 4)
    assert metrics.ceiling(P2) == pytest.approx((0.9 + 0.6 + 0.5 + 0.8) / 4)


def test_a_model_that_predicts_the_truth():
    rep = evaluate.grader_report(one_hot_logits(TRUTH), READER, films=[0, 0, 1, 1], v2=hand_made_v2())
    for i, t in enumerate(data.TASKS):
        m = rep["tasks"][t]
        assert m["vs_truth"]["accuracy"] == 1.0
        agreement = float((READER[:, i] == TRUTH[:, i]).mean())
        assert m["accuracy"] == pytest.approx(agreement) == m["reader_agreement_with_truth"]
        expected_ceiling = metrics.ceiling(P4 if data.NUM_CLASSES[t] == 4 else P2)
        assert m["ceiling"] == pytest.approx(expected_ceiling)
        assert m["accuracy_over_ceiling"] == pytest.approx(agreement / expected_ceiling)
        assert np.trace(m["vs_truth"]["confusion"]) == 4 and np.sum(m["confusion"]) == 4
    # fo: reader and truth differ on hip 3 only -> 3/4; the confusion's rows are the reader's grades
    assert rep["tasks"]["fo"]["accuracy"] == 0.75 and rep["tasks"]["fo"]["confusion"][1][2] == 1


def test_a_model_that_predicts_the_most_likely_grade_reaches_the_expected_score_of_the_ceiling():
    # Labels drawn from readerP many times: predicting argmax readerP scores the ceiling on average.
    rng = np.random.default_rng(1)
    reps = 4000
    p = np.array(P4 * reps)
    labels = (rng.random(len(p))[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    hits = (labels == p.argmax(axis=1)).mean()
    assert hits == pytest.approx(metrics.ceiling(p), abs=0.01)


def test_reader_p_is_the_distribution_of_a_noisy_cut():
    # at a cut with no bias half the reads fall on each side; far from the cuts one grade takes it all
    assert readers.reader_p("fo", readers.CUTS["fo"][1], "A")[0][1:3] == pytest.approx([0.5, 0.5], abs=1e-3)
    assert readers.reader_p("jsn", 0.0, "A")[0] == pytest.approx([1, 0, 0, 0], abs=1e-6)
    p = readers.reader_p("ao", np.linspace(0, 1, 11), "B")
    assert p.shape == (11, 4) and np.allclose(p.sum(1), 1) and (p >= 0).all()
    # reader B's bias shifts its reads: at A's 50/50 point B's +0.02 on FO says grade 2 more often
    assert readers.reader_p("fo", readers.CUTS["fo"][1], "B")[0][2] > 0.6
    # monte carlo of the read itself
    rng = np.random.default_rng(0)
    s, (bias, sd) = 0.55, readers.READERS["B"]
    reads = [readers.cut("jsn", s + bias[2] + sd[2] * rng.normal()) for _ in range(20000)]
    assert np.bincount(reads, minlength=4) / 20000 == pytest.approx(readers.reader_p("jsn", s, "B")[0], abs=0.01)


def test_wilson_interval():
    w = metrics.wilson(8, 10)
    assert (w["low"], w["high"]) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    w = metrics.wilson(800, 800)  # not the bootstrap's degenerate 1.000-1.000
    assert w["high"] == 1.0 and w["low"] == pytest.approx(800 / (800 + 1.959963984540054 ** 2))


def test_bootstrap_resamples_films_not_hips():
    # Every film has one right and one wrong hip: any resample of films scores exactly 0.5, a resample of hips not.
    y = np.zeros(400, np.int64)
    p = np.tile([0, 1], 200)
    films = np.repeat(np.arange(200), 2)
    ci = metrics.bootstrap_groups_ci({"acc": metrics.accuracy_from_confusion},
                                     metrics.confusion_by_group(y, p, films, 4), 300)["acc"]
    assert ci["low"] == ci["high"] == 0.5
    hips = metrics.bootstrap_ci(lambda ix: float((y[ix] == p[ix]).mean()), 400, 300)
    assert hips["high"] - hips["low"] > 0.05
    # Both hips of a film agree (as correlated hips do): the film interval is ~sqrt(2) wider than the hip one.
    right = np.repeat(np.random.default_rng(0).random(200) < 0.7, 2)
    p2 = np.where(right, 0, 1)
    film_ci = metrics.bootstrap_groups_ci({"acc": metrics.accuracy_from_confusion},
                                          metrics.confusion_by_group(y, p2, films, 4), 1000)["acc"]
    hip_ci = metrics.bootstrap_ci(lambda ix: float((y[ix] == p2[ix]).mean()), 400, 1000)
    assert (film_ci["high"] - film_ci["low"]) > 1.25 * (hip_ci["high"] - hip_ci["low"])


def test_kappa_weights_agree_with_the_cli():
    # ./hipoa eval weighs |i-j|/(K-1) (squared for quadratic); kappa is the same for any scale of the weights
    cm = np.array([[10, 3, 1, 0], [2, 8, 3, 1], [0, 2, 6, 2], [0, 1, 2, 5]], dtype=float)
    i, j = np.indices(cm.shape)
    expected = np.outer(cm.sum(1), cm.sum(0)) / cm.sum()
    for name, w in (("linear", np.abs(i - j) / 3), ("quadratic", (np.abs(i - j) / 3) ** 2)):
        assert metrics.kappa_from_confusion(cm, name) == pytest.approx(1 - (w * cm).sum() / (w * expected).sum())


def test_rejected_hips_count_as_misses():
    rep = evaluate.grader_report(one_hot_logits(TRUTH), TRUTH, rejected_hips=4)
    m = rep["tasks"]["jsn"]
    assert m["accuracy"] == 1.0
    assert m["with_rejected_as_misses"]["n"] == 8 and m["with_rejected_as_misses"]["accuracy"] == 0.5


def test_test_split_is_disjoint_and_leaves_the_old_split_alone():
    groups = [(0, i // 2) for i in range(200)]  # 100 films, two hips each
    tr, va, te = data.splits(groups, 0.15, 3, 0.2)
    films = lambda ix: {groups[i] for i in ix}  # noqa: E731
    assert len(films(te)) == 20 and len(films(va)) == 15 and len(films(tr)) == 65
    assert films(tr).isdisjoint(films(va)) and films(tr).isdisjoint(films(te)) and films(va).isdisjoint(films(te))
    # the validation split is the one the same seed gave before test splits existed
    tr0, va0 = data.split(groups, 0.15, 3)
    assert va0 == va and set(tr0) == set(tr) | set(te)


def test_v2_evaluation_end_to_end(tmp_path):
    d = write_fake_train_data(tmp_path / "int", films=20, phantom="v2", hardware_every=7)
    other = write_fake_train_data(tmp_path / "fresh", films=8, phantom="v2", seed=5)
    ext = write_fake_train_data(tmp_path / "ext", films=8, phantom="v2", reader="B", seed=6)
    out = tmp_path / "run"
    assert train_grader.main(["--data", str(d), *GRADER, "--val-fraction", "0.2", "--test-fraction", "0.2",
                              "--out", str(out)]) == 0
    ck = out / "best.pt"

    def ev(*args):
        path = tmp_path / "e.json"
        assert evaluate.main(["--checkpoint", str(ck), "--bootstrap", "50", "--out", str(path), *args]) == 0
        return json.loads(path.read_text())

    with pytest.raises(SystemExit, match="--site"):  # the train-data lines do not say whose labels they are
        ev("--data", str(d), "--split", "test")
    test = ev("--data", str(d), "--split", "test", "--site", "internal")
    assert test["set"]["held_out"] is True and test["set"]["films_seen_in_training"] == 0
    assert test["set"]["films"] == 4
    fo = test["tasks"]["fo"]
    assert {"vs_truth", "ceiling", "accuracy_over_ceiling", "accuracy_wilson95", "with_rejected_as_misses"} <= set(fo)
    assert 0 < fo["ceiling"] <= 1 and "ci95" in fo["vs_truth"]
    assert "over 4 films" in test["intervals"]
    # the ceiling is reader A's readerP of exactly the test hips
    ds = data.PhantomCrops([d])
    test_idx = data.splits(ds.groups(), 0.2, 0, 0.2)[2]
    sev = np.array([ds.v2_labels()[i]["severity"]["jsn"] for i in test_idx])
    assert test["tasks"]["jsn"]["ceiling"] == pytest.approx(metrics.ceiling(readers.reader_p("jsn", sev, "A")))
    assert test["tasks"]["jsn"]["n"] == len(test_idx)
    # the validation split chose the epoch: not a test result
    val = ev("--data", str(d), "--split", "val", "--site", "internal")
    assert val["set"]["held_out"] is False and val["set"]["films_seen_in_training"] == val["set"]["films"] == 4
    # everything given, training films included
    every = ev("--data", str(d), "--site", "internal")
    assert every["set"]["films_seen_in_training"] == 16 and every["set"]["held_out"] is False
    # hardware hips are counted apart and never scored
    hardware = sum(1 for h in map(json.loads, open(d / "hips.jsonl")) if not h["gradable"])
    assert hardware > 0 and every["hardware_hips"]["hips"] == hardware
    assert every["tasks"]["fo"]["n"] == 40 - hardware
    # a fresh seed is held out; the external reader lowers the ceiling where its noise is larger
    assert ev("--data", str(other), "--site", "internal")["set"]["held_out"] is True
    e_a, e_b = ev("--data", str(ext), "--site", "internal"), ev("--data", str(ext), "--site", "external")
    assert e_b["tasks"]["cysts"]["ceiling"] < e_a["tasks"]["cysts"]["ceiling"]
    # a checkpoint without a test split refuses --split test
    out0 = tmp_path / "run0"
    assert train_grader.main(["--data", str(d), *GRADER, "--out", str(out0)]) == 0
    with pytest.raises(SystemExit, match="no test split"):
        evaluate.main(["--checkpoint", str(out0 / "best.pt"), "--data", str(d), "--split", "test"])


def test_v1_report_has_no_v2_keys(fake_data, tmp_path):
    out = tmp_path / "v1"
    assert train_grader.main(["--data", str(fake_data), *GRADER, "--out", str(out)]) == 0
    path = tmp_path / "e.json"
    assert evaluate.main(["--checkpoint", str(out / "best.pt"), "--data", str(fake_data), "--split", "val",
                          "--bootstrap", "20", "--out", str(path)]) == 0
    rep = json.loads(path.read_text())
    assert "ceiling" not in rep["tasks"]["fo"] and "vs_truth" not in rep["tasks"]["fo"]
    assert rep["set"]["held_out"] is False and "hardware_hips" not in rep


def test_unreadable_manifest_images_are_rejected_and_missed(tmp_path):
    pytest.importorskip("pydicom")
    from test_manifest import write_dicom
    rng = np.random.default_rng(0)
    write_dicom(tmp_path / "good.dcm", rng.integers(0, 4096, (300, 260)), PixelSpacing=[0.2, 0.2])
    (tmp_path / "broken.dcm").write_bytes(b"not a dicom file")
    (tmp_path / "m.csv").write_text("image,side,fo,ao,jsn,sclerosis,cysts,center_x_mm,center_y_mm\n"
                                    "good.dcm,right,1,2,3,1,0,20.0,30.0\n"
                                    "good.dcm,left,0,0,1,0,1,30.0,31.5\n"
                                    "broken.dcm,right,0,0,0,0,0,20.0,30.0\n")
    out = tmp_path / "m"
    assert train_grader.main(["--data", str(write_fake_train_data(tmp_path / "td", crop_px=160, films=4)),
                              *GRADER, "--out", str(out)]) == 0
    path = tmp_path / "e.json"
    assert evaluate.main(["--checkpoint", str(out / "best.pt"), "--manifest", str(tmp_path / "m.csv"),
                          "--bootstrap", "10", "--out", str(path)]) == 0
    rep = json.loads(path.read_text())
    assert rep["rejected_hips"] == {"InvalidDicomError": 1}
    fo = rep["tasks"]["fo"]
    assert fo["n"] == 2 and fo["with_rejected_as_misses"]["n"] == 3
    assert fo["with_rejected_as_misses"]["accuracy"] == pytest.approx(fo["accuracy"] * 2 / 3)
    assert rep["set"]["held_out"] is True


def test_fine_tuning_starts_from_int8_weights(fake_data, tmp_path):
    # the shipped graders come back from the GPU as int8 checkpoints: --init-checkpoint must load all of them
    import torch
    from hipoa_train import compact
    from hipoa_train.models import MultitaskGrader, load_init
    out = tmp_path / "g"
    assert train_grader.main(["--data", str(fake_data), *GRADER, "--out", str(out)]) == 0
    assert compact.main([str(out / "best.pt"), str(tmp_path / "int8.pt")]) == 0
    model = MultitaskGrader("densenet-tiny", 0.2)
    load_init(model, str(tmp_path / "int8.pt"))
    expect = compact.state_dict_of(torch.load(tmp_path / "int8.pt", weights_only=False))
    assert all(torch.equal(model.state_dict()[k], v) for k, v in expect.items())
