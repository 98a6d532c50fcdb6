"""The epoch loop both trainers use: tqdm progress, a wall-clock budget that stops cleanly (validate, checkpoint,
exit 0), a checkpoint every epoch (model + optimizer + scheduler + epoch + best score + RNG) that --resume
continues from, and best-by-validation weights kept separately (best.pt)."""
from __future__ import annotations

import math
import time
from pathlib import Path

import torch
from tqdm import tqdm

from . import common


def add_loop_args(ap, epochs=10, batch=16, lr=1e-3):
    ap.add_argument("--data", action="append", default=[], help="phantom-train-data dir (repeatable)")
    ap.add_argument("--manifest", action="append", default=[], help="real-data CSV manifest (repeatable)")
    ap.add_argument("--contract", help="crop contract JSON (default: model/crop-contract.json)")
    ap.add_argument("--val-fraction", type=float, default=0.15,
                    help="share of radiographs held out to choose the epoch (best.pt)")
    ap.add_argument("--test-fraction", type=float, default=0.0,
                    help="share of radiographs held out of training and of the epoch choice, for "
                         "`evaluate --split test` (default 0: test on an independent set, e.g. a fresh seed)")
    ap.add_argument("--epochs", type=int, default=epochs)
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--lr", type=float, default=lr)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--max-minutes", type=float, help="wall-clock budget: stop, validate and checkpoint inside it")
    ap.add_argument("--fit-budget", action="store_true",
                    help="with --max-minutes: after the first epoch, cut --epochs to what fits and anneal over those")
    ap.add_argument("--max-steps", type=int, help="stop after this many optimizer steps in total (smoke tests)")
    ap.add_argument("--resume", help="checkpoint to continue from, or 'auto' for OUT/last.pt if present")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2, help="torch threads (torch uses 1 by default here)")
    ap.add_argument("--workers", type=int, default=0, help="DataLoader workers (0: load in the main process)")
    ap.add_argument("--device", default="auto", help="auto (CUDA when present, else CPU), cpu, cuda or cuda:N")
    ap.add_argument("--out", required=True, help="output folder: last.pt, best.pt, history.jsonl")


def fit(a, model, opt, train_loader, step, validate, meta: dict, gen: torch.Generator) -> dict:
    """step(batch) -> loss tensor (already backpropagated-ready); validate() -> (score, metrics) with higher
    score better. meta goes into every checkpoint (architecture, input size, contract, args)."""
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(a.epochs, 1))
    budget = common.Budget(a.max_minutes)
    start_epoch, best, steps = 0, -math.inf, 0
    rp = common.resume_path(a.resume, out)
    if rp:
        ck = common.load(rp)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        start_epoch, best, steps = ck["epoch"], ck["best_score"], ck.get("steps", 0)
        common.set_rng_state(ck["rng"], gen)
        print(f"resumed {rp}: {start_epoch} epochs done, best score {best:.4f}")
    val_seconds = None
    result = {"epochs_done": start_epoch, "best_score": best, "stopped": None}
    for epoch in range(start_epoch, a.epochs):
        if epoch >= a.epochs:  # --fit-budget shortened the run
            break
        model.train()
        t0, n_batches, loss_sum, stop = time.monotonic(), 0, 0.0, None
        warm_batches, t_warm = max(1, len(train_loader) // 5), None  # the first batches carry CUDA/cuDNN warm-up
        bar = tqdm(train_loader, desc=f"epoch {epoch + 1}/{a.epochs}", leave=False, dynamic_ncols=True)
        for batch in bar:
            # Reserve time for validation + checkpoint: measured last epoch, else guessed from the train speed.
            per_batch = (time.monotonic() - t0) / max(n_batches, 1)
            reserve = val_seconds if val_seconds is not None else 5 + per_batch * a.val_batches / 3
            if n_batches and budget.exhausted(reserve):
                stop = "time budget"
                break
            if a.max_steps is not None and steps >= a.max_steps:
                stop = "max steps"
                break
            loss = step(batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            steps, n_batches, loss_sum = steps + 1, n_batches + 1, loss_sum + float(loss)
            if n_batches == warm_batches:
                t_warm = time.monotonic()
            bar.set_postfix(loss=f"{loss_sum / n_batches:.4f}")
        bar.close()
        train_seconds = time.monotonic() - t0
        complete = stop is None
        if complete and epoch == start_epoch and getattr(a, "fit_budget", False) and a.max_minutes:
            # Fit the run to the wall-clock budget: as many epochs as the first one says will fit, with the cosine
            # schedule stretched over exactly those, so the learning rate has annealed when time runs out.
            # Speed from the batches after warm-up: the first epoch's total would under-count what fits by ~2x on a GPU.
            steady = ((time.monotonic() - t_warm) / max(n_batches - warm_batches, 1) * n_batches
                      if t_warm is not None and n_batches > warm_batches else train_seconds)
            per_epoch = steady + 5 + steady * a.val_batches / max(n_batches, 1) / 3
            fit = max(epoch + 1, min(a.epochs, int((a.max_minutes * 60 - budget.elapsed()) / per_epoch) + epoch + 1))
            if fit != a.epochs:
                print(f"fit to budget: {fit} epochs of ~{per_epoch:.0f} s", flush=True)
                a.epochs = fit
                sched.T_max = fit
        if complete:
            sched.step()
        t1 = time.monotonic()
        score, val_metrics = validate()
        val_seconds = time.monotonic() - t1 + 2
        done = epoch + 1 if complete else epoch  # a cut-short epoch is run again (from these weights) on resume
        row = {"epoch": epoch + 1, "complete": complete, "steps": steps, "train_loss": loss_sum / max(n_batches, 1),
               "train_items_per_s": n_batches * a.batch / max(train_seconds, 1e-9), "val_score": score,
               "val": val_metrics, "lr": opt.param_groups[0]["lr"], "elapsed_s": budget.elapsed()}
        if score > best or not math.isfinite(best):
            best = score
            common.save(out / "best.pt", {**meta, "model": model.state_dict(), "epoch": epoch + 1, "score": score,
                                          "metrics": val_metrics})
        common.save(out / "last.pt", {**meta, "model": model.state_dict(), "optimizer": opt.state_dict(),
                                      "scheduler": sched.state_dict(), "epoch": done, "steps": steps,
                                      "best_score": best, "rng": common.rng_state(gen)})
        common.log_history(out, row)
        print(f"epoch {epoch + 1}: loss {row['train_loss']:.4f}, {row['train_items_per_s']:.1f} items/s, "
              f"val score {score:.4f} (best {best:.4f}){'' if complete else f' — stopped: {stop}'}", flush=True)
        result = {"epochs_done": done, "best_score": best, "stopped": stop, "last": row}
        if stop:
            break
    return result
