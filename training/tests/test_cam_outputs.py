"""cam_outputs: CAM outputs added to a GAP + linear-heads grader leave its outputs unchanged and are exact."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from hipoa_train import cam_outputs

ort = pytest.importorskip("onnxruntime")
HEADS = {"fo": 4, "ao": 4, "jsn": 4, "sclerosis": 2, "cysts": 2}


def tiny_grader(channels=6):
    """image -> Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm per head, as the exported DenseNets end."""
    rng = np.random.default_rng(3)
    inits = [numpy_helper.from_array(rng.standard_normal((channels, 1, 3, 3)).astype(np.float32), "conv.w")]
    nodes = [helper.make_node("Conv", ["image", "conv.w"], ["feat"], pads=[1, 1, 1, 1], strides=[4, 4]),
             helper.make_node("Relu", ["feat"], ["relu"]),
             helper.make_node("GlobalAveragePool", ["relu"], ["gap"]),
             helper.make_node("Flatten", ["gap"], ["flat"], axis=1)]
    outputs = []
    for head, k in HEADS.items():
        inits += [numpy_helper.from_array(rng.standard_normal((k, channels)).astype(np.float32), f"{head}.w"),
                  numpy_helper.from_array(rng.standard_normal(k).astype(np.float32), f"{head}.b")]
        nodes.append(helper.make_node("Gemm", ["flat", f"{head}.w", f"{head}.b"], [head], transB=1))
        outputs.append(helper.make_tensor_value_info(head, TensorProto.FLOAT, ["batch", k]))
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                                                             ["batch", 1, 32, 32])], outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_cam_outputs_are_exact_and_leave_the_grades_alone(tmp_path):
    path = tmp_path / "grader.onnx"
    onnx.save(tiny_grader(), str(path))
    before = tmp_path / "before.onnx"
    onnx.save(tiny_grader(), str(before))
    assert cam_outputs.main([str(path)]) == 0
    x = np.random.default_rng(5).standard_normal((3, 1, 32, 32)).astype(np.float32)
    old = ort.InferenceSession(str(before), providers=["CPUExecutionProvider"])
    new = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in new.get_outputs()]
    assert names == list(HEADS) + [f"cam_{h}" for h in HEADS]
    a = dict(zip(list(HEADS), old.run(list(HEADS), {"image": x})))
    b = dict(zip(names, new.run(names, {"image": x})))
    for head, k in HEADS.items():
        assert np.array_equal(a[head], b[head]), head
        assert b[f"cam_{head}"].shape == (3, k, 8, 8)
        assert np.abs(b[f"cam_{head}"].mean(axis=(2, 3)) - b[head]).max() < 1e-5
    assert "camOutputs" in {p.key for p in onnx.load(str(path)).metadata_props}
    with pytest.raises(ValueError, match="already has"):
        cam_outputs.add_cam_outputs(onnx.load(str(path)))
