"""The crop contract (model/crop-contract.json) in numpy, matching org.hipoa.core.crop exactly.

Why hand-written: what a model learnt on must be what Java feeds it. Java's Resampler/Normaliser are the reference;
every rounding step below (float32 bilinear results summed in float64, truncation, clamping, nearest-rank
percentiles) mirrors a line there. Image coordinates are millimetres with pixel (r, c) centred at
(c * columnMm, r * rowMm).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "model" / "crop-contract.json"


@dataclass(frozen=True)
class Contract:
    version: int
    grader_crop_mm: float
    grader_output_px: int
    mirror_left: bool
    localiser_mm_per_px: float
    localiser_width_px: int
    localiser_height_px: int
    low_quantile: float
    high_quantile: float
    centre: float
    scale: float
    raw: dict

    @property
    def grader_step_mm(self) -> float:
        return self.grader_crop_mm / self.grader_output_px


def load(path: str | os.PathLike | None = None) -> Contract:
    """The contract at `path`, else $HIPOA_CONTRACT, else the repository's model/crop-contract.json."""
    path = Path(path or os.environ.get("HIPOA_CONTRACT") or DEFAULT_PATH)
    n = json.loads(path.read_text())
    g, l, z = n["grader"], n["localiser"], n["normalisation"]
    if g["mirrorSide"] not in ("left", "none"):
        raise ValueError(f"mirrorSide {g['mirrorSide']}")
    return Contract(int(n["version"]), float(g["cropMm"]), int(g["outputPx"]), g["mirrorSide"] == "left",
                    float(l["mmPerPx"]), int(l["widthPx"]), int(l["heightPx"]), float(z["lowQuantile"]),
                    float(z["highQuantile"]), float(z["centre"]), float(z["scale"]), n)


def bilinear(pixels: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Resampler.bilinear, vectorised: x, y in source pixels, clamped to the image; float32 result like Java."""
    rows, cols = pixels.shape
    x = np.clip(x, 0, cols - 1)
    y = np.clip(y, 0, rows - 1)
    x0 = np.minimum(x.astype(np.int64), cols - 2)  # (int) truncates; x >= 0 here so it is floor
    y0 = np.minimum(y.astype(np.int64), rows - 2)
    fx, fy = x - x0, y - y0
    p = pixels.astype(np.float64, copy=False)
    top = p[y0, x0] * (1 - fx) + p[y0, x0 + 1] * fx
    bottom = p[y0 + 1, x0] * (1 - fx) + p[y0 + 1, x0 + 1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def sample(pixels: np.ndarray, row_mm: float, col_mm: float, x0_mm: float, y0_mm: float, step_mm: float,
           width: int, height: int, sx: int = 1, outside: float = float("nan")) -> np.ndarray:
    """Resampler.sample: width x height box-filtered bilinear samples centred at (x0, y0) mm; sx=-1 mirrors.
    Output pixels whose centre lies outside the image get `outside` (NaN: clamp to the edge instead)."""
    pixels = np.asarray(pixels, dtype=np.float32)
    if pixels.shape[0] < 2 or pixels.shape[1] < 2:
        raise ValueError("image must be at least 2 x 2")
    rows, cols = pixels.shape
    k = max(1, int(math.ceil(step_mm / min(col_mm, row_mm) - 1e-9)))
    yc = y0_mm + (np.arange(height) + 0.5 - height / 2.0) * step_mm
    xc = x0_mm + (np.arange(width) + 0.5 - width / 2.0) * step_mm * sx
    yc, xc = np.meshgrid(yc, xc, indexing="ij")
    total = np.zeros((height, width), dtype=np.float64)
    for a in range(k):  # same summation order as Java (a outer, b inner) so float64 sums agree bit for bit
        y = (yc + ((a + 0.5) / k - 0.5) * step_mm) / row_mm
        for b in range(k):
            x = (xc + ((b + 0.5) / k - 0.5) * step_mm * sx) / col_mm
            total += bilinear(pixels, x, y)
    out = (total / (k * k)).astype(np.float32)
    if not math.isnan(outside):
        px, py = xc / col_mm, yc / row_mm
        out[(px < -0.5) | (py < -0.5) | (px > cols - 0.5) | (py > rows - 0.5)] = outside
    return out


def percentile(sorted_values: np.ndarray, q: float) -> float:
    """Nearest rank: index floor(q * (n - 1)) of the sorted values (contract; Java Normaliser)."""
    return float(sorted_values[int(math.floor(q * (len(sorted_values) - 1)))])


def normalise(values: np.ndarray, reference: np.ndarray, c: Contract) -> np.ndarray:
    """Normaliser.apply: percentile scaling from `reference`, then (v - centre) / scale; float32 out."""
    s = np.sort(np.asarray(reference, dtype=np.float32).ravel())
    lo, hi = percentile(s, c.low_quantile), percentile(s, c.high_quantile)
    rng = max(hi - lo, 1e-6)
    v = np.asarray(values, dtype=np.float32).astype(np.float64)
    return (((v - lo) / rng - c.centre) / c.scale).astype(np.float32)


def hip_crop(pixels: np.ndarray, row_mm: float, col_mm: float, side: str, centre_x_mm: float, centre_y_mm: float,
             c: Contract) -> np.ndarray:
    """HipCropper.crop: the grader input (outputPx x outputPx float32) around a femoral head centre in image mm;
    the patient's left hip is mirrored into right orientation when the contract says so."""
    if side not in ("right", "left"):
        raise ValueError(f"side must be right or left, not {side!r}")
    n = c.grader_output_px
    sx = -1 if side == "left" and c.mirror_left else 1
    crop = sample(pixels, row_mm, col_mm, centre_x_mm, centre_y_mm, c.grader_step_mm, n, n, sx)
    return normalise(crop, crop, c)


@dataclass(frozen=True)
class Canvas:
    """LocaliserInput: the film on the fixed localiser canvas and the canvas -> image-mm mapping."""
    pixels: np.ndarray
    origin_x_mm: float
    origin_y_mm: float
    mm_per_px: float

    def to_image_mm(self, column: float, row: float) -> tuple[float, float]:
        h, w = self.pixels.shape
        return (self.origin_x_mm + (column + 0.5 - w / 2.0) * self.mm_per_px,
                self.origin_y_mm + (row + 0.5 - h / 2.0) * self.mm_per_px)

    def to_canvas_px(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        h, w = self.pixels.shape
        return ((x_mm - self.origin_x_mm) / self.mm_per_px - 0.5 + w / 2.0,
                (y_mm - self.origin_y_mm) / self.mm_per_px - 0.5 + h / 2.0)


def localiser_canvas(pixels: np.ndarray, row_mm: float, col_mm: float, c: Contract) -> Canvas:
    """LocaliserInput.of: canvas centred on the film centre; outside the film = the film's low percentile."""
    rows, cols = np.shape(pixels)
    cx, cy = (cols - 1) * col_mm / 2, (rows - 1) * row_mm / 2
    canvas = sample(pixels, row_mm, col_mm, cx, cy, c.localiser_mm_per_px, c.localiser_width_px,
                    c.localiser_height_px, 1, float("-inf"))
    inside = canvas != -np.inf
    film = canvas[inside] if inside.any() else np.zeros(1, np.float32)  # Java: new float[max(inside, 1)]
    low = percentile(np.sort(film), c.low_quantile)
    canvas[~inside] = low
    return Canvas(normalise(canvas, film, c), cx, cy, c.localiser_mm_per_px)
