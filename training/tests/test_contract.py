"""The numpy crop contract against hand-computed cases (Java's Resampler / Normaliser / LocaliserInput rules)."""
import numpy as np
import pytest

from hipoa_train import contract as cm


@pytest.fixture(scope="module")
def c():
    return cm.load()


def test_contract_loads(c):
    assert c.grader_output_px == 160 and c.grader_crop_mm == 96.0 and c.mirror_left
    assert (c.localiser_height_px, c.localiser_width_px, c.localiser_mm_per_px) == (192, 224, 2.0)


def test_bilinear_ramp_and_mirror():
    img = np.add.outer(10 * np.arange(4), np.arange(4)).astype(np.float32)  # value = col + 10 row
    # 1 mm pixels, 1 mm step (k = 1), two output pixels centred on x0 = 1.5: centres at x = 1.0 and 2.0, y = 1.0
    assert cm.sample(img, 1.0, 1.0, 1.5, 1.0, 1.0, 2, 1).tolist() == [[11.0, 12.0]]
    assert cm.sample(img, 1.0, 1.0, 1.5, 1.0, 1.0, 2, 1, sx=-1).tolist() == [[12.0, 11.0]]
    # fractional position: x = 0.25, y = 2.5 -> 0.25 + 25
    assert cm.sample(img, 1.0, 1.0, 0.25, 2.5, 1.0, 1, 1)[0, 0] == pytest.approx(25.25)


def test_box_filter_averages_k_by_k():
    img = np.zeros((4, 4), np.float32)
    img[1, 1] = 16
    # step 2 mm over 1 mm pixels: k = 2 samples per axis at (0.5|1.5, 0.5|1.5), each bilinear = 16 / 4
    assert cm.sample(img, 1.0, 1.0, 1.0, 1.0, 2.0, 1, 1)[0, 0] == pytest.approx(4.0)
    # anisotropic spacing: k follows the finer one (0.5 mm rows -> k = 4 for a 2 mm step)
    out = cm.sample(np.ones((8, 8), np.float32), 0.5, 1.0, 2.0, 2.0, 2.0, 2, 2)
    assert np.allclose(out, 1.0)


def test_edge_clamp_and_outside():
    img = np.add.outer(10 * np.arange(4), np.arange(4)).astype(np.float32)
    assert cm.sample(img, 1.0, 1.0, -50.0, -50.0, 1.0, 1, 1)[0, 0] == 0.0      # clamps to pixel (0, 0)
    assert cm.sample(img, 1.0, 1.0, 50.0, 50.0, 1.0, 1, 1)[0, 0] == 33.0       # clamps to pixel (3, 3)
    out = cm.sample(img, 1.0, 1.0, 1.5, 1.5, 1.0, 6, 1, outside=-np.inf)      # centres x = -1 .. 4
    assert out[0, 0] == -np.inf and out[0, -1] == -np.inf and np.isfinite(out[0, 1:5]).all()


def test_nearest_rank_percentiles_and_normalisation(c):
    v = np.arange(100, dtype=np.float32)
    s = np.sort(v)
    assert cm.percentile(s, 0.01) == 0.0 and cm.percentile(s, 0.99) == 98.0  # floor(0.99 * 99) = 98
    out = cm.normalise(v, v, c)
    assert out[0] == pytest.approx(-2.0) and out[98] == pytest.approx(2.0)
    assert out[49] == pytest.approx((49 / 98 - 0.5) / 0.25)


def test_left_hip_is_mirrored(c):
    rng = np.random.default_rng(1)
    img = rng.random((400, 500)).astype(np.float32)
    right = cm.hip_crop(img, 0.5, 0.5, "right", 120.0, 100.0, c)
    left = cm.hip_crop(img[:, ::-1].copy(), 0.5, 0.5, "left", 499 * 0.5 - 120.0, 100.0, c)
    assert right.shape == (160, 160)
    assert np.allclose(right, left, atol=1e-5)


def test_localiser_canvas_mapping(c):
    img = np.ones((1000, 800), np.float32)
    img[:, 400:] = 2
    canvas = cm.localiser_canvas(img, 0.3, 0.3, c)
    assert canvas.pixels.shape == (192, 224)
    # film is 240 x 300 mm on a 448 x 384 mm canvas: the margin is the film's p01 -> exactly 0 after scaling
    v0 = (0 - c.centre) / c.scale
    assert canvas.pixels[0, 0] == pytest.approx(v0)
    x, y = canvas.to_image_mm(10.0, 20.0)
    assert canvas.to_canvas_px(x, y) == pytest.approx((10.0, 20.0))
    assert canvas.to_image_mm(111.5, 95.5) == pytest.approx((canvas.origin_x_mm, canvas.origin_y_mm))
