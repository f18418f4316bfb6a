"""Networks of a MicroLad bundle: categorical VAE (encoder, decoder) and latent epsilon U-Net.

Shapes (P phases, S image size, C latent channels, L = S / 4 latent size):
  Encoder   x [B,P,S,S] phase probabilities        -> mu, logvar [B,C,L,L]  (mu divided by latent scale)
  Decoder   z [B,C,L,L]                            -> y [B,P,S,S], softmax over phases
  Denoiser  z_t [B,C,L,L], t int64 [B], cond [B]   -> eps [B,C,L,L]
All three are fully convolutional (plus global attention in the U-Net bottleneck), so spatial sizes other
than the training size work as long as L is a multiple of 4. The networks are sized for a 2-core CPU.
"""

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .layers import AdjointSequential, PhaseSoftmax, PlainResBlock, SameConv, Scale, SiLU, UpConv


@dataclass
class NetworkConfig:
    """Widths of the networks. ``vae_widths`` are channels at L, 2L and 4L = S resolution."""

    phases: int = 2
    latent_channels: int = 4
    vae_widths: tuple = (48, 24, 16)
    unet_widths: tuple = (32, 64, 96)
    time_dim: int = 64
    embed_dim: int = 256
    condition_count: int = 0  # number of plane/class labels; the null id equals this count


def group_count(channels: int) -> int:
    """Number of GroupNorm groups: the largest divisor of ``channels`` that is at most 8."""
    return math.gcd(8, channels)


class NormResBlock(nn.Module):
    """Residual block with GroupNorm: x + conv(silu(gn(conv(silu(gn(x))))))."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.GroupNorm(group_count(channels), channels),
            nn.SiLU(),
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.GroupNorm(group_count(channels), channels),
            nn.SiLU(),
            nn.Conv2d(channels, channels, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Encoder(nn.Module):
    """S x S x P phase probabilities -> Gaussian posterior (mu, logvar) over a C x L x L latent."""

    def __init__(self, cfg: NetworkConfig):
        super().__init__()
        w_lo, w_mid, w_hi = cfg.vae_widths
        self.body = nn.Sequential(
            nn.Conv2d(cfg.phases, w_hi, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(w_hi, w_mid, 4, stride=2, padding=1),
            NormResBlock(w_mid),
            nn.SiLU(),
            nn.Conv2d(w_mid, w_lo, 4, stride=2, padding=1),
            NormResBlock(w_lo),
            nn.GroupNorm(group_count(w_lo), w_lo),
            nn.SiLU(),
            nn.Conv2d(w_lo, 2 * cfg.latent_channels, 1),
        )
        self.register_buffer('latent_scale', torch.tensor(1.0))

    def forward(self, x: torch.Tensor):
        mu, logvar = self.body(x).chunk(2, dim=1)
        return mu / self.latent_scale, logvar - 2 * torch.log(self.latent_scale)


class Decoder(nn.Module):
    """C x L x L latent -> P-channel softmax image S x S, with an explicit vector-Jacobian product."""

    def __init__(self, cfg: NetworkConfig):
        super().__init__()
        w_lo, w_mid, w_hi = cfg.vae_widths
        self.layers = AdjointSequential(
            Scale(1.0),
            SameConv(cfg.latent_channels, w_lo),
            PlainResBlock(w_lo),
            SiLU(),
            UpConv(w_lo, w_mid),
            SiLU(),
            SameConv(w_mid, w_mid),
            SiLU(),
            UpConv(w_mid, w_hi),
            SiLU(),
            SameConv(w_hi, cfg.phases),
            PhaseSoftmax(),
        )

    @property
    def latent_scale(self) -> torch.Tensor:
        return self.layers[0].value

    def set_latent_scale(self, value: float) -> None:
        self.layers[0].value.fill_(value)

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        """Pre-softmax phase scores."""
        return self.layers[:-1](z)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.layers(z)

    def vjp(self, z: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """J_dec(z)^T v for v of the decoder's output shape."""
        return self.layers.vjp(z, v)


class DecoderVJP(nn.Module):
    """Wrapper whose forward(z, v) is the decoder's VJP, for ONNX export as decoder_vjp.onnx."""

    def __init__(self, decoder: Decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, z: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        return self.decoder.vjp(z, v)


class VAE(nn.Module):
    """Encoder + decoder. ``reconstruct_logits`` samples z = mu + sigma * noise when training."""

    def __init__(self, cfg: NetworkConfig):
        super().__init__()
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)

    def set_latent_scale(self, value: float) -> None:
        """Make the encoder output mu / value and the decoder multiply by value (latents ~ unit std)."""
        self.encoder.latent_scale.fill_(value)
        self.decoder.set_latent_scale(value)


def sinusoidal_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """[sin(t f_i), cos(t f_i)] with f_i = exp(-ln(10000) i / (dim/2)), i = 0 .. dim/2 - 1; t unnormalised."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    angles = t.to(torch.float32)[:, None] * freqs[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class TimeResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, with the time/condition embedding added after the first conv."""

    def __init__(self, cin: int, cout: int, embed_dim: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(group_count(cin), cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.embed = nn.Linear(embed_dim, cout)
        self.norm2 = nn.GroupNorm(group_count(cout), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x))) + self.embed(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class SelfAttention(nn.Module):
    """Single-head softmax attention over all spatial positions, residual."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.GroupNorm(group_count(channels), channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).unbind(dim=1)
        weights = torch.softmax(torch.bmm(q.transpose(1, 2), k) / math.sqrt(c), dim=-1)
        mixed = torch.bmm(v, weights.transpose(1, 2)).reshape(b, c, h, w)
        return x + self.out(mixed)


class Denoiser(nn.Module):
    """Two-level latent U-Net predicting the noise eps of z_t, conditioned on t and a condition id."""

    def __init__(self, cfg: NetworkConfig):
        super().__init__()
        w1, w2, w3 = cfg.unet_widths
        c = cfg.latent_channels
        self.time_dim = cfg.time_dim
        self.time_mlp = nn.Sequential(
            nn.Linear(cfg.time_dim, cfg.embed_dim), nn.SiLU(), nn.Linear(cfg.embed_dim, cfg.embed_dim)
        )
        self.condition = nn.Embedding(cfg.condition_count + 1, cfg.embed_dim)
        nn.init.zeros_(self.condition.weight)
        e = cfg.embed_dim
        self.enc1 = TimeResBlock(c, w1, e)
        self.down1 = nn.Conv2d(w1, w1, 4, stride=2, padding=1)
        self.enc2 = TimeResBlock(w1, w2, e)
        self.down2 = nn.Conv2d(w2, w2, 4, stride=2, padding=1)
        self.mid1 = TimeResBlock(w2, w3, e)
        self.mid_attn = SelfAttention(w3)
        self.mid2 = TimeResBlock(w3, w3, e)
        self.up2 = nn.ConvTranspose2d(w3, w2, 2, stride=2)
        self.dec2 = TimeResBlock(2 * w2, w2, e)
        self.up1 = nn.ConvTranspose2d(w2, w1, 2, stride=2)
        self.dec1 = TimeResBlock(2 * w1, w1, e)
        self.out_norm = nn.GroupNorm(group_count(w1), w1)
        self.out = nn.Conv2d(w1, c, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, z_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        emb = F.silu(self.time_mlp(sinusoidal_embedding(t, self.time_dim)) + self.condition(cond))
        h1 = self.enc1(z_t, emb)
        h2 = self.enc2(self.down1(h1), emb)
        h = self.mid2(self.mid_attn(self.mid1(self.down2(h2), emb)), emb)
        h = self.dec2(torch.cat([self.up2(h), h2], dim=1), emb)
        h = self.dec1(torch.cat([self.up1(h), h1], dim=1), emb)
        return self.out(F.silu(self.out_norm(h)))


def parameter_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
