"""Train the multitask hip OA grader (fo, ao, jsn 0-3; sclerosis, cysts yes/no) on phantom shards and/or a
real-data manifest.

  python3 -m hipoa_train.train_grader --config cpu --data /tmp/td200 --epochs 5 --max-minutes 30 --out runs/grader
  python3 -m hipoa_train.train_grader --config paper --manifest oai.csv --out runs/paper   # GPU; 224 px crops

Configs: cpu = densenet121 on the crops as the contract makes them (160 px); paper = densenet161 at 224 px as in
von Schacky et al. (needs a contract with outputPx 224, or --allow-resize for a smoke run)."""
from __future__ import annotations

import argparse
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset

from . import common, contract as contract_mod, data, loop
from .augment import GraderAugment, ProcessingAugment
from .evaluate import grader_report, predict_grader, resize
from .models import ARCHS, MultitaskGrader, load_init

CONFIGS = {"cpu": {"arch": "densenet121", "input_px": None}, "paper": {"arch": "densenet161", "input_px": 224}}


def parse_weights(text: str) -> dict:
    w = {t: 1.0 for t in data.TASKS}
    for part in filter(None, (text or "").split(",")):
        k, v = part.split("=")
        if k.strip() not in w:
            raise ValueError(f"unknown task {k!r}; tasks are {data.TASKS}")
        w[k.strip()] = float(v)
    return w


def localiser_centre_fn(path: str, c):
    """Centres for manifest rows without them, from a trained localiser checkpoint (canvas px -> image mm)."""
    from .evaluate import load_model
    model = load_model(common.load(path))

    def centre(rad, side):
        canvas = contract_mod.localiser_canvas(rad.pixels, rad.row_mm, rad.col_mm, c)
        with torch.no_grad():
            xy = model(torch.from_numpy(canvas.pixels)[None, None])[1][0, 0 if side == "right" else 1]
        return canvas.to_image_mm(float(xy[0]), float(xy[1]))
    return centre


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    loop.add_loop_args(ap, epochs=10, batch=16, lr=1e-3)
    ap.add_argument("--config", choices=CONFIGS, default="cpu")
    ap.add_argument("--arch", choices=ARCHS, help="override the config's architecture")
    ap.add_argument("--input-px", type=int, help="override the config's input size (must match the crops)")
    ap.add_argument("--allow-resize", action="store_true", help="resize crops to --input-px (smoke runs only)")
    ap.add_argument("--loss-weights", default="", help="e.g. 'fo=1,ao=1,jsn=2,sclerosis=1,cysts=0.5' (default 1)")
    ap.add_argument("--balanced", action="store_true", help="class-balanced sampling of training hips")
    ap.add_argument("--balance-task", default="all", choices=("all",) + data.TASKS)
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--processing-augment", action="store_true",
                    help="also vary the film processing another site would apply (sigmoid LUT, unsharp masking; "
                         "augment.ProcessingAugment), for a model that must hold up at sites it never saw")
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--init-checkpoint", help="local state dict / checkpoint to start from (never downloaded)")
    ap.add_argument("--localiser", help="localiser checkpoint for manifest rows without center_x_mm/center_y_mm")
    a = ap.parse_args(argv)
    cfg = dict(CONFIGS[a.config])
    a.arch = a.arch or cfg["arch"]
    a.input_px = a.input_px or cfg["input_px"]

    gen = common.setup(a.seed, a.threads)
    c = contract_mod.load(a.contract)
    ds = data.grader_dataset(a.data, a.manifest, c, localiser_centre_fn(a.localiser, c) if a.localiser else None)
    if a.input_px and a.input_px != ds.crop_px and not a.allow_resize:
        sys.exit(f"config '{a.config}' wants {a.input_px} px input but the crops are {ds.crop_px} px: regenerate "
                 f"them with a contract of outputPx {a.input_px} (Java and Python together), or --allow-resize")
    input_px = a.input_px or ds.crop_px
    train_idx, val_idx, test_idx = data.splits(ds.groups(), a.val_fraction, a.seed, a.test_fraction)
    labels = ds.labels()
    print(f"{len(ds)} hips: {len(train_idx)} train, {len(val_idx)} val, {len(test_idx)} test (held out); "
          f"{a.arch} at {input_px} px; "
          f"{torch.get_num_threads()} threads; device {common.device(a.device)}")
    dev = common.device(a.device)
    sampler = data.balanced_sampler(labels[train_idx], a.balance_task, a.seed) if a.balanced else None
    if dev.type == "cuda" and isinstance(ds, data.PhantomCrops):
        x_all, y_all = (t.to(dev) for t in ds.tensors())
        train_loader = data.TensorBatches(x_all, y_all, train_idx, a.batch, True, gen,
                                          weights=None if sampler is None else sampler.weights)
        val_loader = data.TensorBatches(x_all, y_all, val_idx, a.batch * 2, False, gen, drop_last=False)
    else:
        train_loader = DataLoader(Subset(ds, train_idx), batch_size=a.batch, shuffle=sampler is None, sampler=sampler,
                                  drop_last=len(train_idx) > a.batch, num_workers=a.workers, generator=gen)
        val_loader = DataLoader(Subset(ds, val_idx), batch_size=a.batch * 2, shuffle=False, num_workers=a.workers)
    a.val_batches = len(val_loader)

    model = MultitaskGrader(a.arch, a.dropout)
    if a.init_checkpoint:
        load_init(model, a.init_checkpoint)
    model = model.to(dev)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed input size: let cuDNN pick the fastest kernels once
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    weights = parse_weights(a.loss_weights)
    augment = None if a.no_augment else GraderAugment(centre=c.centre, norm_scale=c.scale)
    processing = ProcessingAugment(centre=c.centre, norm_scale=c.scale) if a.processing_augment else None

    def step(batch):
        x, y = batch
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        if processing:
            x = processing(x, gen)
        if augment:
            x = augment(x, gen)
        with common.autocast(dev):
            logits = model(resize(x, a.input_px))
        # Multitask loss: weighted sum of the per-task cross-entropies (von Schacky et al.).
        return sum(weights[t] * F.cross_entropy(lg.float(), y[:, i])
                   for i, (t, lg) in enumerate(zip(data.TASKS, logits)))

    def validate():
        if not val_idx:
            return float("nan"), {}
        logits, y = predict_grader(model, val_loader, a.input_px)
        r = grader_report(logits, y)
        r["loss"] = float(sum(weights[t] * F.cross_entropy(torch.from_numpy(lg), torch.from_numpy(y[:, i])).item()
                              for i, (t, lg) in enumerate(zip(data.TASKS, logits))))
        return r["score"], r

    meta = {"kind": "grader", "arch": a.arch, "dropout": a.dropout, "input_px": input_px, "crop_px": ds.crop_px,
            "tasks": list(data.TASKS), "num_classes": dict(data.NUM_CLASSES), "contract": c.raw,
            "source_commit": common.git_commit(), "args": vars(a),
            "seen_films": sorted(data.film_fingerprints(ds, train_idx + val_idx))}
    result = loop.fit(a, model, opt, train_loader, step, validate, meta, gen)
    print(f"done: {result['epochs_done']} epochs, best val score {result['best_score']:.4f}"
          + (f", stopped early ({result['stopped']})" if result["stopped"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
