"""Reading a radiograph with pydicom the way Java's RadiographDecoder does, for the real-data (manifest) path:
Modality LUT / Rescale applied, MONOCHROME1 inverted within the Bits Stored range (bone bright), and pixel spacing
in the same order of trust as SpacingReader."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ASSUMED_SPACING_MM = 0.15  # Java DecodeLimits.DEFAULT.assumedSpacingMm


@dataclass(frozen=True)
class Radiograph:
    pixels: np.ndarray  # float32 rows x columns, bone bright
    row_mm: float
    col_mm: float
    spacing_source: str


def _modality_lut():
    try:  # pydicom >= 3
        from pydicom.pixels import apply_modality_lut
    except ImportError:  # pydicom 2.x
        from pydicom.pixel_data_handlers.util import apply_modality_lut
    return apply_modality_lut


def _pair(ds, keyword):
    """Both values positive and plausible, else None: a malformed spacing is treated as absent (as in Java)."""
    try:
        v = ds.get(keyword)
        if v is None or len(v) < 2:
            return None
        a, b = float(v[0]), float(v[1])
        return (a, b) if 0.01 < a < 5 and 0.01 < b < 5 else None
    except (TypeError, ValueError):
        return None


def spacing(ds) -> tuple[float, float, str]:
    """(row mm, column mm, source): PixelSpacing; else ImagerPixelSpacing / magnification (1 <= m < 3); else
    ImagerPixelSpacing uncorrected; else the assumed 0.15 mm."""
    p = _pair(ds, "PixelSpacing")
    if p:
        return p[0], p[1], "PIXEL_SPACING"
    imager = _pair(ds, "ImagerPixelSpacing")
    if imager:
        try:
            m = float(ds.get("EstimatedRadiographicMagnificationFactor", float("nan")))
        except (TypeError, ValueError):
            m = float("nan")
        if 1.0 <= m < 3.0:
            return imager[0] / m, imager[1] / m, "IMAGER_PIXEL_SPACING_MAGNIFICATION_CORRECTED"
        return imager[0], imager[1], "IMAGER_PIXEL_SPACING_UNCORRECTED"
    return ASSUMED_SPACING_MM, ASSUMED_SPACING_MM, "ASSUMED"


def read(path) -> Radiograph:
    import pydicom

    ds = pydicom.dcmread(str(path))
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip()
    if int(ds.get("SamplesPerPixel", 1)) != 1 or photometric not in ("MONOCHROME1", "MONOCHROME2"):
        raise ValueError(f"{path}: only grayscale MONOCHROME1/2 radiographs are graded ({photometric})")
    raw = ds.pixel_array
    if raw.ndim != 2:
        raise ValueError(f"{path}: expected a single-frame image, got shape {raw.shape}")
    bits, signed = int(ds.BitsStored), int(ds.get("PixelRepresentation", 0)) == 1
    # Ignore bits above Bits Stored (overlays), sign-extending as Java's PixelTransform does.
    v = raw.astype(np.int64) & ((1 << bits) - 1)
    if signed:
        v = np.where(v & (1 << (bits - 1)), v - (1 << bits), v)
    lut = _modality_lut()
    pixels = np.asarray(lut(v, ds), dtype=np.float64)
    if photometric == "MONOCHROME1":
        lowest, highest = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        ends = np.asarray(lut(np.array([lowest, highest], dtype=np.int64), ds), dtype=np.float64)
        pixels = (ends[0] + ends[1]) - pixels
    row_mm, col_mm, source = spacing(ds)
    return Radiograph(pixels.astype(np.float32), row_mm, col_mm, source)
