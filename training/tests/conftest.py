"""Shared fixtures: the package on sys.path, and tiny fake phantom-train-data folders in the exact on-disk format
(float16 .npy shards + hips.jsonl / films.jsonl), with small images so that tests run in seconds."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def v2_hip(rng, reader: str = "A", hardware: str | None = None) -> dict:
    """A phantom v2 hip line's labels as phantom-train-data writes them: the reader's grades as fo ... cysts, the
    noise-free truth (a cut of the severity) and the severity; a hip with hardware has none of them."""
    from hipoa_train import data, readers
    if hardware:
        return {"gradable": False, "hardware": hardware}
    sev = {t: round(float(rng.uniform(0.1, 0.95)), 4) for t in data.TASKS}
    bias, sd = readers.READERS[reader]
    grades = {t: readers.cut(t, sev[t] + bias[i] + sd[i] * rng.normal()) for i, t in enumerate(data.TASKS)}
    return {"gradable": True, "hardware": None,
            **{t: (bool(g) if data.NUM_CLASSES[t] == 2 else g) for t, g in grades.items()},
            "truth": {t: readers.cut(t, sev[t]) for t in data.TASKS}, "severity": sev}


# The phantom's hardware kinds (tools/phantom), as phantom-train-data writes them.
HARDWARE_KINDS = ("total-hip", "hemiarthroplasty", "resurfacing", "dynamic-hip-screw", "cannulated-screws",
                  "acetabular-screws")


def write_fake_train_data(out: Path, films: int = 12, crop_px: int = 32, hw=(64, 64), shard_size: int = 8,
                          seed: int = 0, phantom: str = "v1", reader: str = "A", hardware_every: int = 0) -> Path:
    """Crops carry a grade-dependent bright blob so a few steps can learn something; films a bright spot at
    each head centre. phantom v2: hip lines as `phantom-train-data --phantom v2` writes them (no readerP, no site),
    every `hardware_every`-th hip with hardware."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    h, w = hw
    yy, xx = np.mgrid[:crop_px, :crop_px]
    fy, fx = np.mgrid[:h, :w]
    with open(out / "hips.jsonl", "w") as hips, open(out / "films.jsonl", "w") as fl:
        for shard, start in enumerate(range(0, films, shard_size)):
            n = min(shard_size, films - start)
            crops = np.zeros((2 * n, crop_px, crop_px), np.float32)
            canv = np.zeros((n, h, w), np.float32)
            for k in range(n):
                index = start + k
                centres = {"right": [w * 0.3 + rng.uniform(-3, 3), h * 0.55 + rng.uniform(-3, 3)],
                           "left": [w * 0.7 + rng.uniform(-3, 3), h * 0.55 + rng.uniform(-3, 3)]}
                for s_i, side in enumerate(("right", "left")):
                    if phantom == "v2":
                        hip_no = 2 * index + s_i
                        kind = (HARDWARE_KINDS[(hip_no // hardware_every) % len(HARDWARE_KINDS)]
                                if hardware_every and hip_no % hardware_every == 0 else None)
                        lab = v2_hip(rng, reader, kind)
                        jsn = lab.get("jsn", 0)
                    else:
                        lab = {t: int(rng.integers(0, 4)) for t in ("fo", "ao", "jsn")}
                        lab.update({t: bool(rng.integers(0, 2)) for t in ("sclerosis", "cysts")})
                        jsn = lab["jsn"]
                    blob = np.exp(-((xx - crop_px / 2) ** 2 + (yy - crop_px / 2) ** 2) / (2 * (2 + 2 * jsn) ** 2))
                    crops[2 * k + s_i] = (blob - 0.5) / 0.25 + rng.normal(0, 0.1, blob.shape)
                    if phantom == "v2" and lab.get("gradable") is False:  # metal saturates: a white bar
                        crops[2 * k + s_i, crop_px // 3:crop_px // 3 + 4, :] = 4.0
                    hips.write(json.dumps({"shard": f"crops-{shard:05d}.npy", "row": 2 * k + s_i, "index": index,
                                           "side": side, **lab, "jitterXmm": 0.0, "jitterYmm": 0.0}) + "\n")
                    cx, cy = centres[side]
                    canv[k] += np.exp(-((fx - cx) ** 2 + (fy - cy) ** 2) / (2 * 3.0 ** 2))
                canv[k] = (canv[k] - 0.5) / 0.25
                fl.write(json.dumps({"shard": f"films-{shard:05d}.npy", "row": k, "index": index,
                                     "right": centres["right"], "left": centres["left"], "mmPerPx": 2.0}) + "\n")
            np.save(out / f"crops-{shard:05d}.npy", crops.astype(np.float16))
            np.save(out / f"films-{shard:05d}.npy", canv.astype(np.float16))
    return out


@pytest.fixture(scope="session")
def fake_data(tmp_path_factory) -> Path:
    return write_fake_train_data(tmp_path_factory.mktemp("td"))
