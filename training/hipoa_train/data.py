"""Datasets: phantom crops and films (the .npy shards + jsonl written by `hipoa phantom-train-data`), and a
real-data manifest (CSV of DICOM paths and grades) cropped with the same contract code that Java uses.

Every item carries a group key (one per radiograph) so that both hips of an image land in the same split."""
from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset, WeightedRandomSampler

from . import contract as contract_mod
from . import dicom_io

TASKS = ("fo", "ao", "jsn", "sclerosis", "cysts")
NUM_CLASSES = {"fo": 4, "ao": 4, "jsn": 4, "sclerosis": 2, "cysts": 2}
# What a phantom v2 hip line may carry beside the reader's grades (tools/phantom/README.md, "Phantom v2").
V2_KEYS = ("truth", "severity", "readerP", "reader", "site", "hardware")


def _unreadable_errors():
    errors = [ValueError, OSError, RuntimeError, NotImplementedError, AttributeError, KeyError, EOFError]
    try:
        from pydicom.errors import InvalidDicomError
        errors.append(InvalidDicomError)
    except ImportError:  # pydicom is only needed for manifests
        pass
    return tuple(errors)


# What decoding or cropping a real radiograph raises for a file it cannot use: not a DICOM, truncated, an unsupported
# transfer syntax or photometric interpretation, a required attribute missing, a centre outside the image.
UNREADABLE = _unreadable_errors()


def _jsonl(path: Path) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _content_key(rec: dict) -> str:
    """What a phantom line says about its film, not where it is stored (shard, row, index): the same seed and image
    number give the same key in any folder or crop size. A v2 hip is known by its severities (drawn per film), so the
    crop jitter does not enter; a v1 hip has only its grades and jitter (random doubles) to tell it apart."""
    drop = {"shard", "row", "index"} | ({"jitterXmm", "jitterYmm"} if "severity" in rec else set())
    return json.dumps({k: v for k, v in rec.items() if k not in drop}, sort_keys=True)


def _labels(rec: dict) -> list[int]:
    out = []
    for t in TASKS:
        v = rec[t]
        v = int(str(v).strip().lower() in ("1", "true", "yes")) if NUM_CLASSES[t] == 2 else int(v)
        if not 0 <= v < NUM_CLASSES[t]:
            raise ValueError(f"{t}={rec[t]!r} out of range")
        out.append(v)
    return out


class _Shards:
    """Lazily memory-mapped .npy shards: opened on first use in each process, so DataLoader workers re-open."""

    def __init__(self):
        self._open: dict[str, np.ndarray] = {}

    def row(self, path: str, row: int) -> np.ndarray:
        arr = self._open.get(path)
        if arr is None:
            arr = self._open[path] = np.load(path, mmap_mode="r")
        return np.array(arr[row], dtype=np.float32)

    def __getstate__(self):
        return {"_open": {}}


class PhantomCrops(Dataset):
    """Grader items (image [1,S,S] float32 as stored — already normalised and mirrored — and labels [5] long)
    from one or more phantom-train-data directories."""

    def __init__(self, dirs):
        self.items, self._shards = [], _Shards()
        self.v2: list[dict | None] = []  # per item: the v2 keys of its line (truth, severity, ...), None for v1
        self.hardware: list[tuple] = []  # v2 hips with hardware: (group, side, kind); no grades, never graded
        self.hardware_rows: list[tuple[str, int]] = []  # their crops (shard, row), for the gradability head only
        self.keys: list[str] = []
        for d_i, d in enumerate(map(Path, dirs)):
            for rec in _jsonl(d / "hips.jsonl"):
                group = (d_i, int(rec["index"]))
                if rec.get("gradable") is False:
                    self.hardware.append((group, rec["side"], rec.get("hardware") or "unknown"))
                    self.hardware_rows.append((str(d / rec["shard"]), int(rec["row"])))
                    continue
                self.items.append((str(d / rec["shard"]), int(rec["row"]), group, _labels(rec), rec["side"]))
                self.keys.append(_content_key(rec))
                self.v2.append({k: rec[k] for k in V2_KEYS if k in rec} if "gradable" in rec else None)
        if not self.items:
            raise ValueError(f"no hips in {dirs}")
        self.crop_px = int(np.load(self.items[0][0], mmap_mode="r").shape[-1])

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, row, _, labels, _ = self.items[i]
        return torch.from_numpy(self._shards.row(path, row))[None], torch.tensor(labels, dtype=torch.long)

    def groups(self):
        return [it[2] for it in self.items]

    def hardware_crop(self, i) -> torch.Tensor:
        """The stored crop [1,S,S] of the i-th hardware hip (as __getitem__ gives a gradable one)."""
        path, row = self.hardware_rows[i]
        return torch.from_numpy(self._shards.row(path, row))[None]

    def item_keys(self):
        return list(self.keys)

    def labels(self) -> np.ndarray:
        return np.array([it[3] for it in self.items], dtype=np.int64)

    def v2_labels(self) -> list[dict] | None:
        """Per item its phantom v2 keys (truth, severity, and readerP/reader/site where the line has them); None
        unless every hip is a v2 hip."""
        return None if not self.v2 or any(v is None for v in self.v2) else list(self.v2)

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """All crops (float16 [N,1,S,S], as stored) and labels [N,5], shard by shard: for training on a GPU, where
        per-item loading would starve the device."""
        x = torch.empty((len(self.items), 1, self.crop_px, self.crop_px), dtype=torch.float16)
        by_shard: dict[str, list[tuple[int, int]]] = {}
        for i, (path, row, *_rest) in enumerate(self.items):
            by_shard.setdefault(path, []).append((i, row))
        for path, pairs in by_shard.items():
            arr = np.load(path)
            idx, rows = zip(*pairs)
            x[list(idx), 0] = torch.from_numpy(np.ascontiguousarray(arr[list(rows)], dtype=np.float16))
        return x, torch.from_numpy(self.labels())


class TensorBatches:
    """(x float32, y) batches drawn from tensors already on the training device — shuffled, or weighted (class-balanced)
    with replacement — so a GPU never waits for a data loader."""

    def __init__(self, x, y, indices, batch: int, shuffle: bool, gen: torch.Generator, weights=None,
                 drop_last: bool = True):
        self.x, self.y, self.batch, self.shuffle, self.gen = x, y, batch, shuffle, gen
        self.indices = torch.as_tensor(list(indices), dtype=torch.long)
        self.weights = None if weights is None else torch.as_tensor(weights, dtype=torch.double)
        self.drop_last = drop_last and len(self.indices) > batch

    def __len__(self):
        n = len(self.indices)
        return n // self.batch if self.drop_last else -(-n // self.batch)

    def __iter__(self):
        n = len(self.indices)
        if self.weights is not None:
            order = self.indices[torch.multinomial(self.weights, n, replacement=True, generator=self.gen)]
        elif self.shuffle:
            order = self.indices[torch.randperm(n, generator=self.gen)]
        else:
            order = self.indices
        for b in range(len(self)):
            ix = order[b * self.batch:(b + 1) * self.batch].to(self.x.device)
            yield self.x[ix].float(), self.y[ix]


class PhantomFilms(Dataset):
    """Localiser items: canvas [1,H,W] float32 and head centres [2,2] (right then left; x=column, y=row, px)."""

    def __init__(self, dirs):
        self.items, self._shards, self.keys = [], _Shards(), []
        for d_i, d in enumerate(map(Path, dirs)):
            for rec in _jsonl(d / "films.jsonl"):
                self.items.append((str(d / rec["shard"]), int(rec["row"]), (d_i, int(rec["index"])),
                                   [rec["right"], rec["left"]], float(rec.get("mmPerPx", 2.0))))
                self.keys.append(_content_key(rec))
        if not self.items:
            raise ValueError(f"no films in {dirs}")

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, row, _, coords, _ = self.items[i]
        return torch.from_numpy(self._shards.row(path, row))[None], torch.tensor(coords, dtype=torch.float32)

    def groups(self):
        return [it[2] for it in self.items]

    def item_keys(self):
        return list(self.keys)

    def mm_per_px(self) -> float:
        return self.items[0][4]


def _manifest_rows(path) -> list[dict]:
    """Manifest rows with `image` resolved relative to the CSV's folder."""
    base = Path(path).resolve().parent
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["image"] = str(Path(os.path.expanduser(r["image"].strip())) if os.path.isabs(r["image"].strip())
                         else base / r["image"].strip())
        r["side"] = r["side"].strip().lower()
    return rows


def _centre(row: dict):
    x, y = (row.get("center_x_mm") or "").strip(), (row.get("center_y_mm") or "").strip()
    return (float(x), float(y)) if x and y else None


class ManifestHips(Dataset):
    """Real radiographs: CSV columns image, side (right|left), fo, ao, jsn, sclerosis, cysts, and optionally
    center_x_mm, center_y_mm (femoral head centre in image mm: x = column * spacing, pixel centres at integers).
    Rows without a centre need `centre_fn(radiograph, side) -> (x_mm, y_mm)` (e.g. a trained localiser).
    Crops are cached in memory after the first decode (160x160 float32 = 100 kB per hip)."""

    def __init__(self, manifests, contract=None, centre_fn=None, cache=True):
        self.contract = contract or contract_mod.load()
        self.centre_fn, self.cache = centre_fn, ({} if cache else None)
        self.rows = [r for m in manifests for r in _manifest_rows(m)]
        for r in self.rows:
            if r["side"] not in ("right", "left"):
                raise ValueError(f"side must be right|left: {r}")
            r["labels"] = _labels(r)
            if _centre(r) is None and centre_fn is None:
                raise ValueError(f"{r['image']}: no center_x_mm/center_y_mm and no localiser given")
        self.crop_px = self.contract.grader_output_px

    def __len__(self):
        return len(self.rows)

    def crop(self, i) -> np.ndarray:
        if self.cache is not None and i in self.cache:
            return self.cache[i]
        r = self.rows[i]
        rad = dicom_io.read(r["image"])
        cx, cy = _centre(r) or self.centre_fn(rad, r["side"])
        out = contract_mod.hip_crop(rad.pixels, rad.row_mm, rad.col_mm, r["side"], cx, cy, self.contract)
        if self.cache is not None:
            self.cache[i] = out
        return out

    def __getitem__(self, i):
        return torch.from_numpy(self.crop(i))[None], torch.tensor(self.rows[i]["labels"], dtype=torch.long)

    def unreadable(self, indices=None) -> dict[int, str]:
        """{index: reason} for the hips whose image cannot be decoded or cropped (each image is decoded once here;
        with the cache on, the crops of the rest are kept for prediction). Evaluation counts these as rejected."""
        out = {}
        for i in range(len(self)) if indices is None else indices:
            try:
                self.crop(i)
            except UNREADABLE as e:
                out[i] = f"{type(e).__name__}: {e}"
        return out

    def groups(self):
        return [r["image"] for r in self.rows]

    def item_keys(self):
        # the file name, not the folder: the same radiograph is the same film on another machine
        return [f"{Path(r['image']).name}:{r['side']}" for r in self.rows]

    def labels(self) -> np.ndarray:
        return np.array([r["labels"] for r in self.rows], dtype=np.int64)


class ManifestFilms(Dataset):
    """Localiser training on real films: images from a manifest that gives centres for BOTH hips."""

    def __init__(self, manifests, contract=None):
        self.contract = contract or contract_mod.load()
        by_image: dict[str, dict] = {}
        for r in (r for m in manifests for r in _manifest_rows(m)):
            if _centre(r) is not None:
                by_image.setdefault(r["image"], {})[r["side"]] = _centre(r)
        self.images = [(k, v) for k, v in by_image.items() if "right" in v and "left" in v]
        if not self.images:
            raise ValueError("no image in the manifest has centres for both hips")

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        path, centres = self.images[i]
        rad = dicom_io.read(path)
        canvas = contract_mod.localiser_canvas(rad.pixels, rad.row_mm, rad.col_mm, self.contract)
        coords = [canvas.to_canvas_px(*centres[s]) for s in ("right", "left")]
        return torch.from_numpy(canvas.pixels)[None], torch.tensor(coords, dtype=torch.float32)

    def groups(self):
        return [p for p, _ in self.images]

    def item_keys(self):
        return [Path(p).name for p, _ in self.images]

    def mm_per_px(self) -> float:
        return self.contract.localiser_mm_per_px


def splits(groups, val_fraction: float, seed: int, test_fraction: float = 0.0):
    """(train, val, test) indices, whole radiographs to one side; deterministic for a seed. The test split is held
    out of training and of the epoch choice (which uses val), so a figure reported on it is a test result; with
    test_fraction 0 the train/val split is the one older checkpoints were trained with."""
    keys = sorted(set(groups), key=str)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(keys))
    n_test = int(round(test_fraction * len(keys)))
    if test_fraction > 0 and len(keys) > 2:
        n_test = min(max(n_test, 1), len(keys) - 2)
    n_val = int(round(val_fraction * len(keys)))
    if val_fraction > 0 and len(keys) - n_test > 1:
        n_val = min(max(n_val, 1), len(keys) - n_test - 1)
    # val first: with no test split this is exactly the earlier two-way split
    val_keys = {keys[i] for i in order[:n_val]}
    test_keys = {keys[i] for i in order[n_val:n_val + n_test]}
    train = [i for i, g in enumerate(groups) if g not in val_keys and g not in test_keys]
    val = [i for i, g in enumerate(groups) if g in val_keys]
    test = [i for i, g in enumerate(groups) if g in test_keys]
    return train, val, test


def film_fingerprints(ds, indices) -> set[str]:
    """One short digest per radiograph among `indices`, from what its items are (item_keys), not where they are
    stored. Checkpoints keep those of the films they trained and validated on, so evaluation can count how many films
    of any set the checkpoint has seen, whatever folder or seed they were regenerated into."""
    groups, keys = ds.groups(), ds.item_keys()
    by_film: dict = {}
    for i in indices:
        by_film.setdefault(groups[i], []).append(keys[i])
    return {hashlib.sha1("|".join(sorted(v)).encode()).hexdigest()[:16] for v in by_film.values()}


def unreadable_hips(ds, indices) -> dict[int, str]:
    """{index: reason} among `indices` of a grader dataset for the manifest hips whose image cannot be read (phantom
    crops are always there)."""
    parts = ds.datasets if isinstance(ds, _Concat) else [ds]
    wanted, out, offset = set(indices), {}, 0
    for d in parts:
        if isinstance(d, ManifestHips):
            local = [i - offset for i in range(offset, offset + len(d)) if i in wanted]
            out.update({offset + i: r for i, r in d.unreadable(local).items()})
        offset += len(d)
    return out


def split(groups, val_fraction: float, seed: int, test_fraction: float = 0.0):
    """(train indices, val indices), whole radiographs to one side; the test split (if any) is in neither."""
    train, val, _ = splits(groups, val_fraction, seed, test_fraction)
    return train, val


def balanced_sampler(labels: np.ndarray, task: str = "all", seed: int = 0) -> WeightedRandomSampler:
    """Sample hips inversely to the frequency of their grade: for one task, or averaged over all five, so rare
    severe grades and cysts are seen as often as the common ones. Length = one epoch of the subset."""
    cols = range(len(TASKS)) if task == "all" else [TASKS.index(task)]
    w = np.zeros(len(labels))
    for c in cols:
        counts = np.bincount(labels[:, c], minlength=NUM_CLASSES[TASKS[c]]).astype(float)
        w += 1.0 / np.maximum(counts[labels[:, c]], 1)
    g = torch.Generator().manual_seed(seed)
    return WeightedRandomSampler(torch.as_tensor(w / w.sum(), dtype=torch.double), len(labels), True, generator=g)


def grader_dataset(dirs=(), manifests=(), contract=None, centre_fn=None):
    """Phantom dirs and/or manifests as one dataset with .groups() and .labels()."""
    parts = ([PhantomCrops(dirs)] if dirs else []) + ([ManifestHips(manifests, contract, centre_fn)] if manifests else [])
    if not parts:
        raise ValueError("give --data DIR and/or --manifest CSV")
    return parts[0] if len(parts) == 1 else _Concat(parts)


def localiser_dataset(dirs=(), manifests=(), contract=None):
    parts = ([PhantomFilms(dirs)] if dirs else []) + ([ManifestFilms(manifests, contract)] if manifests else [])
    if not parts:
        raise ValueError("give --data DIR and/or --manifest CSV")
    return parts[0] if len(parts) == 1 else _Concat(parts)


class _Concat(torch.utils.data.ConcatDataset):
    def groups(self):
        return [(k, g) for k, d in enumerate(self.datasets) for g in d.groups()]

    def item_keys(self):
        return [key for d in self.datasets for key in d.item_keys()]

    def labels(self):
        return np.concatenate([d.labels() for d in self.datasets])

    def v2_labels(self):
        parts = [getattr(d, "v2_labels", lambda: None)() for d in self.datasets]
        return None if any(p is None for p in parts) else [v for p in parts for v in p]

    @property
    def hardware(self):
        return [((k, g), side, kind) for k, d in enumerate(self.datasets) for g, side, kind in getattr(d, "hardware", [])]

    def mm_per_px(self):
        return self.datasets[0].mm_per_px()

    @property
    def crop_px(self):
        sizes = {d.crop_px for d in self.datasets}
        if len(sizes) != 1:
            raise ValueError(f"datasets disagree on crop size: {sizes}")
        return sizes.pop()
