"""Export of a trained run to a model bundle (DESIGN.md section 4) with verification.

Writes encoder.onnx, decoder.onnx, denoiser.onnx, decoder_vjp.onnx, stats.json, preview.png and
manifest.json. Fails (ExportError) when ONNX Runtime disagrees with PyTorch beyond ``ORT_TOLERANCE`` or the
exported VJP disagrees with autograd beyond ``VJP_RELATIVE_TOLERANCE`` (max abs error / max abs value).
"""

import copy
import datetime
import hashlib
import json
import os
import statistics as pystats
import time

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image

from .dataset import DEFAULT_COLORS, one_hot
from .networks import DecoderVJP, parameter_count
from .schedule import ddim_sample
from .statistics import dataset_statistics, sources_fraction_spread, sources_transport_statistics

ORT_TOLERANCE = 1e-3
VJP_RELATIVE_TOLERANCE = 1e-4
OPSET = 17


class ExportError(RuntimeError):
    pass


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def export_graph(module, inputs: tuple, path: str, input_names, output_names) -> None:
    """ONNX export with dynamic batch and spatial axes on every 4D tensor (batch only on 1D inputs)."""
    axes = {}
    for name, tensor in zip(input_names, inputs):
        axes[name] = {0: 'batch', 2: f'{name}_height', 3: f'{name}_width'} if tensor.dim() == 4 else {0: 'batch'}
    for name in output_names:
        axes[name] = {0: 'batch', 2: f'{name}_height', 3: f'{name}_width'}
    torch.onnx.export(
        module, inputs, path, input_names=list(input_names), output_names=list(output_names),
        dynamic_axes=axes, opset_version=OPSET, dynamo=False,
    )


def ort_session(path: str, threads: int = 2) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # no busy-waiting between calls: on a shared CPU spinning threads steal time from the work itself
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    return ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])


def max_abs_error(session, feeds: dict, expected: torch.Tensor) -> float:
    got = session.run(None, {k: v.numpy() for k, v in feeds.items()})[0]
    return float(np.abs(got - expected.detach().numpy()).max())


def median_ms(session, feeds: dict, repeats: int = 7) -> float:
    """Median wall time of session.run over ``repeats`` calls after one warm-up call."""
    arrays = {k: v.numpy() for k, v in feeds.items()}
    session.run(None, arrays)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.run(None, arrays)
        times.append((time.perf_counter() - start) * 1000)
    return round(pystats.median(times), 2)


def vjp_relative_error(decoder, z: torch.Tensor, v: torch.Tensor, g: np.ndarray) -> float:
    """max |g - autograd J^T v| / max |autograd J^T v|."""
    z = z.clone().requires_grad_(True)
    (reference,) = torch.autograd.grad((decoder(z) * v).sum(), z)
    return float(np.abs(g - reference.numpy()).max() / np.abs(reference.numpy()).max())


def colorize(labels: np.ndarray, colors: list[str]) -> np.ndarray:
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colors], dtype=np.uint8)
    return rgb[labels]


def write_preview(path: str, real: np.ndarray, generated: np.ndarray, colors: list[str]) -> None:
    """Top row: training patches; bottom row: decoded denoiser samples; 2-pixel white gutters."""
    count, size = real.shape[0], real.shape[-1]
    canvas = np.full((2 * size + 6, count * (size + 2) + 2, 3), 255, dtype=np.uint8)
    for row, images in enumerate((real, generated)):
        for i, image in enumerate(images):
            top, left = 2 + row * (size + 2), 2 + i * (size + 2)
            canvas[top : top + size, left : left + size] = colorize(image, colors)
    Image.fromarray(canvas).resize((canvas.shape[1] * 2, canvas.shape[0] * 2), Image.NEAREST).save(path)


def phase_table(trainer) -> list[dict]:
    given = trainer.spec.get('phases')
    if given:
        return [{'id': p['id'], 'name': p['name'], 'color': p.get('color', DEFAULT_COLORS[p['id']])} for p in given]
    return [{'id': p, 'name': f'phase {p}', 'color': DEFAULT_COLORS[p % len(DEFAULT_COLORS)]} for p in range(trainer.phases)]


def export_bundle(trainer, out_dir: str, name: str | None = None, description: str | None = None,
                  timing: bool = True) -> dict:
    """Write and verify a bundle from the trainer's current weights (EMA denoiser); returns the manifest."""
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(trainer.cfg.threads)
    vae = copy.deepcopy(trainer.vae).cpu().eval()
    denoiser = copy.deepcopy(trainer.ema).cpu().eval()
    cfg = trainer.net_cfg
    size = trainer.cfg.size
    latent = size // 4
    p, c = cfg.phases, cfg.latent_channels
    gen = torch.Generator().manual_seed(1234)
    x = torch.softmax(3 * torch.randn(3, p, size, size, generator=gen), dim=1)
    z = torch.randn(3, c, latent, latent, generator=gen)
    v = torch.randn(3, p, size, size, generator=gen)
    t = torch.tensor([0, 500, 999], dtype=torch.long)
    cond = torch.tensor([cfg.condition_count] * 3, dtype=torch.long)

    class MeanEncoder(torch.nn.Module):
        def __init__(self, encoder):
            super().__init__()
            self.encoder = encoder

        def forward(self, x):
            return self.encoder(x)[0]

    encoder = MeanEncoder(vae.encoder)
    vjp = DecoderVJP(vae.decoder)
    graphs = {
        'encoder.onnx': (encoder, (x,), ['x'], ['mu']),
        'decoder.onnx': (vae.decoder, (z,), ['z'], ['y']),
        'denoiser.onnx': (denoiser, (z, t, cond), ['z_t', 't', 'cond'], ['eps']),
        'decoder_vjp.onnx': (vjp, (z, v), ['z', 'v'], ['g']),
    }
    verification = {}
    sessions = {}
    with torch.no_grad():
        for file, (module, inputs, ins, outs) in graphs.items():
            path = os.path.join(out_dir, file)
            export_graph(module, inputs, path, ins, outs)
            sessions[file] = ort_session(path)
            # check at the training size and at a larger (2x) spatial size: the axes are dynamic
            for label, feeds in (('trainingSize', inputs), ('doubleSize', double_size(inputs))):
                error = max_abs_error(sessions[file], dict(zip(ins, feeds)), module(*feeds))
                verification[f'{file}:{label}:maxAbsError'] = error
                if not error <= ORT_TOLERANCE:
                    raise ExportError(f'{file}: ONNX Runtime differs from PyTorch by {error:.3g} ({label})')
    g_ort = sessions['decoder_vjp.onnx'].run(None, {'z': z.numpy(), 'v': v.numpy()})[0]
    rel = vjp_relative_error(vae.decoder, z, v, g_ort)
    verification['decoder_vjp:relativeErrorVsAutograd'] = rel
    if not rel <= VJP_RELATIVE_TOLERANCE:
        raise ExportError(f'decoder_vjp.onnx: relative error {rel:.3g} against autograd exceeds {VJP_RELATIVE_TOLERANCE}')

    timings = {}
    if timing:
        zt = torch.randn(16, c, latent, latent)
        timings['denoiserMsBatch16'] = median_ms(
            sessions['denoiser.onnx'],
            {'z_t': zt, 't': torch.full((16,), 500, dtype=torch.long), 'cond': torch.full((16,), cfg.condition_count, dtype=torch.long)},
        )
        timings['decoderMsBatch64'] = median_ms(sessions['decoder.onnx'], {'z': torch.randn(64, c, latent, latent)})
        timings['encoderMsBatch64'] = median_ms(sessions['encoder.onnx'], {'x': torch.softmax(torch.randn(64, p, size, size), 1)})
        timings['decoderVjpMsBatch64'] = median_ms(
            sessions['decoder_vjp.onnx'], {'z': torch.randn(64, c, latent, latent), 'v': torch.randn(64, p, size, size)}
        )
        timings['measuredWith'] = f'onnxruntime {ort.__version__} CPU, 2 intra-op threads without spinning, median of 7 calls'

    stats_sampler = copy.deepcopy(trainer.sampler)
    stats_sampler.rng = np.random.default_rng(trainer.cfg.seed + 7)
    labels, planes, _ = stats_sampler.sample(trainer.cfg.stats_patches, augment=False)
    stats = dataset_statistics(labels, planes, p)
    stats['source'] = 'training region (validation part excluded), unaugmented patches'
    stats['fractionSpread'] = sources_fraction_spread(trainer.train_sources, p, trainer.cfg.seed)
    transport = sources_transport_statistics(trainer.train_sources, p, trainer.cfg.seed)
    if transport is not None:
        stats['transport'] = transport
    with open(os.path.join(out_dir, 'stats.json'), 'w') as f:
        json.dump(stats, f)

    phases = phase_table(trainer)
    with torch.no_grad():
        samples = ddim_sample(denoiser, (6, c, latent, latent), torch.full((6,), cfg.condition_count, dtype=torch.long),
                              trainer.schedule, trainer.cfg.preview_ddim_steps, generator=torch.Generator().manual_seed(5))
        generated = vae.decoder(samples).argmax(dim=1).numpy().astype(np.uint8)
    write_preview(os.path.join(out_dir, 'preview.png'), labels[:6], generated, [ph['color'] for ph in phases])

    spec = trainer.spec
    manifest = {
        'format': 'microlad-bundle',
        'version': 1,
        'name': name or spec.get('name', os.path.basename(os.path.abspath(out_dir))),
        'description': description or spec.get('description', 'MicroLad model bundle'),
        'material': spec.get('material', 'unspecified'),
        'phases': phases,
        'imageSize': size,
        'latent': {'channels': c, 'size': latent, 'factor': size // latent, 'scale': float(vae.decoder.latent_scale)},
        'schedule': trainer.schedule.manifest(),
        'conditioning': trainer.conditioning,
        'anisotropic': trainer.anisotropic,
        'training': trainer.provenance(),
        'networks': {
            'encoderParameters': parameter_count(vae.encoder),
            'decoderParameters': parameter_count(vae.decoder),
            'denoiserParameters': parameter_count(denoiser),
            'klWeight': trainer.cfg.kl_weight,
            'klNormalisation': 'KL summed over latent elements / number of image pixels, beside per-pixel cross-entropy',
            'denoiserWeights': 'EMA',
        },
        'verification': verification,
        'timings': timings,
        'licence': spec.get('bundleLicence', 'MIT (weights); training data under its own licence, see training.dataLicence'),
        'createdAt': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
    }
    files = ['encoder.onnx', 'decoder.onnx', 'denoiser.onnx', 'decoder_vjp.onnx', 'stats.json', 'preview.png']
    manifest['files'] = {f: sha256_of(os.path.join(out_dir, f)) for f in files}
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
    return manifest


def double_size(inputs: tuple) -> tuple:
    """The same inputs with 4D tensors tiled to twice the height and width."""
    return tuple(x.repeat(1, 1, 2, 2) if x.dim() == 4 else x for x in inputs)
