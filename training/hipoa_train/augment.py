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


@dataclass
class FilmAugment:
    """Localiser augmentation: intensity only (the targets are head positions, so geometry stays), drawn wide enough
    to cover what other sites do to a film before anyone sees it: gamma, a sigmoid LUT of random slope and centre,
    unsharp masking (edge enhancement) of random amount and radius, blur and Gaussian noise. Generic processing
    ranges, not fitted to any test set."""
    gamma: float = 0.35
    lut_p: float = 0.5           # share of films through a sigmoid LUT
    lut_slope: tuple = (2.0, 7.0)
    unsharp_p: float = 0.5
    unsharp_amount: tuple = (0.3, 1.5)
    unsharp_sigma_px: tuple = (0.7, 3.0)
    noise: float = 0.05
    centre: float = 0.5
    norm_scale: float = 0.25

    def __call__(self, x: torch.Tensor, g: torch.Generator | None = None) -> torch.Tensor:
        u, p = _per_image_draws(x, g)

        v = (x * self.norm_scale + self.centre).clamp(0, 1)
        v = v.clamp_min(1e-6) ** u(1 - self.gamma, 1 + self.gamma)
        slope, mid = u(*self.lut_slope), u(0.35, 0.65)
        lo, hi = torch.sigmoid(-slope * mid), torch.sigmoid(slope * (1 - mid))
        lut = (torch.sigmoid(slope * (v - mid)) - lo) / (hi - lo)
        on = p(self.lut_p)
        v = on * lut + (1 - on) * v
        blurred = _gaussian_blur(v, u(*self.unsharp_sigma_px))
        on = p(self.unsharp_p)
        v = v + on * u(*self.unsharp_amount) * (v - blurred)
        noise = torch.randn(x.shape, generator=g).to(x.device) if x.device.type == "cpu" else torch.randn_like(x)
        v = v + noise * u(0, self.noise)
        return (v - self.centre) / self.norm_scale


@dataclass
class ProcessingAugment:
    """Grader augmentation for what another site's console does to a film before the crop is cut: a sigmoid LUT of
    random slope and centre and unsharp masking (edge enhancement) of random amount and radius, both common in CR and
    DR processing, then the crop scaled again to its own p01/p99 as the contract does (so only what that scaling
    cannot undo is left). Generic processing ranges in mm, not fitted to any test set; in crop pixels of 0.6 mm the
    unsharp radius is 1-3 mm."""
    lut_p: float = 0.5
    lut_slope: tuple = (2.0, 8.0)
    unsharp_p: float = 0.5
    unsharp_amount: tuple = (0.3, 1.5)
    unsharp_sigma_px: tuple = (1.5, 5.0)
    centre: float = 0.5
    norm_scale: float = 0.25
    low_q: float = 0.01
    high_q: float = 0.99

    def __call__(self, x: torch.Tensor, g: torch.Generator | None = None) -> torch.Tensor:
        u, p = _per_image_draws(x, g)

        v = x * self.norm_scale + self.centre
        slope, mid = u(*self.lut_slope), u(0.35, 0.65)
        lut = torch.sigmoid(slope * (v - mid))
        on = p(self.lut_p)
        v = on * lut + (1 - on) * v
        on = p(self.unsharp_p)
        v = v + on * u(*self.unsharp_amount) * (v - _gaussian_blur(v, u(*self.unsharp_sigma_px)))
        n = x.shape[0]
        flat = v.reshape(n, -1)
        m = flat.shape[1]  # the contract's nearest rank: sorted index floor(q * (m - 1)), kthvalue counts from 1
        lo = flat.kthvalue(int(self.low_q * (m - 1)) + 1, dim=1).values.view(n, 1, 1, 1)
        hi = flat.kthvalue(int(self.high_q * (m - 1)) + 1, dim=1).values.view(n, 1, 1, 1)
        v = (v - lo) / (hi - lo).clamp_min(1e-6)
        return (v - self.centre) / self.norm_scale


def _per_image_draws(x: torch.Tensor, g: torch.Generator | None):
    """One draw per image of the batch, [N,1,1,1] on its device: u(lo, hi) uniform, p(prob) a 0/1 coin. Drawn on the
    CPU from the seeded generator, so a run is reproducible on any device."""
    n = x.shape[0]

    def u(lo, hi):
        return (lo + (hi - lo) * torch.rand(n, generator=g)).to(x.device).view(n, 1, 1, 1)

    def p(prob):
        return (torch.rand(n, generator=g) < prob).to(x.device).view(n, 1, 1, 1).to(x.dtype)

    return u, p


def _gaussian_blur(v: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """Per-image separable Gaussian blur ([N,1,H,W], sigma [N,1,1,1] in px), reflect-padded."""
    r = int(math.ceil(3 * float(sigma.max())))
    t = torch.arange(-r, r + 1, dtype=v.dtype, device=v.device).view(1, -1)
    k = torch.exp(-0.5 * (t / sigma.view(-1, 1)) ** 2)
    k = k / k.sum(1, keepdim=True)                               # [N, 2r+1]
    n = v.shape[0]
    x = F.pad(v.transpose(0, 1), (r, r, 0, 0), mode="reflect")   # [1, N, H, W+2r]: one group per image
    x = F.conv2d(x, k.view(n, 1, 1, -1), groups=n)
    x = F.pad(x, (0, 0, r, r), mode="reflect")
    x = F.conv2d(x, k.view(n, 1, -1, 1), groups=n)
    return x.transpose(0, 1)
