"""Static int8 quantization (activations and weights) of a HipOA grader with ONNX Runtime's tools.

    python -m hipoa_train.quantize_static GRADER.onnx CALIB.f32 OUT_DIR [--px 160] [--format qdq|qoperator] [--ops ...]

What model/int8/grader.onnx is (2026-12-01, version 0.2.0-phantom-int8static-dwbn), from the 40 crops of bench/peers'
20 films (seed 31337, crops.f32 of StageBench):

    python -m hipoa_train.quantize_static ../model/grader.onnx crops.f32 OUT --format qoperator \
        --ops Conv,Gemm,Relu,Concat,AveragePool,MaxPool --bn-as-dwconv --strided-transitions \
        --exclude /features/conv0/Conv,/features/relu0/Relu,/features/pool0/MaxPool --version-suffix=-int8static-dwbn

Why each option (measured with ORT Python 1.29, 2 threads, no spinning, both hips, see model/MODEL_CARD.md "Speed"):
DenseNet's batch norms sit after each concatenation (pre-activation), so they cannot fold into a convolution and
quantize_static leaves them fp32: the first int8 grader (QOperator, no rewrite, 0.2.0-phantom-int8static) ran 62 fp32
BatchNormalizations with 127 Transposes, 63 QuantizeLinear and 67 DequantizeLinear around them in the session's graph
and was barely faster than fp32. --bn-as-dwconv makes each of them a 1x1 depthwise Conv, quantized as a QLinearConv
with its ReLU absorbed, so the session's graph is int8 NHWC end to end (2 Transposes, at the input and the CAM end).
--strided-transitions removes the three QLinearAveragePools. --exclude keeps the 1-channel 7x7 stem convolution in
fp32, where ORT's fp32 NCHWc kernel took 0.7-0.8 ms against 2.1 ms as a QLinearConv (node profile, under load).
--share-concat-scales (not used for model/int8) makes every QLinearConcat a copy and was ~1-3 ms faster under load,
but cost accuracy on the 400-film test (AO -0.37 points, within the bound, too close to it). The QDQ format is not
an option with the product's session.disable_quant_qdq, which turns the Q/DQ pairs into fp32 arithmetic (44-47 ms
before the rewrite).

CALIB.f32: raw little-endian float32 crops, N x size x size, already normalised by the crop contract (bench/peers'
StageBench writes them from phantom films as crops.f32). Steps: (1) fold the shipped int8 *storage* back into fp32
(ORT's basic optimiser with QDQ handling off: constant folding of DequantizeLinear, batch norms folded into the
convolutions), (2) optionally the graph rewrites above on that fp32 graph (each exact in fp32: outputs within 1e-5 of
the unrewritten graph), (3) quantize_static, QDQ (default) or QOperator format, per-channel symmetric int8 weights
(--per-tensor, --reduce-range to change), uint8 activations, MinMax calibration (--calibration) on the crops.
The CAM outputs are left in fp32 (their Einsum is not a quantizable op here); their names and shapes stay.
The model is a demonstration trained on a synthetic phantom; so are the calibration crops.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
# onnxruntime.quantization is imported in main(): it needs onnx >= 1.13 (onnx.reference), newer than the training
# stack's Debian onnx 1.12, and the graph rewrites below need only onnx and numpy.


def fp32(src: Path, dst: Path) -> None:
    o = ort.SessionOptions()
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    o.add_session_config_entry("session.disable_quant_qdq", "1")
    o.optimized_model_filepath = str(dst)
    ort.InferenceSession(str(src), o, providers=["CPUExecutionProvider"])


def bn_as_depthwise_conv(model: onnx.ModelProto) -> int:
    """Rewrite every inference-mode BatchNormalization left in the graph as a 1x1 depthwise Conv (group = C).

    Why: DenseNet's pre-activation batch norms (BN -> ReLU -> Conv after each concatenation) cannot fold into the
    convolution that produced their input, and quantize_static has no int8 batch norm, so each one stays fp32 behind a
    DequantizeLinear, and ORT's NHWC int8 layout transformer puts Transposes around it. As a depthwise Conv it is
    quantized as a QLinearConv (per-channel int8 weight, the following Relu absorbed into its uint8 output range) and
    the whole chain stays int8 NHWC. y = x * w + b with w = gamma / sqrt(var + eps), b = beta - mean * w, exactly
    the batch norm's inference formula. Returns how many were rewritten.
    """
    from onnx import numpy_helper
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    used = {}
    for n in g.node:
        for i in n.input:
            used[i] = used.get(i, 0) + 1
    out, count = [], 0
    for n in g.node:
        training = any(a.name == "training_mode" and a.i for a in n.attribute)
        if (n.op_type != "BatchNormalization" or training or len(n.output) != 1
                or not all(i in inits for i in n.input[1:5])):
            out.append(n)
            continue
        eps = next((a.f for a in n.attribute if a.name == "epsilon"), 1e-5)
        gamma, beta, mean, var = (numpy_helper.to_array(inits[i]).astype(np.float64) for i in n.input[1:5])
        w = gamma / np.sqrt(var + eps)
        b = beta - mean * w
        c = len(w)
        base = n.name or f"{n.output[0]}_bn"  # node names are optional in ONNX; output names are unique
        wn, bn = base + "_dw_weight", base + "_dw_bias"
        g.initializer.extend([numpy_helper.from_array(w.astype(np.float32).reshape(c, 1, 1, 1), wn),
                              numpy_helper.from_array(b.astype(np.float32), bn)])
        out.append(onnx.helper.make_node("Conv", [n.input[0], wn, bn], list(n.output), name=base + "_dw",
                                         group=c, kernel_shape=[1, 1]))
        for i in n.input[1:5]:
            used[i] -= 1
        count += 1
    del g.node[:]
    g.node.extend(out)
    keep = [i for i in g.initializer if used.get(i.name, 1) > 0]
    del g.initializer[:]
    g.initializer.extend(keep)
    return count


def transition_as_strided_conv(model: onnx.ModelProto) -> int:
    """In each DenseNet transition (... -> 1x1 Conv -> 2x2 AveragePool stride 2), make the pair one 2x2 Conv with
    stride 2 whose four taps are the 1x1 weights / 4.

    Why: both are linear, so this is exact (the mean of W.x + b over a 2x2 cell is the 2x2 convolution with W / 4
    plus b) and removes the average pool, which as a QLinearAveragePool on the transition's full-resolution output
    cost as much as the convolution itself (measured, ORT 1.29; pooling before the convolution was no faster: it
    pools twice the channels). Returns how many transitions were rewritten.
    """
    from onnx import numpy_helper
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    prod = {o: n for n in g.node for o in n.output}
    uses = {}
    for n in g.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    drop, dropped_nodes, count = set(), set(), 0
    for pool in [n for n in g.node if n.op_type == "AveragePool"]:
        conv = prod.get(pool.input[0])
        if conv is None or conv.op_type != "Conv" or uses[conv.output[0]] != 1 or conv.input[1] not in inits:
            continue
        at = {a.name: onnx.helper.get_attribute_value(a) for a in conv.attribute}
        pat = {a.name: onnx.helper.get_attribute_value(a) for a in pool.attribute}
        w = numpy_helper.to_array(inits[conv.input[1]])
        if (w.shape[2:] != (1, 1) or at.get("group", 1) != 1 or any(at.get("pads", [0] * 4))
                or any(s != 1 for s in at.get("strides", [1, 1])) or any(d != 1 for d in at.get("dilations", [1, 1]))
                or at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or pat.get("kernel_shape") != [2, 2]
                or pat.get("strides") != [2, 2] or any(pat.get("pads", [0] * 4)) or pat.get("ceil_mode", 0)):
            continue
        name = conv.input[1] + "_2x2"
        g.initializer.append(numpy_helper.from_array(np.repeat(np.repeat(w / 4, 2, axis=2), 2, axis=3).astype(w.dtype), name))
        del conv.attribute[:]
        conv.attribute.extend([onnx.helper.make_attribute("kernel_shape", [2, 2]),
                               onnx.helper.make_attribute("strides", [2, 2])])
        if uses[conv.input[1]] == 1:
            drop.add(conv.input[1])
        conv.input[1] = name
        conv.output[0] = pool.output[0]
        dropped_nodes.add(id(pool))
        count += 1
    keep_nodes = [n for n in g.node if id(n) not in dropped_nodes]
    del g.node[:]
    g.node.extend(keep_nodes)
    keep = [i for i in g.initializer if i.name not in drop]
    del g.initializer[:]
    g.initializer.extend(keep)
    return count


def share_concat_scales(model: onnx.ModelProto, only: set[int] | None = None) -> int:
    """Give every tensor that enters or leaves a dense block's QLinearConcats the block's last concatenation's
    quantization (scale, zero point), so that each QLinearConcat is a plain copy instead of a requantization.

    Why: ONNX Runtime's QLinearConcat copies an input whose scale and zero point equal the output's and runs a lookup
    table over it otherwise; in DenseNet every layer concatenates all earlier features again, so without this each
    layer requantizes the whole block so far. The last concatenation holds every channel of the block, so its
    calibrated range contains every other one's: nothing is clipped, the early features get a coarser step. The
    producer and every consumer of a quantized tensor read the same scale/zero-point initializers, so changing their
    values keeps the graph consistent. A tensor with zero point 0 (a ReLU absorbed into its uint8 range) keeps its own.
    Returns how many concatenations were changed.
    """
    from onnx import numpy_helper
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    blocks = {}
    for n in g.node:
        if n.op_type == "QLinearConcat":
            block = re.search(r"/denseblock(\d+)/", n.name)  # torchvision's names: /features/denseblockN/...
            if only is not None and (block is None or int(block.group(1)) not in only):
                continue
            blocks.setdefault(block.group(0) if block else n.name, []).append(n)
    count = 0
    for nodes in blocks.values():
        last = max(nodes, key=lambda n: len(n.input))
        scale, zp = (numpy_helper.to_array(inits[last.input[i]]) for i in (0, 1))
        names = set()
        for n in nodes:
            names.add((n.input[0], n.input[1]))
            names.update((n.input[i + 1], n.input[i + 2]) for i in range(2, len(n.input), 3))
        for s_name, z_name in names:
            if numpy_helper.to_array(inits[z_name]).item() == 0 and numpy_helper.to_array(inits[s_name]).item() != scale.item():
                # zero point 0 on uint8: a ReLU was absorbed into this tensor's range (the block's input after
                # conv0's ReLU and max pool); a wider range would undo it, so it keeps its own and is requantized
                continue
            inits[s_name].CopyFrom(numpy_helper.from_array(scale.copy(), s_name))
            inits[z_name].CopyFrom(numpy_helper.from_array(zp.copy(), z_name))
        count += len(nodes)
    return count


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("grader", type=Path)
    p.add_argument("calib", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--px", type=int, default=160)
    p.add_argument("--format", choices=["qdq", "qoperator"], default="qdq")
    p.add_argument("--ops", default="Conv,Gemm", help="op types to quantize (comma-separated)")
    p.add_argument("--bn-as-dwconv", action="store_true",
                   help="rewrite the batch norms left after folding as 1x1 depthwise convolutions (see bn_as_depthwise_conv)")
    p.add_argument("--strided-transitions", action="store_true",
                   help="each transition's 1x1 conv + 2x2 average pool as one 2x2 stride-2 conv (see transition_as_strided_conv)")
    p.add_argument("--share-concat-scales", action="store_true",
                   help="one quantization per dense block's concatenations, so they copy (see share_concat_scales)")
    p.add_argument("--exclude", default="", help="node names (of the folded fp32 graph) to leave in fp32, comma-separated")
    p.add_argument("--share-concat-blocks", default="", help="with --share-concat-scales: only these dense blocks (1-4)")
    p.add_argument("--per-tensor", action="store_true", help="per-tensor instead of per-channel weights")
    p.add_argument("--reduce-range", action="store_true", help="7-bit weights (quantize_static reduce_range)")
    p.add_argument("--calibration", choices=["minmax", "percentile", "entropy"], default="minmax")
    p.add_argument("--version-suffix", default="-int8static", help="appended to the source model's version")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    crops = np.fromfile(a.calib, dtype="<f4").reshape(-1, 1, a.px, a.px)
    tmp = a.out / "grader.fp32.tmp.onnx"
    fp32(a.grader, tmp)
    rewritten = swapped = 0
    if a.bn_as_dwconv or a.strided_transitions:
        m32 = onnx.load(str(tmp))
        if a.bn_as_dwconv:
            rewritten = bn_as_depthwise_conv(m32)
            print(f"{rewritten} batch norms rewritten as 1x1 depthwise convolutions")
        if a.strided_transitions:
            swapped = transition_as_strided_conv(m32)
            print(f"{swapped} transitions as one 2x2 stride-2 convolution")
        onnx.checker.check_model(m32)
        onnx.save(m32, str(tmp))
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)

    class Crops(CalibrationDataReader):
        def __init__(self, crops: np.ndarray, batch: int = 8):
            self.batches = iter([crops[i:i + batch] for i in range(0, len(crops), batch)])

        def get_next(self):
            b = next(self.batches, None)
            return None if b is None else {"image": b}

    method = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
              "entropy": CalibrationMethod.Entropy}[a.calibration]
    dst = a.out / "grader.onnx"
    quantize_static(str(tmp), str(dst), Crops(crops), quant_format=QuantFormat.QDQ if a.format == "qdq" else QuantFormat.QOperator, per_channel=not a.per_tensor,
                    reduce_range=a.reduce_range, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=method, op_types_to_quantize=a.ops.split(","),
                    nodes_to_exclude=[n for n in a.exclude.split(",") if n],
                    extra_options={"ActivationSymmetric": False, "WeightSymmetric": True})
    tmp.unlink()
    src_meta = {q.key: q.value for q in onnx.load(str(a.grader), load_external_data=False).metadata_props}
    m = onnx.load(str(dst))
    only = {int(b) for b in a.share_concat_blocks.split(",") if b} or None
    shared = share_concat_scales(m, only) if a.share_concat_scales else 0
    if shared:
        print(f"{shared} concatenations share their block's quantization")
    del m.metadata_props[:]
    for k, v in src_meta.items():
        if k == "version":
            v = v + a.version_suffix
        onnx.helper.set_model_props(m, {**{q.key: q.value for q in m.metadata_props}, k: v})
    onnx.helper.set_model_props(m, {**{q.key: q.value for q in m.metadata_props},
                                    "quantization": f"static int8, {a.format} format, ops {a.ops} (onnxruntime"
                                                    f" {ort.__version__} quantize_static, {a.calibration} calibration on"
                                                    f" {len(crops)} phantom crops"
                                                    f"{', per-tensor' if a.per_tensor else ', per-channel'} weights"
                                                    f"{', reduce_range' if a.reduce_range else ''}"
                                                    f"{f'; {rewritten} batch norms as 1x1 depthwise convs' if rewritten else ''}"
                                                    f"{f'; {swapped} transitions as 2x2 stride-2 convs' if swapped else ''}"
                                                    f"{f'; {shared} concats share their block scale' if shared else ''}"
                                                    f"{f'; left fp32: {a.exclude}' if a.exclude else ''})"})
    onnx.save(m, str(dst))
    print(f"wrote {dst} ({dst.stat().st_size / 1e6:.1f} MB) from {len(crops)} calibration crops")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
