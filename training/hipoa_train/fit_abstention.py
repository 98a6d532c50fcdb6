"""What lets the product refuse a hip and state calibrated probabilities, fitted on a trained grader without
changing its grades (issue 19):

  python3 -m hipoa_train.fit_abstention --checkpoint runs/grader/best.pt --data DIR --out runs/grader/abstain.pt

- a gradability head (gradable / arthroplasty / hardware): a linear layer on the grader's frozen features, trained on
  the phantom v2 hips with hardware (train split) against gradable hips, class-balanced;
  with `--processing-copies K`, K more copies of each hip with hardware and of up to 1,000 gradable ones, each through
  another site's film processing (augment.ProcessingAugment), so that a site that sharpens or remaps its films does
  not hide the metal from the head;
- an out-of-distribution distance: squared Mahalanobis distance in the top k principal components of the training
  hips' features, divided by k (about 1 in distribution), with its threshold at the (1 - rate) quantile of the validation hips' distances, so that about
  `--ood-false-abstain` of in-distribution hips are refused;
- one temperature per feature, fitted on the validation hips' logits against their reader grades (temperature
  scaling, Guo et al. 2017): argmax, so the grades, is unchanged.

The splits are the training run's own (its seed, val and test fractions): nothing here is fitted on the test split or
on films the grader trained on for anything it is judged on. Frozen features: the five grade outputs of the exported
model stay the grader's, bit for bit.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import common, data
from .augment import ProcessingAugment
from .evaluate import load_model, resize
from .models import GRADABILITY_CLASSES, AbstainingGrader

# Phantom hardware kinds (tools/phantom HardwareKind) -> the product's reason. A joint replacement or resurfacing has
# no joint left to grade; fixation across the joint region hides it.
ARTHROPLASTY = {"total-hip", "hemiarthroplasty", "resurfacing"}
HARDWARE = {"dynamic-hip-screw", "cannulated-screws", "acetabular-screws"}


def gradability_class(kind: str) -> int:
    if kind in ARTHROPLASTY:
        return GRADABILITY_CLASSES.index("arthroplasty")
    if kind in HARDWARE:
        return GRADABILITY_CLASSES.index("hardware")
    raise ValueError(f"unknown hardware kind {kind!r}")


@torch.no_grad()
def features_and_logits(model, crops, input_px, batch=64):
    """Frozen features [N,width] and logits per task of `crops` (an iterable of [1,S,S] tensors)."""
    feats, logits = [], [[] for _ in data.TASKS]
    crops = list(crops)
    for s in range(0, len(crops), batch):
        x = resize(torch.stack(crops[s:s + batch]), input_px)
        f = model.embed(x)
        feats.append(f.numpy())
        for o, t in zip(logits, data.TASKS):
            o.append(model.heads[t](f).numpy())
    return np.concatenate(feats), [np.concatenate(o) for o in logits]


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T > 0 minimising the NLL of softmax(logits / T) (LBFGS on log T)."""
    z, y = torch.from_numpy(logits).double(), torch.from_numpy(labels).long()
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(z / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    t = float(log_t.exp())
    if not np.isfinite(t) or t <= 0:
        raise ValueError(f"temperature fit failed: {t}")
    return t


def ece(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error of the top class, equal-width confidence bins (Guo et al. 2017)."""
    conf, pred = probs.max(1), probs.argmax(1)
    hit = (pred == labels).astype(np.float64)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    return float(sum(abs(hit[idx == b].mean() - conf[idx == b].mean()) * (idx == b).mean()
                     for b in range(bins) if (idx == b).any()))


def fit_gradability(x: np.ndarray, y: np.ndarray, weight_decay: float, seed: int):
    """Multinomial logistic regression on standardised features, class-balanced; returned as (W, b) on the raw
    features, so the export is one Linear layer."""
    mu, sd = x.mean(0), x.std(0) + 1e-6
    xs = torch.from_numpy((x - mu) / sd).float()
    yt = torch.from_numpy(y).long()
    counts = np.bincount(y, minlength=len(GRADABILITY_CLASSES)).astype(np.float64)
    w = torch.tensor(np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / len(counts), 0.0)).float()
    torch.manual_seed(seed)
    lin = torch.nn.Linear(x.shape[1], len(GRADABILITY_CLASSES))
    opt = torch.optim.LBFGS(lin.parameters(), lr=0.5, max_iter=500, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(lin(xs), yt, weight=w) + weight_decay * (lin.weight ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    W = lin.weight.detach().numpy() / sd[None, :]
    b = lin.bias.detach().numpy() - W @ mu
    return W.astype(np.float32), b.astype(np.float32)


def fit_ood(train_feats: np.ndarray, k: int):
    """Mean and whitened projection ([k, width]) of the top-k principal components."""
    mu = train_feats.mean(0)
    cov = np.cov(train_feats - mu, rowvar=False)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1][:k]
    proj = (vecs[:, order] / np.sqrt(np.maximum(vals[order], 1e-8))).T
    return mu.astype(np.float32), proj.astype(np.float32)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="a trained grader checkpoint (train_grader's best.pt)")
    ap.add_argument("--data", action="append", required=True, help="the phantom v2 training-data dir(s) it used")
    ap.add_argument("--out", required=True)
    ap.add_argument("--train-sample", type=int, default=2500,
                    help="gradable training hips used (features are extracted for these only: CPU time)")
    ap.add_argument("--ood-components", type=int, default=32)
    ap.add_argument("--ood-false-abstain", type=float, default=0.005,
                    help="share of validation hips the OOD threshold refuses")
    ap.add_argument("--weight-decay", type=float, default=1e-3)
    ap.add_argument("--processing-copies", type=int, default=0,
                    help="extra copies of the gradability head's training hips through other sites' film processing")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    if not 0 < a.ood_false_abstain < 0.5:
        sys.exit("--ood-false-abstain must lie in (0, 0.5)")
    common.setup(0, a.threads)
    ck = common.load(a.checkpoint)
    if ck.get("kind") != "grader":
        sys.exit(f"{a.checkpoint} is not a grader checkpoint")
    args = ck.get("args", {})
    ds = data.PhantomCrops(a.data)
    if not ds.hardware:
        sys.exit("no hips with hardware in the data: the gradability head needs phantom v2 training data")
    train_idx, val_idx, _test = data.splits(ds.groups(), args.get("val_fraction", 0.15), args.get("seed", 0),
                                            args.get("test_fraction", 0.0))
    val_groups, train_groups = {ds.groups()[i] for i in val_idx}, {ds.groups()[i] for i in train_idx}
    rng = np.random.default_rng(0)
    train_pick = sorted(rng.choice(train_idx, size=min(a.train_sample, len(train_idx)), replace=False).tolist())
    hw_train = [i for i, (g, _, _) in enumerate(ds.hardware) if g in train_groups]
    hw_val = [i for i, (g, _, _) in enumerate(ds.hardware) if g in val_groups]
    print(f"features: {len(train_pick)} gradable training hips, {len(val_idx)} validation hips, "
          f"{len(hw_train)} + {len(hw_val)} hips with hardware (train + val)")

    model = load_model(ck)
    px = ck["input_px"]
    f_tr, _ = features_and_logits(model, (ds[i][0] for i in train_pick), px)
    f_val, lg_val = features_and_logits(model, (ds[i][0] for i in val_idx), px)
    f_hw, _ = features_and_logits(model, (ds.hardware_crop(i) for i in hw_train + hw_val), px)
    f_hw_tr, f_hw_val = f_hw[:len(hw_train)], f_hw[len(hw_train):]
    y_hw = np.array([gradability_class(ds.hardware[i][2]) for i in hw_train + hw_val], dtype=np.int64)
    y_val = ds.labels()[val_idx]

    # Temperatures: per feature, on validation logits against the reader's grades.
    temps, cal = {}, {}
    for i, t in enumerate(data.TASKS):
        temps[t] = fit_temperature(lg_val[i], y_val[:, i])
        before = ece(torch.softmax(torch.from_numpy(lg_val[i]), 1).numpy(), y_val[:, i])
        after = ece(torch.softmax(torch.from_numpy(lg_val[i] / temps[t]), 1).numpy(), y_val[:, i])
        cal[t] = {"temperature": round(temps[t], 4), "ece_val_before": round(before, 4),
                  "ece_val_after": round(after, 4)}
        print(f"{t:10s} T {temps[t]:.3f}  ECE(val) {before:.4f} -> {after:.4f}")

    # Gradability head.
    x_head = [f_tr, f_hw_tr]
    y_head = [np.zeros(len(f_tr), np.int64), y_hw[:len(hw_train)]]
    if a.processing_copies > 0:
        processing, gen = ProcessingAugment(), torch.Generator().manual_seed(1)
        some = train_pick[:1000]
        for _ in range(a.processing_copies):
            for crops, y in (([ds[i][0] for i in some], np.zeros(len(some), np.int64)),
                             ([ds.hardware_crop(i) for i in hw_train], y_hw[:len(hw_train)])):
                shown = processing(torch.stack(crops), gen)
                x_head.append(features_and_logits(model, shown, px)[0])
                y_head.append(y)
    W, b = fit_gradability(np.concatenate(x_head), np.concatenate(y_head), a.weight_decay, 0)

    def predict(f):
        return (f @ W.T + b).argmax(1)

    pv, ph = predict(f_val), predict(f_hw_val)
    grad_report = {
        "val_gradable_refused": int((pv != 0).sum()), "val_gradable": len(pv),
        "val_hardware_caught": int((ph != 0).sum()), "val_hardware": len(ph),
        "val_hardware_reason_right": int((ph == y_hw[len(hw_train):]).sum()),
        "train_hardware_caught": int((predict(f_hw_tr) != 0).sum()), "train_hardware": len(hw_train),
        "processing_copies": a.processing_copies}
    print("gradability:", json.dumps(grad_report))

    # Out-of-distribution distance.
    mu, proj = fit_ood(f_tr, a.ood_components)

    def dist(f):
        z = (f - mu) @ proj.T
        return (z * z).mean(1)

    d_val = dist(f_val)
    threshold = float(np.quantile(d_val, 1 - a.ood_false_abstain))
    ood_report = {"components": a.ood_components, "false_abstain_target": a.ood_false_abstain,
                  "threshold": round(threshold, 3), "val_refused": int((d_val > threshold).sum()),
                  "val_median": round(float(np.median(d_val)), 3),
                  "hardware_val_over_threshold": int((dist(f_hw_val) > threshold).sum())}
    print("ood:", json.dumps(ood_report))

    out = dict(ck)
    out["abstention"] = {
        "classes": list(GRADABILITY_CLASSES), "gradability_weight": torch.from_numpy(W),
        "gradability_bias": torch.from_numpy(b), "ood_mean": torch.from_numpy(mu),
        "ood_projection": torch.from_numpy(proj), "ood_threshold": threshold,
        "ood_false_abstain": a.ood_false_abstain, "temperature": temps,
        "report": {"calibration": cal, "gradability": grad_report, "ood": ood_report,
                   "source_checkpoint": str(a.checkpoint)}}
    common.save(Path(a.out), out)
    print(f"wrote {a.out}")
    return 0


def abstaining_model(ck: dict) -> AbstainingGrader:
    """The exportable grader with its abstention outputs, from a checkpoint fit_abstention wrote."""
    ab = ck["abstention"]
    grader = load_model({k: v for k, v in ck.items() if k != "abstention"})
    m = AbstainingGrader(grader, ab["gradability_weight"].shape[1], ab["ood_projection"].shape[0])
    with torch.no_grad():
        m.gradability.weight.copy_(ab["gradability_weight"])
        m.gradability.bias.copy_(ab["gradability_bias"])
        m.ood_mean.copy_(ab["ood_mean"])
        m.ood_projection.copy_(ab["ood_projection"])
    return m.eval()


if __name__ == "__main__":
    sys.exit(main())
