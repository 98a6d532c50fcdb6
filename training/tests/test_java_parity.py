"""End to end against Java (opt-in: HIPOA_JAVA_TESTS=1, needs a JDK and builds the CLI): the phantom's DICOMs,
read and cropped in Python, must equal the crops and canvases Java wrote for training (up to float16 storage)."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hipoa_train import contract as cm, dicom_io

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(os.environ.get("HIPOA_JAVA_TESTS") != "1", reason="set HIPOA_JAVA_TESTS=1")


def close_to_float16(py, stored):
    """Within one float16 step of the stored value: a float32 difference far below float16 precision can still
    land on the other side of a float16 rounding boundary."""
    stored = stored.astype(np.float32)
    return np.all(np.abs(py - stored) <= np.abs(stored) * 2.0 ** -10 + 2.0 ** -14)


def test_python_crops_equal_java_crops(tmp_path):
    for cmd, out in (("phantom", "dcm"), ("phantom-train-data", "td")):
        r = subprocess.run([str(ROOT / "hipoa"), cmd, "--count", "2", "--seed", "7", "--out", str(tmp_path / out)],
                           cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 0, f"./hipoa {cmd} failed:\n{r.stderr[-2000:]}"
    c = cm.load()
    crops = np.load(tmp_path / "td/crops-00000.npy")
    films = np.load(tmp_path / "td/films-00000.npy")
    hips = [json.loads(l) for l in open(tmp_path / "td/hips.jsonl")]
    fl = [json.loads(l) for l in open(tmp_path / "td/films.jsonl")]
    labels = [json.loads(l) for l in open(tmp_path / "dcm/labels.jsonl")]
    for i in range(2):
        r = dicom_io.read(tmp_path / f"dcm/hip{i:05d}.dcm")
        # Java's TrainingSample skips the DICOM round trip and uses the exact spacing; the file's Pixel Spacing is
        # a decimal string rounded to ~6 digits, which alone moves edge samples by up to ~5e-4. Compare like for like.
        s_mm = labels[i]["params"]["pixelSpacingMm"]
        assert abs(r.row_mm - s_mm) < 1e-5 * s_mm
        r = dicom_io.Radiograph(r.pixels, s_mm, s_mm, r.spacing_source)
        canvas = cm.localiser_canvas(r.pixels, r.row_mm, r.col_mm, c)
        assert close_to_float16(canvas.pixels, films[i])
        for s, side in enumerate(("right", "left")):
            h = hips[2 * i + s]
            x, y = canvas.to_image_mm(*fl[i][side])
            crop = cm.hip_crop(r.pixels, r.row_mm, r.col_mm, side, x + h["jitterXmm"], y + h["jitterYmm"], c)
            assert close_to_float16(crop, crops[2 * i + s])


def hipoa(*args, cwd=ROOT):
    r = subprocess.run([str(ROOT / "hipoa"), *args], cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, f"./hipoa {args[0]} failed:\n{r.stderr[-2000:]}"
    return r.stdout


@pytest.mark.parametrize("site", ["internal", "external"])
def test_python_reader_model_and_ceiling_equal_the_phantoms(tmp_path, site):
    """evaluate.py scores phantom-train-data sets, whose hip lines carry the severity but not readerP: readers.py's
    cuts and reader parameters must give the readerP and truth the phantom's labels.jsonl carries, and the ceiling
    over those hips must be `./hipoa ceiling`'s."""
    from hipoa_train import data, metrics, readers

    common = ["--phantom", "v2", "--site", site, "--count", "3", "--seed", "11"]
    hipoa("phantom", *common, "--out", str(tmp_path / "dcm"))
    hipoa("phantom-train-data", *common, "--out", str(tmp_path / "td"))
    labels = [json.loads(l) for l in open(tmp_path / "dcm/labels.jsonl")]
    lines = {(h["index"], h["side"]): h for h in map(json.loads, open(tmp_path / "td/hips.jsonl"))}
    reader_p = {t: [] for t in data.TASKS}
    for i, film in enumerate(labels):
        assert film["reader"] == readers.SITE_READER[site]
        for side, hip in film["hips"].items():
            line = lines[(i, side)]
            assert line["gradable"] == hip["gradable"]
            if not hip["gradable"]:
                continue
            mine = readers.hip_reader_p(line, site)
            for k, t in enumerate(data.TASKS):
                assert line["severity"][t] == hip["severity"][t] and line["truth"][t] == hip["truth"][t]
                assert readers.cut(t, hip["severity"][t]) == hip["truth"][t]
                assert np.abs(mine[k] - np.array(hip["readerP"][t])).max() < 2e-6
                reader_p[t].append(mine[k])
    java = json.loads(hipoa("ceiling", str(tmp_path / "dcm")))
    for t in data.TASKS:
        assert metrics.ceiling(reader_p[t]) == pytest.approx(java["features"][t]["ceiling"], abs=1e-4)
