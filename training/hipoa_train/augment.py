"""Grader augmentation, applied to whole batches on the training device (cheap on CPU, no worker processes).

Small and orientation-preserving on purpose: left hips are already mirrored into right orientation, so a
horizontal flip would teach the model an anatomy it never sees. Geometry: rotation +-5 deg, scale +-5 %,
translation +-3 px, edge-clamped like the contract's sampler. Intensity in contract units (v = x * scale + centre,
0..1 between the crop's p01 and p99): gamma, contrast, offset and Gaussian noise."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class GraderAugment:
    rotate_deg: float = 5.0
    scale: float = 0.05
    translate_px: float = 3.0
    gamma: float = 0.15        # gamma in [1 - g, 1 + g]
    contrast: float = 0.10     # multiply around 0.5 by [1 - c, 1 + c]
    offset: float = 0.05       # add [-o, o]
    noise: float = 0.03        # Gaussian sigma drawn from [0, noise]
    centre: float = 0.5        # contract normalisation, to work in v units
    norm_scale: float = 0.25

    def __call__(self, x: torch.Tensor, g: torch.Generator | None = None) -> torch.Tensor:
        n, _, h, w = x.shape

        def u(lo, hi, *shape):  # drawn on the CPU from the seeded generator, used on the batch's device
            return (lo + (hi - lo) * torch.rand(*(shape or (n,)), generator=g)).to(x.device)

        # Geometry: affine_grid works in [-1, 1] normalised coords; translation in px -> 2 * px / size.
        a = torch.deg2rad(u(-self.rotate_deg, self.rotate_deg))
        s = u(1 - self.scale, 1 + self.scale)
        tx, ty = u(-self.translate_px, self.translate_px) * 2 / w, u(-self.translate_px, self.translate_px) * 2 / h
        cos, sin = torch.cos(a) / s, torch.sin(a) / s
        theta = torch.stack([torch.stack([cos, -sin * h / w, tx], 1), torch.stack([sin * w / h, cos, ty], 1)], 1)
        grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

        # Intensity: gamma acts on the 0..1 part; what lies beyond p01/p99 is carried over unchanged.
        v = x * self.norm_scale + self.centre
        inside = v.clamp(0, 1)
        gamma = u(1 - self.gamma, 1 + self.gamma).view(n, 1, 1, 1)
        v = inside.clamp_min(1e-6) ** gamma + (v - inside)
        v = (v - 0.5) * u(1 - self.contrast, 1 + self.contrast).view(n, 1, 1, 1) + 0.5
        v = v + u(-self.offset, self.offset).view(n, 1, 1, 1)
        # On a GPU the noise is drawn there (from torch's seeded CUDA generator): a CPU draw of a whole batch would
        # cost more than the training step.
        noise = torch.randn(x.shape, generator=g) if x.device.type == "cpu" else torch.randn(x.shape, device=x.device)
        v = v + noise * u(0, self.noise).view(n, 1, 1, 1)
        return (v - self.centre) / self.norm_scale
