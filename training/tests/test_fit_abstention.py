"""fit_abstention: temperatures that lower the NLL without moving a grade, a gradability head that finds the hips
with hardware, an OOD threshold at its stated rate, and an export whose grade outputs are the grader's own."""
import json

import numpy as np
import onnx
import pytest
import torch

from hipoa_train import common, export, fit_abstention, train_grader
from conftest import write_fake_train_data

ort = pytest.importorskip("onnxruntime")


def test_temperature_fit_recovers_a_known_temperature():
    rng = np.random.default_rng(1)
    true_logits = rng.normal(0, 2, (4000, 4))
    p = torch.softmax(torch.from_numpy(true_logits), 1).numpy()
    labels = np.array([rng.choice(4, p=row) for row in p])
    t = fit_abstention.fit_temperature(true_logits * 3.0, labels)  # overconfident by 3x
    assert 2.6 < t < 3.4
    before = fit_abstention.ece(torch.softmax(torch.from_numpy(true_logits * 3.0), 1).numpy(), labels)
    after = fit_abstention.ece(torch.softmax(torch.from_numpy(true_logits * 3.0 / t), 1).numpy(), labels)
    assert after < before / 2


def test_ece_of_a_perfectly_calibrated_and_of_an_overconfident_model():
    probs = np.tile([[0.7, 0.3]], (1000, 1))
    labels = np.array([0] * 700 + [1] * 300)
    assert fit_abstention.ece(probs, labels) == pytest.approx(0.0, abs=1e-9)
    assert fit_abstention.ece(np.tile([[0.99, 0.01]], (1000, 1)), labels) == pytest.approx(0.29, abs=1e-9)


def test_every_phantom_hardware_kind_has_a_reason():
    from conftest import HARDWARE_KINDS
    assert {fit_abstention.gradability_class(k) for k in HARDWARE_KINDS} == {1, 2}
    with pytest.raises(ValueError):
        fit_abstention.gradability_class("hip-spica")


def test_fit_and_export(tmp_path):
    d = write_fake_train_data(tmp_path / "td", films=60, phantom="v2", hardware_every=4)
    runs = tmp_path / "g"
    assert train_grader.main(["--data", str(d), "--arch", "densenet-tiny", "--batch", "8", "--max-steps", "4",
                              "--val-fraction", "0.3", "--out", str(runs)]) == 0
    out = runs / "abstain.pt"
    assert fit_abstention.main(["--checkpoint", str(runs / "best.pt"), "--data", str(d), "--out", str(out),
                                "--ood-false-abstain", "0.1"]) == 0
    ck = common.load(out)
    rep = ck["abstention"]["report"]
    # the metal bar is trivially separable: every validation hip with hardware is caught, no gradable one refused
    assert rep["gradability"]["val_hardware"] > 0
    assert rep["gradability"]["val_hardware_caught"] == rep["gradability"]["val_hardware"]
    assert rep["gradability"]["val_gradable_refused"] == 0
    assert 0 < rep["ood"]["val_refused"] <= 0.1 * rep["gradability"]["val_gradable"] + 1
    assert all(t > 0 for t in ck["abstention"]["temperature"].values())

    onnx_path = tmp_path / "grader.onnx"
    assert export.main(["--checkpoint", str(out), "--data", str(d), "--out", str(onnx_path)]) == 0
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    assert names == ["fo", "ao", "jsn", "sclerosis", "cysts", "gradability", "ood_distance"]
    x = np.load(f"{onnx_path}.reference-input.npy")
    got = dict(zip(names, sess.run(names, {"image": x})))
    # the grade outputs are the plain grader's
    plain = tmp_path / "plain.onnx"
    assert export.main(["--checkpoint", str(runs / "best.pt"), "--data", str(d), "--out", str(plain)]) == 0
    ref = ort.InferenceSession(str(plain), providers=["CPUExecutionProvider"]).run(["fo", "cysts"], {"image": x})
    assert np.abs(got["fo"] - ref[0]).max() <= 1e-5 and np.abs(got["cysts"] - ref[1]).max() <= 1e-5
    assert got["gradability"].shape == (len(x), 3) and got["ood_distance"].shape == (len(x),)
    meta = {p.key: p.value for p in onnx.load(str(onnx_path)).metadata_props}
    assert set(json.loads(meta["temperature"])) == {"fo", "ao", "jsn", "sclerosis", "cysts"}
    assert float(meta["oodThreshold"]) == pytest.approx(ck["abstention"]["ood_threshold"])
    assert json.loads(meta["gradabilityClasses"]) == ["gradable", "arthroplasty", "hardware"]


def _small_grader(tmp_path):
    """A tiny grader trained one step on 24 fake v2 films (every 4th hip with hardware): (data dir, run dir)."""
    d = write_fake_train_data(tmp_path / "td", films=24, phantom="v2", hardware_every=4)
    runs = tmp_path / "g"
    assert train_grader.main(["--data", str(d), "--arch", "densenet-tiny", "--batch", "8", "--max-steps", "1",
                              "--val-fraction", "0.3", "--out", str(runs)]) == 0
    return d, runs


def _fit(d, runs, checkpoint, *extra):
    """fit_abstention on runs/checkpoint into runs/a.pt; the written checkpoint."""
    assert fit_abstention.main(["--checkpoint", str(runs / checkpoint), "--data", str(d), "--out",
                                str(runs / "a.pt"), "--ood-false-abstain", "0.2", *extra]) == 0
    return common.load(runs / "a.pt")


def test_cam_outputs_can_be_added_to_an_abstaining_export(tmp_path):
    from hipoa_train import cam_outputs
    d, runs = _small_grader(tmp_path)
    _fit(d, runs, "best.pt")
    path = tmp_path / "g.onnx"
    assert export.main(["--checkpoint", str(runs / "a.pt"), "--data", str(d), "--out", str(path)]) == 0
    m = cam_outputs.add_cam_outputs(onnx.load(str(path)))
    names = [o.name for o in m.graph.output]
    assert names[:7] == ["fo", "ao", "jsn", "sclerosis", "cysts", "gradability", "ood_distance"]
    assert "cam_fo" in names and "cam_cysts" in names


def test_an_int8_checkpoint_fits_and_exports_with_int8_storage(tmp_path):
    from hipoa_train import compact
    d, runs = _small_grader(tmp_path)
    assert compact.main([str(runs / "best.pt"), str(runs / "int8.pt")]) == 0
    assert "model_int8" in _fit(d, runs, "int8.pt")
    path = tmp_path / "g.onnx"
    assert export.main(["--checkpoint", str(runs / "a.pt"), "--data", str(d), "--out", str(path)]) == 0
    inits = {i.name for i in onnx.load(str(path)).graph.initializer}
    assert any(n.startswith("grader.") and n.endswith("_int8") for n in inits), sorted(inits)[:10]


def test_gradability_head_can_learn_from_processed_copies(tmp_path):
    d, runs = _small_grader(tmp_path)
    rep = _fit(d, runs, "best.pt", "--processing-copies", "2")["abstention"]["report"]["gradability"]
    assert rep["processing_copies"] == 2
    assert rep["val_hardware_caught"] == rep["val_hardware"] > 0 and rep["val_gradable_refused"] == 0
