"""DDPM noise schedule (linear beta, T steps, epsilon prediction) and a DDIM sampler for 2D checks.

alpha_t = 1 - beta_t, alpha_bar_t = prod_{s<=t} alpha_s;  z_t = sqrt(alpha_bar_t) z_0 + sqrt(1 - alpha_bar_t) eps.
"""

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class LinearSchedule:
    steps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 2e-2

    def alpha_bars(self) -> torch.Tensor:
        betas = torch.linspace(self.beta_start, self.beta_end, self.steps, dtype=torch.float64)
        return torch.cumprod(1 - betas, dim=0).to(torch.float32)

    def manifest(self) -> dict:
        return {
            'kind': 'linear',
            'T': self.steps,
            'betaStart': self.beta_start,
            'betaEnd': self.beta_end,
            'prediction': 'epsilon',
        }


def add_noise(z0: torch.Tensor, t: torch.Tensor, eps: torch.Tensor, alpha_bars: torch.Tensor) -> torch.Tensor:
    """Forward kernel q(z_t | z_0)."""
    a = alpha_bars.to(z0.device)[t].view(-1, 1, 1, 1)
    return a.sqrt() * z0 + (1 - a).sqrt() * eps


@torch.no_grad()
def ddim_sample(denoiser, shape, cond: torch.Tensor, schedule: LinearSchedule, steps: int, generator=None,
                guidance: float = 1.0, null_id: int | None = None) -> torch.Tensor:
    """Deterministic DDIM (eta = 0) from pure noise over ``steps`` evenly spaced timesteps.

    With ``guidance`` != 1 and a ``null_id``: eps = eps_null + guidance * (eps_cond - eps_null).
    """
    alpha_bars = schedule.alpha_bars()
    z = torch.randn(shape, generator=generator)
    times = torch.linspace(schedule.steps - 1, 0, steps).round().long()
    for i, t in enumerate(times):
        tt = torch.full((shape[0],), int(t), dtype=torch.long)
        eps = denoiser(z, tt, cond)
        if guidance != 1.0 and null_id is not None:
            eps_null = denoiser(z, tt, torch.full_like(cond, null_id))
            eps = eps_null + guidance * (eps - eps_null)
        a = alpha_bars[t]
        z0 = (z - (1 - a).sqrt() * eps) / a.sqrt()
        a_prev = alpha_bars[times[i + 1]] if i + 1 < len(times) else torch.tensor(1.0)
        z = a_prev.sqrt() * z0 + (1 - a_prev).sqrt() * eps
    return z
