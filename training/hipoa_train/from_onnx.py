"""A shipped ONNX grader back into a PyTorch checkpoint, so training can fine-tune from the weights HipOA ships when no
PyTorch checkpoint of them is at hand (the repository keeps the ONNX files only).

    python3 -m hipoa_train.from_onnx ../model/grader.onnx OUT.pt [--config cpu]
    python3 -m hipoa_train.train_grader --config cpu --init-checkpoint OUT.pt ...

Export keeps PyTorch's parameter names for every initializer it does not change, and stores int8 weights as
NAME_int8 / NAME_scale behind a DequantizeLinear (export.int8_initializers); this reads them back the same way
(compact.dequantize), so the state dict is exactly the one the graph computes with. A name the model does not have,
or an initializer the exporter renamed, is reported and left out; `load_init` reports what stays at random init."""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from . import common, compact


def state_dict(onnx_path: Path) -> dict:
    import onnx
    from onnx import numpy_helper

    # A grader exported with its abstention outputs (fit_abstention) holds the grader as its `grader.` submodule.
    arrays = {i.name.removeprefix("grader."): numpy_helper.to_array(i)
              for i in onnx.load(str(onnx_path)).graph.initializer}
    sd = {}
    for name, a in arrays.items():
        if name.endswith("_int8"):
            base = name[: -len("_int8")]
            sd[base] = compact.dequantize(torch.from_numpy(np.array(a)), torch.from_numpy(np.array(arrays[base + "_scale"])))
        elif name.endswith("_scale") or name.endswith("_zero"):
            continue
        else:
            sd[name] = torch.from_numpy(np.array(a))
    return sd


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("onnx")
    ap.add_argument("out")
    ap.add_argument("--config", choices=["cpu", "paper"], default="cpu")
    a = ap.parse_args(argv)
    from .models import MultitaskGrader
    from .train_grader import CONFIGS
    own = MultitaskGrader(CONFIGS[a.config]["arch"], 0.2).state_dict()
    sd = state_dict(Path(a.onnx))
    usable = {k: v for k, v in sd.items() if k in own and tuple(own[k].shape) == tuple(v.shape)}
    missing = sorted(set(own) - set(usable))
    print(f"from_onnx {a.onnx}: {len(usable)} of the model's {len(own)} tensors"
          + (f"; not in the graph under their own name: {missing[:5]}" if missing else ""))
    common.save(Path(a.out), {"model": usable, "source": str(a.onnx)})
    return 0 if usable else 1


if __name__ == "__main__":
    raise SystemExit(main())
