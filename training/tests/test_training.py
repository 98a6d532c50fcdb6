"""A few real optimisation steps on tiny fake shards: checkpoints, best weights, resume, the time budget,
evaluation JSON."""
import json

import torch

from hipoa_train import data, evaluate, train_grader, train_localiser

GRADER = ["--arch", "densenet-tiny", "--batch", "4", "--threads", "2", "--val-fraction", "0.25"]


def history(out):
    return [json.loads(l) for l in open(out / "history.jsonl")]


def test_datasets_read_the_shard_format(fake_data):
    crops = data.PhantomCrops([fake_data])
    x, y = crops[3]
    assert x.shape == (1, 32, 32) and x.dtype == torch.float32 and y.shape == (5,)
    assert len(crops) == 24 and crops.crop_px == 32
    films = data.PhantomFilms([fake_data])
    x, c = films[0]
    assert x.shape == (1, 64, 64) and c.shape == (2, 2)
    tr, va = data.split(crops.groups(), 0.25, 0)
    assert {crops.groups()[i] for i in tr}.isdisjoint({crops.groups()[i] for i in va})  # both hips together
    assert len(va) == 6
    sampler = data.balanced_sampler(crops.labels()[tr], "all", 0)
    assert len(list(sampler)) == len(tr)


def test_grader_trains_checkpoints_and_resumes(fake_data, tmp_path):
    out = tmp_path / "g"
    assert train_grader.main(["--data", str(fake_data), *GRADER, "--epochs", "1", "--balanced", "--out", str(out)]) == 0
    assert (out / "best.pt").exists() and (out / "last.pt").exists()
    assert torch.load(out / "last.pt")["epoch"] == 1
    # resume continues with epoch 2 from the saved optimizer state
    assert train_grader.main(["--data", str(fake_data), *GRADER, "--epochs", "2", "--resume", "auto",
                              "--out", str(out)]) == 0
    h = history(out)
    assert [r["epoch"] for r in h] == [1, 2] and h[1]["steps"] > h[0]["steps"]
    ck = torch.load(out / "last.pt")
    assert ck["epoch"] == 2 and ck["arch"] == "densenet-tiny" and ck["input_px"] == 32
    # evaluation on the validation split of that run
    rep_path = tmp_path / "eval.json"
    assert evaluate.main(["--checkpoint", str(out / "best.pt"), "--data", str(fake_data), "--split", "val",
                          "--bootstrap", "50", "--out", str(rep_path)]) == 0
    rep = json.loads(rep_path.read_text())
    assert rep["n"] == 6 and set(rep["tasks"]) == set(data.TASKS)
    assert "kappa_quadratic" in rep["tasks"]["jsn"]["ci95"] and len(rep["tasks"]["fo"]["confusion"]) == 4


def test_time_budget_stops_cleanly(fake_data, tmp_path):
    out = tmp_path / "budget"
    assert train_grader.main(["--data", str(fake_data), *GRADER, "--epochs", "5", "--max-minutes", "0.0001",
                              "--out", str(out)]) == 0
    h = history(out)
    assert len(h) == 1 and not h[0]["complete"] and h[0]["steps"] == 1
    assert torch.load(out / "last.pt")["epoch"] == 0 and (out / "best.pt").exists()


def test_fit_budget_anneals_within_the_budget(fake_data, tmp_path):
    out = tmp_path / "fit"
    assert train_grader.main(["--data", str(fake_data), *GRADER, "--epochs", "500", "--max-minutes", "0.25",
                              "--fit-budget", "--out", str(out)]) == 0
    h = history(out)
    # fewer epochs than asked, every one complete, and the cosine schedule ran to its end (lr ~ 0)
    assert 1 <= len(h) < 500 and all(r["complete"] for r in h)
    assert h[-1]["lr"] < 1e-3 * 0.05 and h[-1]["elapsed_s"] < 0.25 * 60


def test_paper_config_refuses_wrong_crop_size_unless_resizing(fake_data, tmp_path):
    import pytest
    with pytest.raises(SystemExit):
        train_grader.main(["--data", str(fake_data), "--config", "paper", "--out", str(tmp_path / "p")])
    assert train_grader.main(["--data", str(fake_data), "--config", "paper", "--arch", "densenet-tiny",
                              "--input-px", "48", "--allow-resize", "--max-steps", "1", "--batch", "4",
                              "--out", str(tmp_path / "p")]) == 0


def test_localiser_trains_and_evaluates(fake_data, tmp_path):
    out = tmp_path / "l"
    assert train_localiser.main(["--data", str(fake_data), "--epochs", "2", "--batch", "4", "--width", "8",
                                 "--out", str(out)]) == 0
    ck = torch.load(out / "best.pt")
    assert ck["kind"] == "localiser" and ck["input_hw"] == [64, 64]  # as the data has it
    rep_path = tmp_path / "eval.json"
    assert evaluate.main(["--checkpoint", str(out / "best.pt"), "--data", str(fake_data), "--bootstrap", "20",
                          "--out", str(rep_path)]) == 0
    rep = json.loads(rep_path.read_text())
    assert rep["n_hips"] == 24 and rep["p95_mm"] >= rep["median_mm"] >= 0


def test_localiser_trains_with_film_augmentation_and_from_a_checkpoint(fake_data, tmp_path):
    first, second = tmp_path / "l1", tmp_path / "l2"
    assert train_localiser.main(["--data", str(fake_data), "--epochs", "1", "--batch", "4", "--width", "8",
                                 "--augment", "--out", str(first)]) == 0
    assert train_localiser.main(["--data", str(fake_data), "--epochs", "1", "--batch", "4", "--width", "8",
                                 "--augment", "--init-checkpoint", str(first / "best.pt"), "--out", str(second)]) == 0
    assert torch.load(second / "best.pt", weights_only=False)["args"]["augment"] is True


def test_film_augmentation_keeps_shape_and_finite_values_and_changes_the_film():
    from hipoa_train.augment import FilmAugment
    x = torch.randn(6, 1, 48, 56)
    y = FilmAugment()(x, torch.Generator().manual_seed(3))
    assert y.shape == x.shape and torch.isfinite(y).all()
    assert (y - x).abs().mean() > 0.05


def test_processing_augmentation_leaves_each_crop_scaled_to_its_own_percentiles_as_the_contract_does():
    from hipoa_train.augment import ProcessingAugment
    aug = ProcessingAugment(lut_p=1.0, unsharp_p=1.0)
    x = torch.randn(5, 1, 40, 40)
    y = aug(x, torch.Generator().manual_seed(4))
    assert y.shape == x.shape and torch.isfinite(y).all()
    assert (y - x).abs().mean() > 0.05
    v = (y * aug.norm_scale + aug.centre).reshape(5, -1)
    for row in v:   # p01 -> 0 and p99 -> 1 again, nearest rank, so the model sees what the product's crop would give
        s = row.sort().values
        assert abs(float(s[int(0.01 * (len(s) - 1))])) < 1e-4 and abs(float(s[int(0.99 * (len(s) - 1))]) - 1) < 1e-4


def test_grader_trains_with_processing_augmentation(fake_data, tmp_path):
    from hipoa_train import train_grader
    out = tmp_path / "g"
    assert train_grader.main(["--data", str(fake_data), "--arch", "densenet-tiny", "--epochs", "1", "--batch", "4",
                              "--max-steps", "2", "--threads", "1", "--processing-augment", "--out", str(out)]) == 0
    assert torch.load(out / "best.pt", weights_only=False)["args"]["processing_augment"] is True
