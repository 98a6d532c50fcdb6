"""Static int8 quantization (activations and weights) of a HipOA grader with ONNX Runtime's tools.

    python -m hipoa_train.quantize_static GRADER.onnx CALIB.f32 OUT_DIR [--px 160] [--format qdq|qoperator] [--ops ...]

What model/int8/grader.onnx was made with (2026-12-01): --format qoperator --ops Conv,Gemm,Relu,Concat,AveragePool,MaxPool
on the 40 crops of bench/peers' 20 films (seed 31337). Measured with ORT Python 1.29, 2 threads, both hips: QDQ of Conv
and Gemm 44 ms, QDQ of every quantizable op 47 ms, QOperator 24-26 ms, fp32 with the shipped options 26-27 ms:
DenseNet's batch norms sit after each concatenation (pre-activation), so they stay fp32 and every layer's growing
input is dequantized again; QOperator's QLinearConcat keeps the concatenations in int8.

CALIB.f32: raw little-endian float32 crops, N x size x size, already normalised by the crop contract (bench/peers'
StageBench writes them from phantom films as crops.f32). Steps: (1) fold the shipped int8 *storage* back into fp32
(ORT's basic optimiser with QDQ handling off: constant folding of DequantizeLinear, batch norms folded into the
convolutions), (2) quantize_static, QDQ (default) or QOperator format, per-channel symmetric int8 weights, uint8 activations, MinMax
calibration on the crops. The CAM outputs are left in fp32 (their Einsum is not a quantizable op here).
The model is a demonstration trained on a synthetic phantom; so are the calibration crops.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_static)


class Crops(CalibrationDataReader):
    def __init__(self, crops: np.ndarray, batch: int = 8):
        self.batches = iter([crops[i:i + batch] for i in range(0, len(crops), batch)])

    def get_next(self):
        b = next(self.batches, None)
        return None if b is None else {"image": b}


def fp32(src: Path, dst: Path) -> None:
    o = ort.SessionOptions()
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    o.add_session_config_entry("session.disable_quant_qdq", "1")
    o.optimized_model_filepath = str(dst)
    ort.InferenceSession(str(src), o, providers=["CPUExecutionProvider"])


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("grader", type=Path)
    p.add_argument("calib", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--px", type=int, default=160)
    p.add_argument("--format", choices=["qdq", "qoperator"], default="qdq")
    p.add_argument("--ops", default="Conv,Gemm", help="op types to quantize (comma-separated)")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    crops = np.fromfile(a.calib, dtype="<f4").reshape(-1, 1, a.px, a.px)
    tmp = a.out / "grader.fp32.tmp.onnx"
    fp32(a.grader, tmp)
    dst = a.out / "grader.onnx"
    quantize_static(str(tmp), str(dst), Crops(crops), quant_format=QuantFormat.QDQ if a.format == "qdq" else QuantFormat.QOperator, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    calibrate_method=CalibrationMethod.MinMax, op_types_to_quantize=a.ops.split(","),
                    extra_options={"ActivationSymmetric": False, "WeightSymmetric": True})
    tmp.unlink()
    src_meta = {q.key: q.value for q in onnx.load(str(a.grader), load_external_data=False).metadata_props}
    m = onnx.load(str(dst))
    del m.metadata_props[:]
    for k, v in src_meta.items():
        if k == "version":
            v = v + "-int8static"
        onnx.helper.set_model_props(m, {**{q.key: q.value for q in m.metadata_props}, k: v})
    onnx.helper.set_model_props(m, {**{q.key: q.value for q in m.metadata_props},
                                    "quantization": f"static int8, {a.format} format, ops {a.ops} (onnxruntime"
                                                    f" {ort.__version__} quantize_static, MinMax on {len(crops)}"
                                                    f" phantom crops)"})
    onnx.save(m, str(dst))
    print(f"wrote {dst} ({dst.stat().st_size / 1e6:.1f} MB) from {len(crops)} calibration crops")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
