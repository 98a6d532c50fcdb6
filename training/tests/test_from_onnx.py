"""from_onnx: the shipped ONNX grader back into PyTorch gives the logits ONNX Runtime gives on the same input, so a
fine-tune from it starts from exactly the weights HipOA ships."""
from pathlib import Path

import numpy as np
import pytest
import torch

from hipoa_train import common, from_onnx
from hipoa_train.data import TASKS
from hipoa_train.models import MultitaskGrader, load_init

MODEL = Path(__file__).resolve().parents[2] / "model" / "grader.onnx"


def test_shipped_grader_round_trips_through_pytorch(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    out = tmp_path / "init.pt"
    assert from_onnx.main([str(MODEL), str(out)]) == 0
    ck = common.load(out)
    model = MultitaskGrader("densenet121", 0.2)
    own = model.state_dict()
    left_out = set(own) - set(ck["model"])
    assert left_out and all(k.endswith("num_batches_tracked") for k in left_out), sorted(left_out)[:5]
    load_init(model, str(out))
    model.eval()
    x = np.load(f"{MODEL}.reference-input.npy").astype(np.float32)
    with torch.no_grad():
        mine = [t.numpy() for t in model(torch.from_numpy(x))]
    theirs = ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"]).run(list(TASKS), {"image": x})
    for task, a, b in zip(TASKS, mine, theirs):
        assert np.abs(a - b).max() <= 1e-3, task
    # and a random model is far from it, so the comparison can fail
    with torch.no_grad():
        fresh = [t.numpy() for t in MultitaskGrader("densenet121", 0.2).eval()(torch.from_numpy(x))]
    assert max(np.abs(a - b).max() for a, b in zip(fresh, theirs)) > 1e-2
