"""What both trainers share: seeding, threads, the time budget, checkpoints and the epoch loop bookkeeping."""
from __future__ import annotations

import json
import os
import random
import subprocess
import time
from pathlib import Path

import numpy as np
import torch


def setup(seed: int, threads: int) -> torch.Generator:
    """Fixed seeds everywhere; an explicit thread count (torch defaults to one thread on this machine)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, threads))
    return torch.Generator().manual_seed(seed)


def device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def autocast(dev: torch.device):
    """bf16 autocast on a GPU (Hopper/Ampere run it at full rate with fp32's range: no loss scaling needed); a no-op
    on the CPU, where the shipped configuration trains in fp32."""
    return torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda")


class Budget:
    """Wall-clock budget: `exhausted(reserve)` is true once elapsed + reserve seconds would pass the limit, so
    training stops early enough to validate and checkpoint inside it."""

    def __init__(self, max_minutes: float | None):
        self.start, self.limit = time.monotonic(), (max_minutes * 60 if max_minutes else None)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def exhausted(self, reserve: float = 0.0) -> bool:
        return self.limit is not None and self.elapsed() + reserve >= self.limit


def save(path: Path, obj: dict) -> None:
    """Atomic: write beside, then rename, so an interrupted save never leaves a truncated checkpoint."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def load(path) -> dict:
    # Our own checkpoints hold metadata (args, contract) beside tensors; torch >= 2.6 would refuse them by default.
    return torch.load(path, map_location="cpu", weights_only=False)


def resume_path(resume: str | None, out: Path) -> Path | None:
    """--resume PATH, or --resume auto (out/last.pt if it exists)."""
    if not resume:
        return None
    p = out / "last.pt" if resume == "auto" else Path(resume)
    if resume == "auto" and not p.exists():
        return None
    if not p.exists():
        raise FileNotFoundError(p)
    return p


def rng_state(gen: torch.Generator) -> dict:
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate(),
            "gen": gen.get_state()}


def set_rng_state(s: dict, gen: torch.Generator) -> None:
    torch.set_rng_state(s["torch"])
    np.random.set_state(s["numpy"])
    random.setstate(s["python"])
    gen.set_state(s["gen"])


def log_history(out: Path, row: dict) -> None:
    with open(out / "history.jsonl", "a") as f:
        f.write(json.dumps(row) + "\n")


def git_commit() -> str:
    try:
        root = Path(__file__).resolve().parents[2]
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
