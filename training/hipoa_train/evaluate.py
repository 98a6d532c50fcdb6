"""Evaluation: per-feature accuracy, Cohen's kappa (plain, linear, quadratic) with bootstrap 95 % CIs over hips,
confusion matrices; for the localiser, centre error in mm (median, p95) with bootstrap CIs over films. JSON out.

  python3 -m hipoa_train.evaluate --checkpoint runs/grader/best.pt --data /tmp/td200 --split val --out eval.json
  python3 -m hipoa_train.evaluate --checkpoint runs/loc/best.pt --data /tmp/td200 --split val
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from tqdm import tqdm

from . import common, compact, contract as contract_mod, data, metrics
from .models import Localiser, MultitaskGrader


@torch.no_grad()
def predict_grader(model, loader, input_px=None, progress=False):
    """(logits per task [N,K] arrays, labels [N,5]) in loader order."""
    model.eval()
    dev = next(model.parameters()).device
    outs, labels = [[] for _ in data.TASKS], []
    for x, y in tqdm(loader, desc="predict", leave=False, disable=not progress):
        x = resize(x.to(dev), input_px)
        with common.autocast(dev):
            logits_per_task = model(x)
        for o, logits in zip(outs, logits_per_task):
            o.append(logits.float().cpu().numpy())
        labels.append(y.cpu().numpy())
    return [np.concatenate(o) for o in outs], np.concatenate(labels)


def resize(x, input_px):
    """Only when a config asks for another input size than the data has (e.g. --config paper on 160 px crops);
    a stopgap for smoke runs — real paper-config training needs 224 px crops from the contract."""
    if input_px and x.shape[-1] != input_px:
        x = F.interpolate(x, size=(input_px, input_px), mode="bilinear", align_corners=False)
    return x


def grader_report(logits, labels, reps=0, seed=0) -> dict:
    per = {}
    for i, t in enumerate(data.TASKS):
        k = data.NUM_CLASSES[t]
        y, p = labels[:, i], logits[i].argmax(1)
        m = metrics.task_metrics(y, p, k)
        if reps:
            m["ci95"] = {
                "accuracy": metrics.bootstrap_ci(lambda ix: float((y[ix] == p[ix]).mean()), len(y), reps, seed),
                **{name: metrics.bootstrap_ci(
                    lambda ix, w=w: metrics.kappa_from_confusion(metrics.confusion(y[ix], p[ix], k), w),
                    len(y), reps, seed) for name, w in (("kappa", None), ("kappa_linear", "linear"),
                                                        ("kappa_quadratic", "quadratic"))}}
        per[t] = m
    return {"tasks": per, "score": metrics.score(per)}


@torch.no_grad()
def predict_localiser(model, loader, progress=False):
    model.eval()
    pred, true = [], []
    dev = next(model.parameters()).device
    for x, c in tqdm(loader, desc="predict", leave=False, disable=not progress):
        pred.append(model(x.to(dev))[1].float().cpu().numpy())
        true.append(c.numpy())
    return np.concatenate(pred), np.concatenate(true)


def localiser_report(pred, true, mm_per_px, reps=0, seed=0) -> dict:
    err = np.linalg.norm(pred - true, axis=-1) * mm_per_px  # [films, 2 hips] in mm
    flat = err.ravel()
    out = {"n_hips": int(flat.size), "median_mm": float(np.median(flat)), "p95_mm": float(np.quantile(flat, 0.95)),
           "mean_mm": float(flat.mean()), "max_mm": float(flat.max()),
           "median_mm_right": float(np.median(err[:, 0])), "median_mm_left": float(np.median(err[:, 1]))}
    if reps:  # resample films (both hips of a film together)
        out["ci95"] = {"median_mm": metrics.bootstrap_ci(lambda ix: float(np.median(err[ix])), len(err), reps, seed),
                       "p95_mm": metrics.bootstrap_ci(lambda ix: float(np.quantile(err[ix], 0.95)), len(err), reps,
                                                      seed)}
    return out


def load_model(ck: dict):
    if ck["kind"] == "grader":
        m = MultitaskGrader(ck["arch"], ck.get("dropout", 0.2))
    else:
        m = Localiser(ck.get("width", 16))
    m.load_state_dict(compact.state_dict_of(ck))
    return m.eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="best.pt (or last.pt) from train_grader / train_localiser")
    ap.add_argument("--data", action="append", default=[], help="phantom-train-data dir (repeatable)")
    ap.add_argument("--manifest", action="append", default=[], help="real-data CSV manifest (repeatable)")
    ap.add_argument("--contract", help="crop contract JSON (default model/crop-contract.json)")
    ap.add_argument("--split", choices=("val", "train", "all"), default="all",
                    help="val/train: the split the checkpoint was trained with (same seed and val fraction)")
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="write the JSON here (also printed)")
    ap.add_argument("--device", default="auto", help="auto (CUDA when present, else CPU), cpu or cuda")
    a = ap.parse_args(argv)
    common.setup(0, a.threads)
    ck = common.load(a.checkpoint)
    model = load_model(ck).to(common.device(a.device))
    c = contract_mod.load(a.contract)
    if ck["kind"] == "grader":
        ds = data.grader_dataset(a.data, a.manifest, c)
    else:
        ds = data.localiser_dataset(a.data, a.manifest, c)
    idx = list(range(len(ds)))
    if a.split != "all":
        tr, va = data.split(ds.groups(), ck["args"]["val_fraction"], ck["args"]["seed"])
        idx = va if a.split == "val" else tr
    loader = DataLoader(Subset(ds, idx), batch_size=a.batch, shuffle=False)
    if ck["kind"] == "grader":
        logits, labels = predict_grader(model, loader, ck.get("input_px"), progress=True)
        report = grader_report(logits, labels, a.bootstrap)
    else:
        pred, true = predict_localiser(model, loader, progress=True)
        report = localiser_report(pred, true, ds.mm_per_px(), a.bootstrap)
    report.update({"checkpoint": a.checkpoint, "kind": ck["kind"], "split": a.split, "n": len(idx),
                   "epoch": ck.get("epoch")})
    text = json.dumps(report, indent=2)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
