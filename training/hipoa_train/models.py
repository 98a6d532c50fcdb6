"""The grader (DenseNet shared feature extractor + five heads, after von Schacky et al. 2020) and the localiser
(U-Net-lite heatmap regressor with soft-argmax decoding)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from .data import NUM_CLASSES, TASKS

ARCHS = ("densenet121", "densenet161", "densenet169", "densenet-tiny")


def _densenet(arch: str) -> torchvision.models.DenseNet:
    if arch == "densenet-tiny":  # tests and smoke runs only: same structure, a fraction of the compute
        return torchvision.models.DenseNet(growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16)
    if arch not in ARCHS:
        raise ValueError(f"arch must be one of {ARCHS}")
    return getattr(torchvision.models, arch)(weights=None)  # never pretrained weights: nothing is downloaded


class MultitaskGrader(nn.Module):
    """Input [N,1,S,S] contract-normalised crops (any S >= 32); output a tuple of raw logits in TASKS order:
    fo, ao, jsn [N,4]; sclerosis, cysts [N,2]. A tuple (not a dict) so ONNX output order is fixed."""

    def __init__(self, arch: str = "densenet121", dropout: float = 0.2):
        super().__init__()
        self.arch = arch
        net = _densenet(arch)
        c0 = net.features.conv0
        # One grey channel: radiographs have no colour, and ImageNet-style 3-channel input would only triple conv0.
        net.features.conv0 = nn.Conv2d(1, c0.out_channels, c0.kernel_size, c0.stride, c0.padding, bias=False)
        nn.init.kaiming_normal_(net.features.conv0.weight)
        self.features = net.features
        width = net.classifier.in_features
        self.heads = nn.ModuleDict({t: nn.Sequential(nn.Dropout(dropout), nn.Linear(width, NUM_CLASSES[t]))
                                    for t in TASKS})

    def embed(self, x):
        """The shared feature vector [N, width] every head reads."""
        f = F.relu(self.features(x))
        return torch.flatten(F.adaptive_avg_pool2d(f, 1), 1)

    def forward(self, x):
        f = self.embed(x)
        return tuple(self.heads[t](f) for t in TASKS)


GRADABILITY_CLASSES = ("gradable", "arthroplasty", "hardware")


class AbstainingGrader(nn.Module):
    """A trained grader plus what lets the product refuse a hip (fit_abstention.py), on the grader's own frozen
    features, so the five grade outputs are exactly the grader's: `gradability` [N,3] logits over
    GRADABILITY_CLASSES, and `ood_distance` [N], the squared Mahalanobis distance of the features from the training
    hips' in their top k principal components (whitened), divided by k: about 1 for a typical training hip, so that
    the output stays O(1) and parity checks can use one absolute tolerance."""

    def __init__(self, grader: MultitaskGrader, width: int, k: int):
        super().__init__()
        self.grader = grader
        self.gradability = nn.Linear(width, len(GRADABILITY_CLASSES))
        self.register_buffer("ood_mean", torch.zeros(width))
        self.register_buffer("ood_projection", torch.zeros(k, width))  # rows: components / sqrt(eigenvalue)

    def forward(self, x):
        f = self.grader.embed(x)
        z = (f - self.ood_mean) @ self.ood_projection.T
        return (*(self.grader.heads[t](f) for t in TASKS), self.gradability(f), (z * z).mean(1))


def load_init(model: nn.Module, path: str) -> None:
    """Start from a local state dict (or a checkpoint holding one under 'model', or int8 weights from `compact`, as
    the shipped graders come back from a GPU run); mismatched heads are skipped and reported so that e.g. an
    ImageNet-style DenseNet or a different task set can seed the features."""
    from .compact import state_dict_of
    state = torch.load(path, map_location="cpu", weights_only=False)
    state = state_dict_of(state) if "model_int8" in state else state.get("model", state)
    own = model.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(usable, strict=False)
    skipped = sorted(set(own) - set(usable))
    print(f"init-checkpoint {path}: loaded {len(usable)} tensors, kept {len(skipped)} at random init"
          + (f" (e.g. {skipped[:3]})" if skipped else ""))


def _block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Localiser(nn.Module):
    """U-Net-lite on the localiser canvas ([N,1,H,W], H and W divisible by 16). Heatmaps at half resolution
    (one per hip, right then left), each a spatial softmax (sums to 1); coords = their expectation (soft-argmax),
    in canvas pixels (x = column, y = row, pixel centres at integers): heatmap cell u covers canvas pixels 2u and
    2u + 1, so its centre is canvas 2u + 0.5."""

    def __init__(self, width: int = 16):
        super().__init__()
        c = [width, width * 2, width * 4, width * 8]
        # Strided stem: nothing is predicted at full resolution, so full-resolution convolutions would be waste.
        self.stem = nn.Sequential(nn.Conv2d(1, c[0], 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(c[0]),
                                  nn.ReLU(inplace=True), _block(c[0], c[0]))            # /2
        self.down = nn.ModuleList([_block(c[i], c[i + 1]) for i in range(3)])           # /4 /8 /16
        self.up = nn.ModuleList([_block(c[i + 1] + c[i], c[i]) for i in (2, 1, 0)])     # /8 /4 /2
        self.head = nn.Conv2d(c[0], 2, 1)

    def forward(self, x):
        skips, h = [], self.stem(x)
        for down in self.down:
            skips.append(h)
            h = down(F.max_pool2d(h, 2))
        for up, skip in zip(self.up, reversed(skips)):
            h = up(torch.cat([F.interpolate(h, size=skip.shape[-2:], mode="nearest"), skip], 1))
        logits = self.head(h)
        n, k, hh, ww = logits.shape
        heat = torch.softmax(logits.reshape(n, k, hh * ww), -1).reshape(n, k, hh, ww)
        # Expectation of offsets from the canvas middle, not of absolute positions: float32 sums over ~10^4 cells
        # then round off half as much, which keeps ONNX Runtime / Java within the parity tolerance.
        my, mx = hh - 0.5, ww - 0.5  # middle of the canvas in canvas px (= (H - 1) / 2 for H = 2 hh)
        ys = torch.arange(hh, dtype=x.dtype, device=x.device) * 2 + 0.5 - my
        xs = torch.arange(ww, dtype=x.dtype, device=x.device) * 2 + 0.5 - mx
        cx = (heat.sum(2) * xs).sum(-1) + mx
        cy = (heat.sum(3) * ys).sum(-1) + my
        return heat, torch.stack([cx, cy], -1)


def gaussian_targets(coords: torch.Tensor, hh: int, ww: int, sigma_px: float = 2.0) -> torch.Tensor:
    """Normalised Gaussians (sum 1) on the half-resolution heatmap grid around canvas-pixel coords [N,2,2];
    sigma in canvas pixels."""
    ys = torch.arange(hh, dtype=coords.dtype) * 2 + 0.5
    xs = torch.arange(ww, dtype=coords.dtype) * 2 + 0.5
    dx = xs.view(1, 1, 1, ww) - coords[..., 0].view(*coords.shape[:2], 1, 1)
    dy = ys.view(1, 1, hh, 1) - coords[..., 1].view(*coords.shape[:2], 1, 1)
    g = torch.exp(-(dx ** 2 + dy ** 2) / (2 * sigma_px ** 2))
    return g / g.sum((2, 3), keepdim=True).clamp_min(1e-12)


def localiser_loss(heat, coords, target, heat_weight=1.0, coord_weight=0.1, sigma_px=2.0):
    """Heatmap MSE (relative to the target's energy, so ~1 at start and 0 when perfect) + coordinate L1 (px)."""
    g = gaussian_targets(target, heat.shape[2], heat.shape[3], sigma_px)
    mse = ((heat - g) ** 2).sum((2, 3)) / (g ** 2).sum((2, 3))
    l1 = (coords - target).abs().sum(-1)
    return heat_weight * mse.mean() + coord_weight * l1.mean()
