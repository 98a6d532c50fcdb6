"""Add class-activation-map outputs to an exported grader, in place, without its training checkpoint.

The grader is features -> ReLU -> GlobalAveragePool -> Flatten -> (dropout, gone at export) -> one Gemm per head.
So for the final feature map F[n, c, h, w] and a head's weight W[k, c] and bias b[k]:

    logits[n, k] = b[k] + sum_c W[k, c] * mean_hw F[n, c, h, w] = mean_hw (b[k] + sum_c W[k, c] F[n, c, h, w])

and cam[n, k, h, w] = b[k] + sum_c W[k, c] F[n, c, h, w] is an exact decomposition of each logit over the grid
(Zhou et al. 2016, CAM). This script adds cam_{head} = Einsum(F, W) + b for every head as extra graph outputs,
reusing the graph's own (dequantized) weight tensors: the existing outputs are computed by the same nodes as
before, so the grades do not change (ModelParityTest), and the mean of each map equals its logits (HipCamTest).

    python -m hipoa_train.cam_outputs ../model/grader.onnx [--check]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper

HEADS = ("fo", "ao", "jsn", "sclerosis", "cysts")


def add_cam_outputs(model: onnx.ModelProto) -> onnx.ModelProto:
    g = model.graph
    producer = {o: n for n in g.node for o in n.output}
    existing = {o.name for o in g.output}
    feature_map = None
    for head in HEADS:
        if f"cam_{head}" in existing:
            raise ValueError(f"the model already has cam_{head}")
        gemm = producer[head]
        if gemm.op_type != "Gemm":
            raise ValueError(f"{head} is made by {gemm.op_type}, not Gemm: not a GAP + linear head")
        attrs = {a.name: helper.get_attribute_value(a) for a in gemm.attribute}
        if attrs.get("transB") != 1 or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
            raise ValueError(f"{head}: unexpected Gemm attributes {attrs}")
        flatten = producer[gemm.input[0]]
        gap = producer[flatten.input[0]]
        if flatten.op_type != "Flatten" or gap.op_type != "GlobalAveragePool":
            raise ValueError(f"{head} does not read a global average pool")
        if feature_map not in (None, gap.input[0]):
            raise ValueError("the heads read different feature maps")
        feature_map = gap.input[0]
        weight, bias = gemm.input[1], gemm.input[2]
        g.node.extend([
            helper.make_node("Einsum", [feature_map, weight], [f"/cam/{head}/einsum"], equation="nchw,kc->nkhw",
                             name=f"/cam/{head}/Einsum"),
            helper.make_node("Constant", [], [f"/cam/{head}/axes"], name=f"/cam/{head}/Axes",
                             value=helper.make_tensor("axes", onnx.TensorProto.INT64, [3], [0, 2, 3])),
            helper.make_node("Unsqueeze", [bias, f"/cam/{head}/axes"], [f"/cam/{head}/bias"],
                             name=f"/cam/{head}/Unsqueeze"),
            helper.make_node("Add", [f"/cam/{head}/einsum", f"/cam/{head}/bias"], [f"cam_{head}"],
                             name=f"/cam/{head}/Add"),
        ])
        g.output.append(helper.make_tensor_value_info(f"cam_{head}", onnx.TensorProto.FLOAT,
                                                      ["batch", "classes", "height", "width"]))
    model.metadata_props.append(onnx.StringStringEntryProto(
        key="camOutputs",
        value="cam_{head}: [N, classes, h, w] class activation maps of the final feature map (b + W.F per cell); "
              "their mean over h, w equals the head's logits"))
    return model


def check(before: Path, after: Path) -> float:
    import onnxruntime as ort

    x = np.random.default_rng(7).standard_normal((3, 1, 160, 160)).astype(np.float32)
    old = ort.InferenceSession(str(before), providers=["CPUExecutionProvider"])
    new = ort.InferenceSession(str(after), providers=["CPUExecutionProvider"])
    size = old.get_inputs()[0].shape[-1]
    if isinstance(size, int):
        x = np.random.default_rng(7).standard_normal((3, 1, size, size)).astype(np.float32)
    a = dict(zip([o.name for o in old.get_outputs()], old.run(None, {"image": x})))
    b = dict(zip([o.name for o in new.get_outputs()], new.run(None, {"image": x})))
    worst = 0.0
    for head in HEADS:
        if not np.array_equal(a[head], b[head]):
            raise AssertionError(f"{head} changed")
        worst = max(worst, float(np.abs(b[f"cam_{head}"].mean(axis=(2, 3)) - b[head]).max()))
    return worst


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", type=Path)
    p.add_argument("--check", action="store_true", help="compare with the file before (needs onnxruntime)")
    a = p.parse_args(argv)
    original = a.model.with_suffix(".before-cam.onnx")
    a.model.replace(original)
    try:
        onnx.save(add_cam_outputs(onnx.load(str(original))), str(a.model))
        onnx.checker.check_model(str(a.model))
        if a.check:
            print(f"{a.model}: outputs unchanged; max |mean(cam) - logits| = {check(original, a.model):.2e}")
    except BaseException:
        original.replace(a.model)
        raise
    original.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
