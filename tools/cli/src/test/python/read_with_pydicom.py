"""Independent reader for HipOA's tests: decode DICOM files with pydicom and write what we compare against.

For each input FILE it writes FILE.pydicom.json (rows, columns, spacing as pydicom reads it, photometric) and
FILE.pydicom.u16 (bone-bright stored values, little-endian uint16, row-major): MONOCHROME1 inverted within
Bits Stored, exactly as HipOA's decoder defines it. Rescale is identity for phantom files (checked, not assumed).
"""
import json
import sys

import numpy as np
import pydicom


def main(paths):
    for path in paths:
        ds = pydicom.dcmread(path)
        pixels = ds.pixel_array.astype(np.int64)
        bits = int(ds.BitsStored)
        slope = float(getattr(ds, "RescaleSlope", 1))
        intercept = float(getattr(ds, "RescaleIntercept", 0))
        if slope != 1 or intercept != 0:
            raise SystemExit(f"{path}: rescale {slope}/{intercept} is not identity; extend this reader")
        if ds.PhotometricInterpretation == "MONOCHROME1":
            pixels = (1 << bits) - 1 - pixels
        if "PixelSpacing" in ds:
            spacing, source = [float(v) for v in ds.PixelSpacing], "PIXEL_SPACING"
        else:
            m = float(ds.EstimatedRadiographicMagnificationFactor)
            spacing = [float(v) / m for v in ds.ImagerPixelSpacing]
            source = "IMAGER_PIXEL_SPACING_MAGNIFICATION_CORRECTED"
        pixels.astype("<u2").tofile(path + ".pydicom.u16")
        with open(path + ".pydicom.json", "w") as f:
            json.dump({"rows": int(ds.Rows), "columns": int(ds.Columns), "spacingMm": spacing,
                       "spacingSource": source, "photometric": ds.PhotometricInterpretation,
                       "transferSyntax": str(ds.file_meta.TransferSyntaxUID)}, f)


if __name__ == "__main__":
    main(sys.argv[1:])
