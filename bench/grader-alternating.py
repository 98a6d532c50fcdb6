"""Grade both hips with several grader files in one process, taking turns, with the product's ONNX Runtime options.

Usage: grader-alternating.py CROPS.f32 [--rounds R] [--px 160] GRADER.onnx...
CROPS.f32: StageBench's crops (bench/peers writes them), little-endian float32, pairs of hips. Per round each file
grades 5 batches of 2 crops; prints, per file, the op types of the graph the session really runs (ORT writes it with
optimized_model_filepath), then wall-clock median / p10 / p90 / min and process CPU per call (first 5 calls dropped),
and how many crops' predicted grade agrees with the first file's. Taking turns in one process is what makes the
files comparable on a shared machine; the absolute figures move with the load (state `uptime` beside them).
Figures only. The models are demonstrations trained on a synthetic phantom; so are the crops.
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort


def session(path: str, optimised: Path) -> ort.InferenceSession:
    # the options OnnxModels gives the product's sessions
    o = ort.SessionOptions()
    o.intra_op_num_threads = 2
    o.inter_op_num_threads = 1
    o.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    o.add_session_config_entry("session.disable_quant_qdq", "1")
    o.add_session_config_entry("session.intra_op.allow_spinning", "0")
    o.optimized_model_filepath = str(optimised)
    return ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])


def main(argv) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("crops", type=Path)
    p.add_argument("graders", nargs="+")
    p.add_argument("--rounds", type=int, default=40)
    p.add_argument("--px", type=int, default=160)
    a = p.parse_args(argv)
    crops = np.fromfile(a.crops, dtype="<f4").reshape(-1, 2, 1, a.px, a.px)
    tmp = Path(tempfile.mkdtemp())
    sessions = []
    for i, g in enumerate(a.graders):
        sessions.append(session(g, tmp / f"{i}.onnx"))
        ops = collections.Counter(n.op_type for n in onnx.load(str(tmp / f"{i}.onnx")).graph.node)
        print(f"{g} session graph: {dict(ops.most_common())}")
    wall = {g: [] for g in a.graders}
    cpu = {g: [] for g in a.graders}
    for r in range(a.rounds):
        for g, s in zip(a.graders, sessions):
            for k in range(5):
                x = crops[(r * 5 + k) % len(crops)]
                t, c = time.perf_counter(), time.process_time()
                s.run(None, {"image": x})
                wall[g].append(time.perf_counter() - t)
                cpu[g].append(time.process_time() - c)
    for g in a.graders:
        v, c = np.array(wall[g][5:]) * 1e3, np.array(cpu[g][5:]) * 1e3
        print(f"{g}: median {np.median(v):.2f} ms, p10 {np.percentile(v, 10):.2f}, p90 {np.percentile(v, 90):.2f},"
              f" min {v.min():.2f}, cpu {np.median(c):.2f} ms per call of 2 hips (n={len(v)})")
    flat = crops.reshape(-1, 1, a.px, a.px)
    outs = [s.run(None, {"image": flat}) for s in sessions]
    heads = [o.name for o in sessions[0].get_outputs() if not o.name.startswith("cam_")]
    for g, o in zip(a.graders[1:], outs[1:]):
        agree = {h: int((x.argmax(1) == y.argmax(1)).sum()) for h, x, y in zip(heads, outs[0], o)}
        print(f"{g}: grade agrees with {a.graders[0]} on {agree} of {len(flat)} crops")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
