"""Train the femoral-head localiser (2 heatmaps on the contract's canvas, soft-argmax to sub-pixel centres).

  python3 -m hipoa_train.train_localiser --data /tmp/td200 --epochs 20 --max-minutes 20 --out runs/localiser

Loss = heatmap MSE against Gaussians (sigma ~2 canvas px, relative to the target's energy) + coordinate L1 (px).
The canvas geometry (mm per px, film centre) is fixed by the contract; positional jitter comes from the phantom's
patient variation. `--augment` adds intensity augmentation (augment.FilmAugment: gamma, sigmoid LUT, unsharp masking,
noise), so that another site's image processing does not hide the heads. Best checkpoint = lowest median validation
error (mm)."""
from __future__ import annotations

import argparse
import sys

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset

from . import common, contract as contract_mod, data, loop
from .augment import FilmAugment
from .evaluate import localiser_report, predict_localiser
from .models import Localiser, localiser_loss


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    loop.add_loop_args(ap, epochs=20, batch=16, lr=2e-3)
    ap.add_argument("--width", type=int, default=16, help="channels of the first stage (x2 per stage)")
    ap.add_argument("--sigma-px", type=float, default=2.0, help="Gaussian target sigma, canvas px")
    ap.add_argument("--heat-weight", type=float, default=1.0)
    ap.add_argument("--coord-weight", type=float, default=0.1)
    ap.add_argument("--augment", action="store_true", help="intensity augmentation (augment.FilmAugment)")
    ap.add_argument("--init-checkpoint", help="a localiser checkpoint to start from")
    a = ap.parse_args(argv)

    gen = common.setup(a.seed, a.threads)
    c = contract_mod.load(a.contract)
    ds = data.localiser_dataset(a.data, a.manifest, c)
    train_idx, val_idx, test_idx = data.splits(ds.groups(), a.val_fraction, a.seed, a.test_fraction)
    print(f"{len(ds)} films: {len(train_idx)} train, {len(val_idx)} val, {len(test_idx)} test (held out); "
          f"{torch.get_num_threads()} threads")
    train_loader = DataLoader(Subset(ds, train_idx), batch_size=a.batch, shuffle=True,
                              drop_last=len(train_idx) > a.batch, num_workers=a.workers, generator=gen)
    val_loader = DataLoader(Subset(ds, val_idx), batch_size=a.batch * 2, shuffle=False, num_workers=a.workers)
    a.val_batches = len(val_loader)
    model = Localiser(a.width)
    if a.init_checkpoint:
        from .models import load_init
        load_init(model, a.init_checkpoint)
    augment = FilmAugment() if a.augment else None
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)

    def step(batch):
        x, target = batch
        if augment:
            x = augment(x, gen)
        heat, coords = model(x)
        return localiser_loss(heat, coords, target, a.heat_weight, a.coord_weight, a.sigma_px)

    def validate():
        if not val_idx:
            return float("nan"), {}
        pred, true = predict_localiser(model, val_loader)
        r = localiser_report(pred, true, ds.mm_per_px())
        return -r["median_mm"], r  # higher is better for the loop

    hw = list(ds[0][0].shape[-2:])  # the canvas as the data has it (the contract's 192 x 224 for real use)
    if hw != [c.localiser_height_px, c.localiser_width_px]:
        print(f"warning: canvas {hw} differs from the contract's {[c.localiser_height_px, c.localiser_width_px]}")
    meta = {"kind": "localiser", "width": a.width, "input_hw": hw,
            "mm_per_px": ds.mm_per_px(), "contract": c.raw, "source_commit": common.git_commit(), "args": vars(a),
            "seen_films": sorted(data.film_fingerprints(ds, train_idx + val_idx))}
    result = loop.fit(a, model, opt, train_loader, step, validate, meta, gen)
    print(f"done: {result['epochs_done']} epochs, best val median error {-result['best_score']:.2f} mm"
          + (f", stopped early ({result['stopped']})" if result["stopped"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
