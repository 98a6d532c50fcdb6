"""Evaluation, as `./hipoa eval` reports it (tools/cli EvalCommand, Agreement) so both can be read side by side.

Grader, per feature: accuracy with a Wilson 95 % interval, Cohen's kappa (plain, linear, quadratic), the confusion
matrix (rows = reference), and percentile-bootstrap 95 % CIs over films (a film's two hips together). On phantom v2
data the reference is the site's simulated reader; each feature then also reports the same against the noise-free
truth (`vs_truth`), the ceiling (mean over gradable hips of max readerP: the best accuracy any model can reach against
those labels) and accuracy / ceiling; hips with hardware are counted apart and not scored. Manifest hips whose image
cannot be read are rejected: counted by reason, and as misses in each feature's `with_rejected_as_misses`.
Localiser: centre error in mm (median, p95) with bootstrap CIs over films.

Every report says whether its set is held out: the checkpoint lists the films it trained and validated on (by
content, not by folder), and `held_out` is true only when none of the evaluated films is among them.

  python3 -m hipoa_train.evaluate --checkpoint runs/grader/best.pt --data /data/v2-test-int --site internal --out e.json
  python3 -m hipoa_train.evaluate --checkpoint runs/grader/best.pt --data /data/td2000 --split test
  python3 -m hipoa_train.evaluate --checkpoint runs/loc/best.pt --data /data/v2-test-int
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

from . import common, compact, contract as contract_mod, data, metrics, readers
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


def _agreement(y, p, k: int, films, reps: int, seed: int) -> dict:
    """n, accuracy, kappas, confusion, Wilson interval and (reps > 0) film-bootstrap CIs of one reference."""
    m = metrics.task_metrics(y, p, k)
    m["accuracy_wilson95"] = metrics.wilson(int(np.trace(np.asarray(m["confusion"]))), m["n"])
    if reps:
        m["ci95"] = metrics.bootstrap_groups_ci(
            {"accuracy": metrics.accuracy_from_confusion, "kappa": metrics.kappa_from_confusion,
             "kappa_linear": lambda cm: metrics.kappa_from_confusion(cm, "linear"),
             "kappa_quadratic": lambda cm: metrics.kappa_from_confusion(cm, "quadratic")},
            metrics.confusion_by_group(y, p, films, k), reps, seed)
    return m


def _grade(v) -> int:
    return int(v) if not isinstance(v, str) else int(v.strip().lower() in ("1", "true", "yes"))


def grader_report(logits, labels, reps=0, seed=0, films=None, v2=None, site=None, rejected_hips=0) -> dict:
    """Per task: agreement of the predictions (argmax of logits) with `labels` [N,5] (the reference: a phantom v2
    set's reader, or the manifest's grades). films: the radiograph of each hip, for the bootstrap (default: each hip
    its own). v2: per hip its phantom v2 keys (truth, severity, optionally readerP/reader) -> agreement with the truth,
    the ceiling and accuracy / ceiling; site: whose reader, when the lines do not say. rejected_hips: hips with no
    prediction (their image could not be read), each a miss in `with_rejected_as_misses`."""
    n = len(labels)
    films = list(range(n)) if films is None else list(films)
    truth = reader_p = None
    if v2 is not None:
        truth = np.array([[_grade(h["truth"][t]) for t in data.TASKS] for h in v2], dtype=np.int64)
        per_hip = [readers.hip_reader_p(h, site) for h in v2]
        reader_p = [np.array([hp[i] for hp in per_hip]).reshape(n, data.NUM_CLASSES[t])
                    for i, t in enumerate(data.TASKS)]
    per = {}
    for i, t in enumerate(data.TASKS):
        k = data.NUM_CLASSES[t]
        y, p = labels[:, i], logits[i].argmax(1)
        m = _agreement(y, p, k, films, reps, seed)
        hits, total = int((y == p).sum()), n + rejected_hips
        m["with_rejected_as_misses"] = {"n": total, "rejected": rejected_hips,
                                        "accuracy": hits / total if total else float("nan"),
                                        "accuracy_wilson95": metrics.wilson(hits, total)}
        if v2 is not None:
            m["vs_truth"] = _agreement(truth[:, i], p, k, films, reps, seed)
            m["reader_agreement_with_truth"] = float((y == truth[:, i]).mean()) if n else float("nan")
            m["ceiling"] = metrics.ceiling(reader_p[i])
            m["accuracy_over_ceiling"] = m["accuracy"] / m["ceiling"] if n else float("nan")
        per[t] = m
    out = {"tasks": per, "score": metrics.score(per)}
    if v2 is not None:
        out["labels"] = "phantom v2: the site's simulated reader; vs_truth: the noise-free grade"
    if reps:
        out["intervals"] = (f"ci95: percentile bootstrap over {len(set(map(str, films)))} films ({reps} resamples); "
                            "accuracy_wilson95: Wilson score over hips")
    return out


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


def provenance(ck: dict, ds, idx) -> dict:
    """Whether the evaluated films are held out from this checkpoint: none of them trained on, none of them in the
    split that chose its epoch (best.pt)."""
    films = data.film_fingerprints(ds, idx)
    seen = ck.get("seen_films")
    if seen is None:
        return {"films": len(films), "films_seen_in_training": None, "held_out": None,
                "note": "the checkpoint does not list the films it trained on (trained before that was recorded)"}
    n_seen = len(films & set(seen))
    return {"films": len(films), "films_seen_in_training": n_seen, "held_out": n_seen == 0,
            "note": "held out: no film of this set was trained on or chose the epoch" if n_seen == 0 else
            f"NOT a test result: {n_seen} of {len(films)} films were trained on or chose the epoch"}


def select(ck: dict, ds, split: str) -> list[int]:
    """Indices of `split` as the checkpoint's training made it (same seed, fractions); all for 'all'."""
    if split == "all":
        return list(range(len(ds)))
    args = ck["args"]
    test_fraction = args.get("test_fraction", 0.0)
    if split == "test" and not test_fraction:
        raise SystemExit("this checkpoint held out no test split (trained without --test-fraction): evaluate an "
                         "independent set instead, e.g. phantom-train-data with a seed it was not trained on, "
                         "with --split all")
    tr, va, te = data.splits(ds.groups(), args["val_fraction"], args["seed"], test_fraction)
    return {"train": tr, "val": va, "test": te}[split]


def hardware_report(ds, idx, split: str) -> dict | None:
    """Phantom v2 hips with hardware among the evaluated films: not gradable, so not scored, but counted."""
    hw = getattr(ds, "hardware", [])
    if split != "all":
        groups = ds.groups()
        in_split = {groups[i] for i in idx}
        hw = [h for h in hw if h[0] in in_split]
    if not hw:
        return None
    kinds: dict = {}
    for _, _, kind in hw:
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"hips": len(hw), "by_kind": dict(sorted(kinds.items())),
            "note": "not gradable: not scored; the grader alone cannot refuse a hip, `./hipoa eval` reports what "
                    "the product did with them"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="best.pt (or last.pt) from train_grader / train_localiser")
    ap.add_argument("--data", action="append", default=[], help="phantom-train-data dir (repeatable)")
    ap.add_argument("--manifest", action="append", default=[], help="real-data CSV manifest (repeatable)")
    ap.add_argument("--contract", help="crop contract JSON (default model/crop-contract.json)")
    ap.add_argument("--split", choices=("test", "val", "train", "all"), default="all",
                    help="test/val/train: that split as the checkpoint's training made it (same seed and fractions); "
                         "all: every film given (an independent set)")
    ap.add_argument("--site", choices=sorted(readers.SITE_READER),
                    help="phantom v2 data: the --site it was generated with (its reader gives readerP and the "
                         "ceiling), unless its hip lines carry readerP or their reader")
    ap.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples of films (0: none)")
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
    idx = select(ck, ds, a.split)
    origin = provenance(ck, ds, idx)
    if ck["kind"] == "grader":
        rejected = data.unreadable_hips(ds, idx)
        for i, reason in sorted(rejected.items()):
            print(f"rejected: {ds.groups()[i]}: {reason}", file=sys.stderr)
        scored = [i for i in idx if i not in rejected]
        if not scored:
            raise SystemExit(f"no hip of the {len(idx)} selected could be read")
        v2_all = ds.v2_labels() if hasattr(ds, "v2_labels") else None
        v2 = None if v2_all is None else [v2_all[i] for i in scored]
        groups = ds.groups()
        loader = DataLoader(Subset(ds, scored), batch_size=a.batch, shuffle=False)
        logits, labels = predict_grader(model, loader, ck.get("input_px"), progress=True)
        try:
            report = grader_report(logits, labels, a.bootstrap, films=[groups[i] for i in scored], v2=v2,
                                   site=a.site, rejected_hips=len(rejected))
        except ValueError as e:
            raise SystemExit(str(e))
        reasons: dict = {}
        for reason in rejected.values():
            reasons[reason.split(":")[0]] = reasons.get(reason.split(":")[0], 0) + 1
        report["rejected_hips"] = dict(sorted(reasons.items()))
        hw = hardware_report(ds, idx, a.split)
        if hw:
            report["hardware_hips"] = hw
    else:
        loader = DataLoader(Subset(ds, idx), batch_size=a.batch, shuffle=False)
        pred, true = predict_localiser(model, loader, progress=True)
        report = localiser_report(pred, true, ds.mm_per_px(), a.bootstrap)
    report.update({"checkpoint": a.checkpoint, "kind": ck["kind"], "split": a.split, "n": len(idx),
                   "epoch": ck.get("epoch"), "set": origin})
    text = json.dumps(report, indent=2)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
