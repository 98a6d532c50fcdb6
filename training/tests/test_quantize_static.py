"""Static int8 quantization: the graph rewrites before quantize_static are exact in fp32, and the rewritten grader is
quantized without any fp32 batch norm or average pool left (the layout traffic model/int8 was rebuilt to remove)."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from hipoa_train import quantize_static as qs

ort = pytest.importorskip("onnxruntime")


def tiny_densenet(path):
    """image -> conv0+relu -> [x, conv(x)] concat -> BN -> ReLU -> 1x1 conv -> 2x2 avg pool -> GAP -> logits: one
    pre-activation dense layer and one transition, as torchvision's DenseNet exports them."""
    rng = np.random.default_rng(7)
    c = lambda *s: rng.normal(0, 0.5, s).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for n, a in [
        ("w0", c(4, 1, 3, 3)), ("b0", c(4)), ("w1", c(4, 4, 3, 3)), ("b1", c(4)),
        ("gamma", rng.uniform(0.5, 1.5, 8).astype(np.float32)), ("beta", c(8)), ("mean", c(8)),
        ("var", rng.uniform(0.5, 2, 8).astype(np.float32)), ("wt", c(6, 8, 1, 1)), ("bt", c(6)),
        ("wf", c(6, 3)), ("bf", c(3))]]
    nodes = [
        helper.make_node("Conv", ["image", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1], name="conv0"),
        helper.make_node("Relu", ["c0"], ["r0"], name="relu0"),
        helper.make_node("Conv", ["r0", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="/features/denseblock1/conv2"),
        helper.make_node("Concat", ["r0", "c1"], ["cat"], axis=1, name="/features/denseblock1/Concat"),
        helper.make_node("BatchNormalization", ["cat", "gamma", "beta", "mean", "var"], ["bn"], epsilon=1e-5,
                         name="/features/transition1/norm"),
        helper.make_node("Relu", ["bn"], ["r1"], name="/features/transition1/relu"),
        helper.make_node("Conv", ["r1", "wt", "bt"], ["ct"], name="/features/transition1/conv"),
        helper.make_node("AveragePool", ["ct"], ["pool"], kernel_shape=[2, 2], strides=[2, 2],
                         name="/features/transition1/pool"),
        helper.make_node("GlobalAveragePool", ["pool"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["fo"], name="head")]
    graph = helper.make_graph(nodes, "tiny", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["b", 1, 16, 16])],
                              [helper.make_tensor_value_info("fo", TensorProto.FLOAT, ["b", 3])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)  # Debian onnx 1.12 checks up to IR 8
    helper.set_model_props(m, {"version": "0.0.1-test", "trainingData": "synthetic phantom only"})
    onnx.save(m, str(path))
    return m


def run(path, x):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"image": x})[0]


def test_rewrites_are_exact_in_fp32(tmp_path):
    m = tiny_densenet(tmp_path / "a.onnx")
    assert qs.bn_as_depthwise_conv(m) == 1 and qs.transition_as_strided_conv(m) == 1
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]
    assert "BatchNormalization" not in ops and "AveragePool" not in ops
    assert not {"gamma", "beta", "mean", "var", "wt"} & {i.name for i in m.graph.initializer}, "unused constants dropped"
    onnx.save(m, str(tmp_path / "b.onnx"))
    x = np.random.default_rng(1).normal(size=(3, 1, 16, 16)).astype(np.float32)
    np.testing.assert_allclose(run(tmp_path / "b.onnx", x), run(tmp_path / "a.onnx", x), atol=1e-5, rtol=1e-5)


def test_quantized_with_rewrites_has_no_fp32_batch_norm(tmp_path):
    # ORT's quantization tools need onnx >= 1.13 (onnx.reference); Debian's training stack has 1.12 (bench/.venv,
    # where model/int8 was made, has both).
    pytest.importorskip("onnxruntime.quantization", reason="onnxruntime.quantization needs onnx >= 1.13")
    tiny_densenet(tmp_path / "g.onnx")
    rng = np.random.default_rng(2)
    rng.normal(size=(16, 16, 16)).astype("<f4").tofile(tmp_path / "calib.f32")
    assert qs.main([str(tmp_path / "g.onnx"), str(tmp_path / "calib.f32"), str(tmp_path / "out"), "--px", "16",
                    "--format", "qoperator", "--ops", "Conv,Gemm,Relu,Concat,AveragePool,MaxPool", "--bn-as-dwconv",
                    "--strided-transitions", "--version-suffix=-int8static-dwbn"]) in (0, None)
    q = onnx.load(str(tmp_path / "out" / "grader.onnx"))
    ops = [n.op_type for n in q.graph.node]
    assert "BatchNormalization" not in ops and "AveragePool" not in ops and ops.count("QLinearConv") == 4
    meta = {p.key: p.value for p in q.metadata_props}
    assert meta["version"] == "0.0.1-test-int8static-dwbn" and "1 batch norms as 1x1 depthwise convs" in meta["quantization"]
    assert meta["trainingData"] == "synthetic phantom only"
    x = rng.normal(size=(4, 1, 16, 16)).astype(np.float32)
    ref, got = run(tmp_path / "g.onnx", x), run(tmp_path / "out" / "grader.onnx", x)
    assert np.abs(got - ref).max() <= 0.05 * np.abs(ref).max() + 0.05, "int8 stays close to fp32"
