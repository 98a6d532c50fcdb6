"""Phantom v2's simulated readers, for scoring a model against reader labels exactly: a read is
grade = cut(severity + bias + N(0, sd^2)), so the probability of each grade given a hip's severity (readerP) is
known, and the ceiling -- the best accuracy any model can reach against those labels -- is the mean over gradable
hips of max(readerP).

`phantom-train-data --phantom v2` writes each hip's severity but not its readerP nor which reader labelled it; the
cuts and reader parameters here mirror the phantom's (tools/phantom Disease.CUTS and Reader; see
tools/phantom/README.md "Phantom v2"), and tests/test_java_parity.py checks them against the labels.jsonl the Java
phantom writes (HIPOA_JAVA_TESTS=1). A hip line that carries its own readerP is taken as written."""
from __future__ import annotations

import math

import numpy as np

from .data import NUM_CLASSES, TASKS

# Reference cuts of the severity scale, per feature in TASKS order (Disease.CUTS).
CUTS = {"fo": (0.3578, 0.5626, 0.7331), "ao": (0.2535, 0.5631, 0.7640), "jsn": (0.3254, 0.5651, 0.7319),
        "sclerosis": (0.6628,), "cysts": (0.7756,)}

# name -> (bias, sd) per feature in TASKS order (Reader.A, Reader.B).
READERS = {"A": ((0.0, 0.0, 0.0, 0.0, 0.0), (0.0433, 0.1166, 0.0623, 0.0342, 0.0296)),
           "B": ((0.020, -0.030, 0.020, -0.020, 0.020), (0.0500, 0.1340, 0.0720, 0.1100, 0.1040))}

# Reader A labels the training and internal sets, reader B the external site.
SITE_READER = {"internal": "A", "external": "B"}

_phi = np.vectorize(lambda x: 0.5 * math.erfc(-x / math.sqrt(2.0)), otypes=[np.float64])


def reader_p(task: str, severity, reader: str) -> np.ndarray:
    """[N, K] probability of each grade of `task` from `reader` given each severity (rows sum to 1)."""
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r}; readers are {sorted(READERS)}")
    t = TASKS.index(task)
    bias, sd = READERS[reader][0][t], READERS[reader][1][t]
    s = np.atleast_1d(np.asarray(severity, dtype=np.float64))
    up_to = np.stack([_phi((c - s - bias) / sd) for c in CUTS[task]] + [np.ones_like(s)], axis=1)
    return np.diff(np.concatenate([np.zeros((len(s), 1)), up_to], axis=1), axis=1)


def cut(task: str, severity: float) -> int:
    """The noise-free reference grade of a severity (Disease.cut: strictly above a cut counts)."""
    return sum(severity > c for c in CUTS[task])


def reader_of(rec: dict, site: str | None) -> str:
    """Which reader labelled a hip: its own `reader` or `site` key when the line has one, else the site given on the
    command line; refuses to guess (a wrong reader gives a wrong ceiling without any other sign)."""
    if rec.get("reader"):
        return str(rec["reader"])
    if rec.get("site"):
        return SITE_READER[str(rec["site"])]
    if site is None:
        raise ValueError("phantom v2 hips without readerP and without a site: pass --site internal|external "
                         "(the --site the data was generated with)")
    return SITE_READER[site]


def hip_reader_p(rec: dict, site: str | None) -> list[np.ndarray]:
    """One gradable v2 hip's readerP per task ([K] each): as written in the line, else from its severity."""
    if rec.get("readerP") is not None:
        out = [np.asarray(rec["readerP"][t], dtype=np.float64) for t in TASKS]
    else:
        r = reader_of(rec, site)
        out = [reader_p(t, float(rec["severity"][t]), r)[0] for t in TASKS]
    for t, p in zip(TASKS, out):
        if p.shape != (NUM_CLASSES[t],) or abs(p.sum() - 1) > 1e-4:
            raise ValueError(f"readerP of {t} must be {NUM_CLASSES[t]} probabilities summing to 1, got {p.tolist()}")
    return out
