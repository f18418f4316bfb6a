"""Training configuration and presets."""

from dataclasses import asdict, dataclass, field

from .networks import NetworkConfig


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (both stages: VAE, then latent denoiser).

    ``kl_weight`` multiplies KL(q(z|x) || N(0, I)) summed over latent elements and divided by the number of
    image pixels, next to the per-pixel cross-entropy: both terms are in nats per pixel.
    """

    size: int = 64
    vae_steps: int = 3000
    denoiser_steps: int = 6000
    vae_batch: int = 32
    denoiser_batch: int = 32
    vae_lr: float = 5e-4
    denoiser_lr: float = 4e-4
    kl_weight: float = 0.1
    ema_decay: float = 0.999
    condition_dropout: float = 0.1
    validation_fraction: float = 0.1
    seed: int = 0
    device: str = 'cpu'
    threads: int = 2
    checkpoint_seconds: float = 120.0
    log_every: int = 10
    stats_patches: int = 1024
    preview_ddim_steps: int = 50
    network: NetworkConfig = field(default_factory=NetworkConfig)

    def to_dict(self) -> dict:
        return asdict(self)


def preset(name: str) -> TrainConfig:
    """'default': networks sized for 64 x 64 on a 2-core CPU; 'tiny': seconds-long smoke configuration."""
    if name == 'default':
        return TrainConfig()
    if name == 'tiny':
        return TrainConfig(
            size=64,
            vae_steps=30,
            denoiser_steps=30,
            vae_batch=8,
            denoiser_batch=8,
            vae_lr=2e-3,
            denoiser_lr=1e-3,
            checkpoint_seconds=1e9,
            log_every=5,
            stats_patches=64,
            preview_ddim_steps=5,
            network=NetworkConfig(vae_widths=(16, 8, 8), unet_widths=(16, 16, 16), embed_dim=32, time_dim=16),
        )
    raise ValueError(f'unknown preset {name!r} (use default or tiny)')
