"""Two-stage training (VAE, then latent denoiser on encoder means) with EMA, checkpoints and resume.

The work folder holds ``checkpoint.pt`` (written atomically every ``checkpoint_seconds`` and at stage
ends); starting again with the same work folder resumes where the checkpoint left off.
"""

import copy
import os
import platform
import time

import numpy as np
import torch
import torch.nn.functional as F

from .config import TrainConfig
from .dataset import PLANES, PatchSampler, dataset_hash, fits, load_dataset, one_hot, phase_count, split_source
from .networks import VAE, Denoiser, NetworkConfig
from .progress import Reporter
from .schedule import LinearSchedule, add_noise


def conditioning_of(spec: dict, sources) -> dict:
    """{"kind", "labels", "nullId"}: plane conditioning for anisotropic data unless the dataset says else."""
    kind = spec.get('conditioning', 'plane' if spec.get('anisotropic') else 'none')
    if kind == 'none':
        labels = []
    elif kind == 'plane':
        labels = list(PLANES)
    elif kind == 'class':
        labels = sorted({s.class_label for s in sources if s.class_label is not None})
        if not labels:
            raise ValueError('class conditioning needs a "class" on the files of dataset.json')
    else:
        raise ValueError(f'conditioning must be none, plane or class, got {kind!r}')
    return {'kind': kind, 'labels': labels, 'nullId': len(labels)}


def kl_per_pixel(mu: torch.Tensor, logvar: torch.Tensor, pixels: int) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, 1)) summed over latent elements, divided by the number of image pixels."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum() / pixels


class Trainer:
    def __init__(self, cfg: TrainConfig, dataset_dir: str, work_dir: str, reporter: Reporter):
        self.cfg = cfg
        self.reporter = reporter
        self.work_dir = work_dir
        os.makedirs(work_dir, exist_ok=True)
        torch.manual_seed(cfg.seed)
        torch.set_num_threads(cfg.threads)
        self.device = torch.device(cfg.device)
        self.dataset_dir = dataset_dir
        self.spec, sources = load_dataset(dataset_dir)
        self.dataset_hash = dataset_hash(dataset_dir, sources)
        self.phases = len(self.spec['phases']) if 'phases' in self.spec else phase_count(sources)
        self.anisotropic = bool(self.spec.get('anisotropic', False))
        self.conditioning = conditioning_of(self.spec, sources)
        self.sources = sources
        splits = [split_source(s, cfg.validation_fraction, cfg.size) for s in sources]
        self.train_sources = [t for t, _ in splits]
        val_sources = [v for _, v in splits if v is not None and fits(v, cfg.size)]
        self.sampler = PatchSampler(self.train_sources, cfg.size, self.anisotropic, cfg.seed)
        val_sampler = PatchSampler(val_sources or self.train_sources, cfg.size, self.anisotropic, cfg.seed + 1)
        self.validation_labels, _, _ = val_sampler.sample(64, augment=False)
        net_cfg = copy.deepcopy(cfg.network)
        net_cfg.phases = self.phases
        net_cfg.condition_count = len(self.conditioning['labels'])
        self.net_cfg: NetworkConfig = net_cfg
        self.vae = VAE(net_cfg).to(self.device)
        self.denoiser = Denoiser(net_cfg).to(self.device)
        self.ema = copy.deepcopy(self.denoiser).requires_grad_(False)
        self.vae_opt = torch.optim.Adam(self.vae.parameters(), lr=cfg.vae_lr)
        self.den_opt = torch.optim.Adam(self.denoiser.parameters(), lr=cfg.denoiser_lr)
        self.schedule = LinearSchedule()
        self.alpha_bars = self.schedule.alpha_bars().to(self.device)
        self.vae_step = 0
        self.den_step = 0
        self.elapsed = 0.0
        self.run_started = None
        self.last_save = time.time()
        self.history = {'vae': [], 'denoiser': []}
        self.load_checkpoint()

    # ----- checkpoints -----
    @property
    def checkpoint_path(self) -> str:
        return os.path.join(self.work_dir, 'checkpoint.pt')

    def save_checkpoint(self) -> None:
        state = {
            'config': self.cfg.to_dict(),
            'vae': self.vae.state_dict(),
            'denoiser': self.denoiser.state_dict(),
            'ema': self.ema.state_dict(),
            'vae_opt': self.vae_opt.state_dict(),
            'den_opt': self.den_opt.state_dict(),
            'vae_step': self.vae_step,
            'den_step': self.den_step,
            'elapsed': self.wall_time(),
            'history': self.history,
            'sampler_rng': self.sampler.rng.bit_generator.state,
            'torch_rng': torch.get_rng_state(),
        }
        tmp = self.checkpoint_path + '.tmp'
        torch.save(state, tmp)
        os.replace(tmp, self.checkpoint_path)

    def load_checkpoint(self) -> None:
        if not os.path.exists(self.checkpoint_path):
            return
        state = torch.load(self.checkpoint_path, map_location=self.device, weights_only=False)
        self.vae.load_state_dict(state['vae'])
        self.vae_opt.load_state_dict(state['vae_opt'])
        if state['den_step'] > 0:  # before the denoiser stage its width may still be changed
            self.denoiser.load_state_dict(state['denoiser'])
            self.ema.load_state_dict(state['ema'])
            self.den_opt.load_state_dict(state['den_opt'])
        self.vae_step, self.den_step = state['vae_step'], state['den_step']
        self.elapsed, self.history = state['elapsed'], state['history']
        self.sampler.rng.bit_generator.state = state['sampler_rng']
        torch.set_rng_state(state['torch_rng'].cpu())  # loaded onto the training device; the CPU generator needs a CPU tensor
        self.reporter.log(f'resumed from {self.checkpoint_path} at vae step {self.vae_step}, denoiser step {self.den_step}')

    # ----- helpers -----
    @property
    def total_steps(self) -> int:
        return self.cfg.vae_steps + self.cfg.denoiser_steps

    def condition_ids(self, planes, classes) -> torch.Tensor:
        kind, labels = self.conditioning['kind'], self.conditioning['labels']
        if kind == 'plane':
            ids = [labels.index(p) for p in planes]
        elif kind == 'class':
            ids = [labels.index(c) if c in labels else len(labels) for c in classes]
        else:
            ids = [0] * len(planes)
        return torch.tensor(ids, dtype=torch.long, device=self.device)

    def batch(self, count: int):
        labels, planes, classes = self.sampler.sample(count)
        x = torch.from_numpy(one_hot(labels, self.phases)).to(self.device)
        return x, torch.from_numpy(labels.astype(np.int64)).to(self.device), self.condition_ids(planes, classes)

    @torch.no_grad()
    def validation_accuracy(self) -> float:
        """Pixel accuracy of argmax(decoder(mu)) on the fixed validation patches."""
        self.vae.eval()
        x = torch.from_numpy(one_hot(self.validation_labels, self.phases)).to(self.device)
        mu, _ = self.vae.encoder(x)
        pred = self.vae.decoder(mu).argmax(dim=1).cpu().numpy()
        self.vae.train()
        return float((pred == self.validation_labels).mean())

    @torch.no_grad()
    def latent_scale(self, count: int = 512) -> float:
        """Standard deviation of unscaled encoder means over training patches."""
        self.vae.eval()
        mus = []
        for _ in range(max(1, count // 64)):
            x, _, _ = self.batch(64)
            mus.append(self.vae.encoder.body(x).chunk(2, dim=1)[0])
        self.vae.train()
        return float(torch.cat(mus).std())

    def wall_time(self) -> float:
        """Seconds of training so far, over all resumed runs."""
        return self.elapsed + (time.time() - self.run_started if self.run_started else 0.0)

    def tick(self) -> None:
        if time.time() - self.last_save >= self.cfg.checkpoint_seconds:
            self.save_checkpoint()
            self.last_save = time.time()

    # ----- stages -----
    def train_vae_step(self) -> dict:
        x, labels, _ = self.batch(self.cfg.vae_batch)
        mu, logvar = self.vae.encoder(x)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        logits = self.vae.decoder.logits(z)
        ce = F.cross_entropy(logits, labels)
        kl = kl_per_pixel(mu, logvar, labels.numel())
        loss = ce + self.cfg.kl_weight * kl
        self.vae_opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.vae.parameters(), 1.0)
        self.vae_opt.step()
        return {'loss': loss.item(), 'ce': ce.item(), 'kl': kl.item()}

    def train_denoiser_step(self) -> dict:
        x, _, cond = self.batch(self.cfg.denoiser_batch)
        with torch.no_grad():
            z0, _ = self.vae.encoder(x)
        drop = torch.rand(cond.shape, device=self.device) < self.cfg.condition_dropout
        cond = torch.where(drop, torch.full_like(cond, self.conditioning['nullId']), cond)
        t = torch.randint(0, self.schedule.steps, (z0.shape[0],), device=self.device)
        eps = torch.randn_like(z0)
        loss = F.mse_loss(self.denoiser(add_noise(z0, t, eps, self.alpha_bars), t, cond), eps)
        self.den_opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.denoiser.parameters(), 1.0)
        self.den_opt.step()
        decay = min(self.cfg.ema_decay, (1 + self.den_step) / (10 + self.den_step))
        with torch.no_grad():
            for e, p in zip(self.ema.parameters(), self.denoiser.parameters()):
                e.lerp_(p, 1 - decay)
        return {'loss': loss.item()}

    def report(self, stage: str, step: int, offset: int, metrics: dict) -> None:
        self.history[stage].append([step, metrics['loss']])
        event = {'type': 'progress', 'stage': stage, 'step': offset + step, 'total': self.total_steps}
        event.update(metrics)
        event['elapsedS'] = round(self.wall_time(), 1)
        self.reporter.emit(event)

    def run(self) -> None:
        """Train both stages to their step counts (continuing from a checkpoint), then checkpoint."""
        self.run_started = self.last_save = time.time()
        self.vae.train()
        while self.vae_step < self.cfg.vae_steps:
            metrics = self.train_vae_step()
            self.vae_step += 1
            if self.vae_step % self.cfg.log_every == 0 or self.vae_step == self.cfg.vae_steps:
                if self.vae_step % (self.cfg.log_every * 10) == 0 or self.vae_step == self.cfg.vae_steps:
                    metrics['valAccuracy'] = self.validation_accuracy()
                self.report('vae', self.vae_step, 0, metrics)
            self.tick()
        if self.den_step == 0:
            self.vae.set_latent_scale(1.0)
            scale = self.latent_scale()
            self.vae.set_latent_scale(scale)
            self.reporter.log(f'latent scale (std of encoder means) = {scale:.4f}')
        self.vae.eval().requires_grad_(False)
        while self.den_step < self.cfg.denoiser_steps:
            metrics = self.train_denoiser_step()
            self.den_step += 1
            if self.den_step % self.cfg.log_every == 0 or self.den_step == self.cfg.denoiser_steps:
                self.report('denoiser', self.den_step, self.cfg.vae_steps, metrics)
            self.tick()
        self.save_checkpoint()

    def provenance(self) -> dict:
        """The training part of the manifest."""
        import onnx
        import onnxruntime

        return {
            'dataSource': self.spec.get('source', os.path.abspath(self.dataset_dir)),
            'dataLicence': self.spec.get('licence', 'unknown'),
            'region': [
                {'file': os.path.basename(s.path), 'region': s.region, 'shape': list(s.labels.shape)}
                for s in self.sources
            ],
            'validation': f'last {self.cfg.validation_fraction:.0%} of each source along its first axis',
            'datasetHash': self.dataset_hash,
            'imageCount': len(self.sources),
            'sliceCount': int(sum(c[2] for c in self.sampler.choices)),
            'steps': {'vae': self.vae_step, 'denoiser': self.den_step},
            'wallTimeS': round(self.wall_time(), 1),
            'device': self.cfg.device if self.cfg.device != 'cuda' else torch.cuda.get_device_name(0),
            'cpu': platform.processor() or platform.machine(),
            'threads': self.cfg.threads,
            'config': self.cfg.to_dict(),
            'versions': {
                'python': platform.python_version(),
                'torch': torch.__version__,
                'onnx': onnx.__version__,
                'onnxruntime': onnxruntime.__version__,
            },
        }
