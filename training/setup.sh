#!/usr/bin/env bash
# Idempotent set-up of the training stack on Debian (what CI calls): Debian's CPU torch/torchvision/onnx from apt,
# plus onnxruntime and pydicom from PyPI for the system interpreter. Never pip-installs torch (PyPI's wheel pulls
# gigabytes of CUDA). Afterwards: cd training && /usr/bin/python3 -m pytest -q tests
set -euo pipefail
PY=/usr/bin/python3
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

need_apt=()
$PY -c "import torch" 2>/dev/null || need_apt+=(python3-torch)
$PY -c "import torchvision" 2>/dev/null || need_apt+=(python3-torchvision)
$PY -c "import onnx" 2>/dev/null || need_apt+=(python3-onnx)
$PY -c "import numpy" 2>/dev/null || need_apt+=(python3-numpy)
$PY -c "import tqdm" 2>/dev/null || need_apt+=(python3-tqdm)
$PY -c "import pytest" 2>/dev/null || need_apt+=(python3-pytest)
$PY -m pip --version >/dev/null 2>&1 || need_apt+=(python3-pip)
if [ ${#need_apt[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

if ! $PY -c "import onnxruntime, pydicom" 2>/dev/null; then
  $PY -m pip install -q --break-system-packages onnxruntime==1.20.1 pydicom==3.0.2
fi
$PY -c "import torch, torchvision, onnx, onnxruntime, pydicom; print('training stack: torch', torch.__version__,
'torchvision', torchvision.__version__, 'onnx', onnx.__version__, 'onnxruntime', onnxruntime.__version__,
'pydicom', pydicom.__version__)"
