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


def test_int8_weights_export_is_smaller_and_still_matches(runs, fake_data, tmp_path):
    from hipoa_train import compact, common
    small = tmp_path / "int8.pt"
    assert compact.main([str(runs / "g" / "best.pt"), str(small)]) == 0
    ck, full = common.load(small), common.load(runs / "g" / "best.pt")
    assert "model" not in ck and ck["model_int8"]["int8"], "weights stored as int8, not fp32"
    for name, (q, scale) in ck["model_int8"]["int8"].items():
        assert q.dtype.is_signed and q.element_size() == 1
        # per output channel, the worst rounding error is half a step
        err = (compact.dequantize(q, scale) - full["model"][name].float()).abs().flatten(1).amax(1)
        assert (err <= scale / 2 + 1e-7).all(), name
    path = tmp_path / "int8.onnx"
    assert export.main(["--checkpoint", str(small), "--data", str(fake_data), "--out", str(path),
                        "--reference-count", "3"]) == 0
    m = onnx.load(str(path))
    int8 = [i for i in m.graph.initializer if i.data_type == onnx.TensorProto.INT8 and i.name.endswith("_int8")]
    assert len(int8) == len(ck["model_int8"]["int8"]), "every int8 weight is int8 in the graph too"
    assert sum(n.op_type == "DequantizeLinear" for n in m.graph.node) == len(int8)
    x = np.load(f"{path}.reference-input.npy")
    ref = json.load(open(f"{path}.reference-output.json"))
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(list(ref["outputs"]), {"image": x})
    for name, g in zip(ref["outputs"], got):
        assert np.abs(g - np.array(ref["outputs"][name], np.float32)).max() <= 1e-3
