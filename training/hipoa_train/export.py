"""ONNX export (opset 17, dynamic batch) of a grader or localiser checkpoint, with metadata and the reference
files the Java parity test reads:

  python3 -m hipoa_train.export --checkpoint runs/grader/best.pt --data /tmp/td200 --out model/grader.onnx
  python3 -m hipoa_train.export --checkpoint runs/localiser/best.pt --data /tmp/td200 --out model/localiser.onnx

Writes OUT, OUT.reference-input.npy (float32, a few real inputs from --data, else seeded noise) and
OUT.reference-output.json ({output name: fp32 PyTorch values}); Java must match them within 1e-3.
If onnxruntime is installed the export is checked here too and the max |difference| printed."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from . import common, compact, contract as contract_mod, data
from .evaluate import load_model

GRADER_OUTPUTS = list(data.TASKS)
ABSTENTION_OUTPUTS = ["gradability", "ood_distance"]  # a checkpoint from fit_abstention adds these
LOCALISER_OUTPUTS = ["heatmaps", "coords"]
GRADE_LABELS = {"fo": ["none", "mild", "moderate", "severe"], "ao": ["none", "mild", "moderate", "severe"],
                "jsn": ["none", "mild", "moderate", "severe"], "sclerosis": ["absent", "present"],
                "cysts": ["absent", "present"]}
TRAINING_DATA = "synthetic AP-pelvis phantom only — not for clinical use"


def reference_input(ck, data_dirs, n, seed=0) -> np.ndarray:
    """A few real model inputs (first items of the data), so parity is checked on realistic values."""
    if ck["kind"] == "grader":
        shape = (1, ck["input_px"], ck["input_px"])
        ds = data.PhantomCrops(data_dirs) if data_dirs else None
    else:
        shape = (1, *ck["input_hw"])
        ds = data.PhantomFilms(data_dirs) if data_dirs else None
    if ds is not None and tuple(ds[0][0].shape) == shape:
        return np.stack([ds[i][0].numpy() for i in range(min(n, len(ds)))]).astype(np.float32)
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(np.float32)


def metadata(ck, name, version, contract) -> dict:
    norm = {**contract.get("normalisation", {}),
            "rule": contract.get("grader" if ck["kind"] == "grader" else "localiser", {}).get("normalisation")}
    if ck["kind"] == "grader":
        size, mm = [ck["input_px"], ck["input_px"]], contract["grader"]["cropMm"] / ck["input_px"]
        arch = f"{ck['arch']} multitask (fo, ao, jsn: 4 logits; sclerosis, cysts: 2 logits)"
        labels = GRADE_LABELS
    else:
        size, mm = ck["input_hw"], ck["mm_per_px"]
        arch = f"U-Net-lite localiser width {ck['width']}, soft-argmax; coords [N,2,2] canvas px (x,y; right,left)"
        labels = {}
    return {"name": name, "version": version, "architecture": arch, "inputSize": json.dumps(size),
            "mmPerPx": repr(float(mm)), "normalisation": json.dumps(norm), "gradeLabels": json.dumps(labels),
            "trainingData": TRAINING_DATA, "sourceCommit": common.git_commit(),
            "contractVersion": str(contract.get("version")), "epoch": str(ck.get("epoch")),
            **abstention_metadata(ck)}


def abstention_metadata(ck) -> dict:
    """What the product needs besides the graph to refuse a hip and calibrate (functions/core HipGrader reads these):
    per-feature temperatures, the OOD threshold and the gradability classes in output order."""
    ab = ck.get("abstention")
    if not ab:
        return {}
    return {"temperature": json.dumps({t: round(float(ab["temperature"][t]), 6) for t in data.TASKS}),
            "oodThreshold": repr(float(ab["ood_threshold"])), "oodFalseAbstain": repr(float(ab["ood_false_abstain"])),
            "gradabilityClasses": json.dumps(list(ab["classes"]))}


def export(ck, out: Path, x: np.ndarray, name: str, version: str) -> dict:
    import onnx

    if "abstention" in ck:
        from .fit_abstention import abstaining_model
        model, names = abstaining_model(ck), GRADER_OUTPUTS + ABSTENTION_OUTPUTS
    else:
        model = load_model(ck)
        names = GRADER_OUTPUTS if ck["kind"] == "grader" else LOCALISER_OUTPUTS
    xt = torch.from_numpy(x)
    with torch.no_grad():
        ref = [o.float().numpy() for o in model(xt)]
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (xt,), str(out), input_names=["image"], output_names=names, opset_version=17,
                      dynamic_axes={"image": {0: "batch"}, **{n: {0: "batch"} for n in names}},
                      do_constant_folding=True,
                      # Int8 storage needs the weights as trained: EVAL mode would fold each batch norm into the
                      # convolution before it, changing the weights (ONNX Runtime fuses them itself at load).
                      training=torch.onnx.TrainingMode.PRESERVE if "model_int8" in ck else torch.onnx.TrainingMode.EVAL)
    m = onnx.load(str(out))
    if "model_int8" in ck:
        int8 = ck["model_int8"]["int8"]
        if "abstention" in ck:  # the wrapper holds the grader as its `grader` submodule
            int8 = {f"grader.{k}": v for k, v in int8.items()}
        print(f"int8 weights: {int8_initializers(m, int8)} tensors stored as int8")
    for k, v in metadata(ck, name, version, ck["contract"]).items():
        m.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
    onnx.checker.check_model(m)
    onnx.save(m, str(out))
    np.save(f"{out}.reference-input.npy", x)
    with open(f"{out}.reference-output.json", "w") as f:
        json.dump({"input": Path(f"{out}.reference-input.npy").name, "tolerance": 1e-3,
                   "outputs": {n: r.tolist() for n, r in zip(names, ref)}}, f)
    return dict(zip(names, ref))


def int8_initializers(m, int8: dict) -> int:
    """Store each weight that the checkpoint holds as int8 as int8 in the graph too, behind a DequantizeLinear
    (per output channel, zero point 0) that restores exactly the fp32 values PyTorch used. Initializers the exporter
    renamed or changed (e.g. a convolution fused with the batch norm after it) stay fp32."""
    from onnx import helper, numpy_helper

    graph, done = m.graph, 0
    for init in list(graph.initializer):
        if init.name not in int8:
            continue
        q, scale = int8[init.name]
        if not np.array_equal(numpy_helper.to_array(init), compact.dequantize(q, scale).numpy()):
            continue
        base = init.name
        graph.initializer.remove(init)
        graph.initializer.extend([numpy_helper.from_array(q.numpy(), base + "_int8"),
                                  numpy_helper.from_array(scale.numpy().astype(np.float32), base + "_scale"),
                                  numpy_helper.from_array(np.zeros(q.shape[0], np.int8), base + "_zero")])
        graph.node.insert(0, helper.make_node("DequantizeLinear", [base + "_int8", base + "_scale", base + "_zero"],
                                              [base], axis=0, name=base + "_dequantize"))
        done += 1
    return done


def check_onnxruntime(path: Path, x: np.ndarray, ref: dict) -> float | None:
    """Max |ONNX Runtime - PyTorch| over all outputs, or None when onnxruntime is not installed."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(list(ref), {"image": x})
    return max(float(np.abs(g - r).max()) for g, r in zip(got, ref.values()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True, help="ONNX file to write")
    ap.add_argument("--data", action="append", default=[], help="phantom dir for the reference inputs")
    ap.add_argument("--reference-count", type=int, default=4)
    ap.add_argument("--name", help="default hipoa-grader / hipoa-localiser")
    ap.add_argument("--model-version", default="0.1.0-phantom")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    common.setup(0, a.threads)
    ck = common.load(a.checkpoint)
    x = reference_input(ck, a.data, a.reference_count)
    out = Path(a.out)
    ref = export(ck, out, x, a.name or f"hipoa-{ck['kind']}", a.model_version)
    diff = check_onnxruntime(out, x, ref)
    print(f"wrote {out} (+ .reference-input.npy, .reference-output.json); "
          + ("onnxruntime not installed: not checked" if diff is None else f"max |onnxruntime - torch| = {diff:.3g}"))
    if diff is not None and diff > 1e-3:
        print("parity FAILED (> 1e-3)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
