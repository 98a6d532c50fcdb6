"""ONNX export: names, dynamic batch, metadata, reference files, and onnxruntime == PyTorch."""
import json

import numpy as np
import onnx
import pytest

from hipoa_train import export, train_grader, train_localiser

ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def runs(fake_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("runs")
    train_grader.main(["--data", str(fake_data), "--arch", "densenet-tiny", "--batch", "4", "--max-steps", "2",
                       "--out", str(d / "g")])
    train_localiser.main(["--data", str(fake_data), "--batch", "4", "--width", "8", "--max-steps", "2",
                          "--out", str(d / "l")])
    return d


@pytest.mark.parametrize("kind,outputs,shape", [("g", ["fo", "ao", "jsn", "sclerosis", "cysts"], (1, 32, 32)),
                                                ("l", ["heatmaps", "coords"], (1, 64, 64))])
def test_export_matches_pytorch(runs, fake_data, kind, outputs, shape):
    path = runs / kind / "model.onnx"
    assert export.main(["--checkpoint", str(runs / kind / "best.pt"), "--data", str(fake_data),
                        "--out", str(path), "--reference-count", "3"]) == 0
    x = np.load(f"{path}.reference-input.npy")
    assert x.dtype == np.float32 and x.shape == (3, *shape)
    ref = json.load(open(f"{path}.reference-output.json"))
    assert list(ref["outputs"]) == outputs
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["image"]
    assert [o.name for o in sess.get_outputs()] == outputs
    got = sess.run(outputs, {"image": x})
    for name, g in zip(outputs, got):
        assert np.abs(g - np.array(ref["outputs"][name], np.float32)).max() <= 1e-3
    # dynamic batch
    assert sess.run(outputs, {"image": np.concatenate([x, x])})[0].shape[0] == 6
    if kind == "l":
        assert got[1].shape == (3, 2, 2)
    meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    for key in ("name", "version", "architecture", "inputSize", "mmPerPx", "normalisation", "gradeLabels",
                "trainingData", "sourceCommit", "contractVersion"):
        assert meta[key]
    assert "not for clinical use" in meta["trainingData"] and json.loads(meta["inputSize"]) == list(shape[1:])
