"""Int8 weight storage: per-output-channel symmetric int8 for every convolution and linear weight, everything else
(batch-norm statistics, biases) kept in fp32.

Why: the repo keeps all shipped models under 60 MB, and the paper's DenseNet-161 alone is 107 MB in fp32 (54 MB in
fp16). Int8 weights make it 27 MB. Only the storage is int8: the ONNX graph dequantizes the weights back to fp32
(DequantizeLinear, computed exactly as `dequantize` does here), so every activation stays fp32, PyTorch and ONNX
Runtime agree to fp32 precision on the dequantized model, and any accuracy cost is measured, not assumed."""
from __future__ import annotations

import torch

MIN_NUMEL = 256  # smaller tensors gain nothing from int8


def quantizable(name: str, t: torch.Tensor) -> bool:
    return name.endswith("weight") and t.is_floating_point() and t.dim() >= 2 and t.numel() >= MIN_NUMEL


def quantize(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(int8 values, fp32 scale per output channel) with w ≈ q * scale."""
    w = w.detach().float().cpu()
    amax = w.reshape(w.shape[0], -1).abs().amax(1).clamp_min(1e-12)
    scale = amax / 127.0
    q = torch.round(w / scale.view(-1, *([1] * (w.dim() - 1)))).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return q.float() * scale.view(-1, *([1] * (q.dim() - 1)))


def compact_state_dict(sd: dict) -> dict:
    """{name: tensor} -> {"int8": {name: (q, scale)}, "fp32": {name: tensor}}."""
    out = {"int8": {}, "fp32": {}}
    for k, v in sd.items():
        if quantizable(k, v):
            out["int8"][k] = quantize(v)
        else:
            out["fp32"][k] = v.detach().cpu().float() if v.is_floating_point() else v.detach().cpu()
    return out


def expand_state_dict(c: dict) -> dict:
    """The fp32 state dict the int8 storage stands for (weights dequantized)."""
    sd = {k: dequantize(q, s) for k, (q, s) in c["int8"].items()}
    sd.update(c["fp32"])
    return sd


def compact_checkpoint(ck: dict) -> dict:
    """A checkpoint with int8 weights in place of "model" (optimizer and RNG state dropped: not resumable)."""
    keep = {k: v for k, v in ck.items() if k not in ("model", "optimizer", "scheduler", "rng")}
    return {**keep, "model_int8": compact_state_dict(ck["model"])}


def state_dict_of(ck: dict) -> dict:
    return expand_state_dict(ck["model_int8"]) if "model_int8" in ck else ck["model"]


def main(argv=None) -> int:
    """python3 -m hipoa_train.compact IN.pt OUT.pt — write the int8-weight form of a trained checkpoint."""
    import argparse

    from . import common
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    a = ap.parse_args(argv)
    ck = common.load(a.checkpoint)
    small = compact_checkpoint(ck)
    common.save(__import__("pathlib").Path(a.out), small)
    worst = max(float((expand_state_dict(small["model_int8"])[k] - v.float()).abs().max())
                for k, v in ck["model"].items() if v.is_floating_point())
    print(f"wrote {a.out}: {len(small['model_int8']['int8'])} int8 tensors; max |weight change| {worst:.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
