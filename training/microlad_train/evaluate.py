"""Quality checks of an exported bundle, run with ONNX Runtime on the bundle's own graphs.

``python -m microlad_train.evaluate --bundle DIR --volume FILE.raw --shape NZ,NY,NX --unseen-z LO:HI``

  autoencoder accuracy   fraction of pixels with argmax(decoder(encoder(x))) == label, on S x S crops of
                         slices (all three planes) lying inside the unseen z range of the volume;
  vjp vs finite diff.    |<g, d> - FD| / |FD| with g = decoder_vjp(z, v) and FD the central difference
                         (<decoder(z + h d) - decoder(z - h d), v>) / 2h, for random directions d;
  2D samples             DDIM samples (eta = 0) of the denoiser decoded and quantised; per phase the
                         Micro3Diff error % = 100 sum |S2gen - S2ref| / sum S2ref of the sample-mean S2 (x and
                         y) against stats.json, beside the same error for equally many real training patches,
                         and the fraction of r where the sample mean lies within the real patches' mean +- std.
The results are stored under "evaluation" in manifest.json (the manifest is not among the hashed files).
"""

import argparse
import json
import os
import sys

import numpy as np
import onnxruntime as ort

from .dataset import one_hot, read_labels
from .schedule import LinearSchedule
from .statistics import micro3diff_error, two_point_along


def session(bundle: str, name: str) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(os.path.join(bundle, name), options, providers=['CPUExecutionProvider'])


def crops_in_range(volume: np.ndarray, z_lo: int, z_hi: int, size: int, count: int, rng) -> np.ndarray:
    """``count`` S x S label crops of xy, xz and yz slices whose voxels all lie in z_lo <= z < z_hi."""
    nz, ny, nx = volume.shape
    crops = []
    for k in range(count):
        plane = ('xy', 'xz', 'yz')[k % 3] if z_hi - z_lo >= size else 'xy'
        if plane == 'xy':
            z, y, x = rng.integers(z_lo, z_hi), rng.integers(ny - size + 1), rng.integers(nx - size + 1)
            crops.append(volume[z, y : y + size, x : x + size])
        else:
            z = rng.integers(z_lo, z_hi - size + 1)
            if plane == 'xz':
                y, x = rng.integers(ny), rng.integers(nx - size + 1)
                crops.append(volume[z : z + size, y, x : x + size])
            else:
                y, x = rng.integers(ny - size + 1), rng.integers(nx)
                crops.append(volume[z : z + size, y : y + size, x])
    return np.stack(crops)


def autoencoder_accuracy(bundle: str, labels: np.ndarray, phases: int) -> float:
    enc, dec = session(bundle, 'encoder.onnx'), session(bundle, 'decoder.onnx')
    correct = 0
    for i in range(0, len(labels), 64):
        batch = labels[i : i + 64]
        (mu,) = enc.run(None, {'x': one_hot(batch, phases)})
        (y,) = dec.run(None, {'z': mu})
        correct += int((y.argmax(axis=1) == batch).sum())
    return correct / labels.size


def vjp_finite_difference_errors(bundle: str, labels: np.ndarray, phases: int, rng, h: float = 1e-3) -> list:
    """Relative errors of <decoder_vjp(z, v), d> against central differences, one per direction d."""
    enc, dec, vjp = session(bundle, 'encoder.onnx'), session(bundle, 'decoder.onnx'), session(bundle, 'decoder_vjp.onnx')
    (z,) = enc.run(None, {'x': one_hot(labels[:4], phases)})
    z = z.astype(np.float64)
    errors = []
    for _ in range(5):
        v = rng.standard_normal((4, phases) + labels.shape[1:])
        d = rng.standard_normal(z.shape)
        (g,) = vjp.run(None, {'z': z.astype(np.float32), 'v': v.astype(np.float32)})
        (plus,) = dec.run(None, {'z': (z + h * d).astype(np.float32)})
        (minus,) = dec.run(None, {'z': (z - h * d).astype(np.float32)})
        fd = float(((plus.astype(np.float64) - minus) * v).sum() / (2 * h))
        errors.append(abs(float((g * d).sum()) - fd) / abs(fd))
    return errors


def ddim_samples(bundle: str, manifest: dict, count: int, steps: int, seed: int) -> np.ndarray:
    """Quantised decoded samples uint8 [count, S, S] (unconditional: cond = nullId).

    ``steps`` < T: DDIM (eta = 0) over evenly spaced timesteps; ``steps`` == T: DDPM ancestral sampling with
    the posterior variance beta~_t = beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t).
    """
    den, dec = session(bundle, 'denoiser.onnx'), session(bundle, 'decoder.onnx')
    c, size = manifest['latent']['channels'], manifest['latent']['size']
    alpha_bars = LinearSchedule(
        manifest['schedule']['T'], manifest['schedule']['betaStart'], manifest['schedule']['betaEnd']
    ).alpha_bars().numpy().astype(np.float64)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((count, c, size, size))
    cond = np.full(count, manifest['conditioning']['nullId'], dtype=np.int64)
    times = np.round(np.linspace(len(alpha_bars) - 1, 0, steps)).astype(np.int64)
    for i, t in enumerate(times):
        (eps,) = den.run(None, {'z_t': z.astype(np.float32), 't': np.full(count, t, dtype=np.int64), 'cond': cond})
        a = alpha_bars[t]
        a_prev = alpha_bars[times[i + 1]] if i + 1 < len(times) else 1.0
        z0 = (z - np.sqrt(1 - a) * eps) / np.sqrt(a)
        if steps == len(alpha_bars):
            beta = 1 - a / a_prev
            mean = (z - beta / np.sqrt(1 - a) * eps) / np.sqrt(1 - beta)
            noise = rng.standard_normal(z.shape) if t > 0 else 0.0
            z = mean + np.sqrt(beta * (1 - a_prev) / (1 - a)) * noise
        else:
            z = np.sqrt(a_prev) * z0 + np.sqrt(1 - a_prev) * eps
    (y,) = dec.run(None, {'z': z.astype(np.float32)})
    return y.argmax(axis=1).astype(np.uint8)


def s2_errors(labels: np.ndarray, stats: dict, phases: int) -> dict:
    """Per phase: Micro3Diff error % of the mean S2 (x and y concatenated) of ``labels`` vs stats.json."""
    max_r = labels.shape[-1] // 2
    result = {}
    for p, ref in enumerate(stats['planes']['all']['phases'][:phases]):
        ind = (labels == p).astype(np.float64)
        gen = np.concatenate([two_point_along(ind, max_r, -1).mean(0), two_point_along(ind, max_r, -2).mean(0)])
        reference = np.concatenate([ref['s2']['x']['mean'], ref['s2']['y']['mean']])
        result[str(p)] = round(micro3diff_error(gen, reference), 3)
    return result


def s2_within_spread(labels: np.ndarray, stats: dict, phases: int) -> dict:
    """Per phase: fraction of r (x and y) where the sample-mean S2 lies within mean +- std of real patches."""
    max_r = labels.shape[-1] // 2
    result = {}
    for p, ref in enumerate(stats['planes']['all']['phases'][:phases]):
        ind = (labels == p).astype(np.float64)
        inside = [
            np.abs(two_point_along(ind, max_r, axis).mean(0) - np.array(ref['s2'][name]['mean']))
            <= np.array(ref['s2'][name]['std'])
            for name, axis in (('x', -1), ('y', -2))
        ]
        result[str(p)] = round(float(np.concatenate(inside).mean()), 3)
    return result


def real_patches(volume: np.ndarray, z_lo: int, z_hi: int, size: int, count: int, seed: int) -> np.ndarray:
    return crops_in_range(volume, z_lo, z_hi, size, count, np.random.default_rng(seed))


def evaluate(bundle: str, volume: np.ndarray, unseen: tuple, seen: tuple, samples: int, steps: int) -> dict:
    """All checks of the module docstring; ``steps`` equal to the schedule's T selects DDPM sampling."""
    with open(os.path.join(bundle, 'manifest.json')) as f:
        manifest = json.load(f)
    with open(os.path.join(bundle, 'stats.json')) as f:
        stats = json.load(f)
    size, phases = manifest['imageSize'], len(manifest['phases'])
    rng = np.random.default_rng(0)
    unseen_crops = crops_in_range(volume, *unseen, size, 384, rng)
    generated = ddim_samples(bundle, manifest, samples, steps, seed=1)
    real_errors = [s2_errors(real_patches(volume, *seen, size, samples, 100 + k), stats, phases) for k in range(10)]
    vjp_errors = vjp_finite_difference_errors(bundle, unseen_crops, phases, rng)
    return {
        'autoencoderAccuracyUnseen': round(autoencoder_accuracy(bundle, unseen_crops, phases), 5),
        'unseenRegion': {'z': list(unseen), 'crops': len(unseen_crops), 'planes': 'xy, xz, yz'},
        'vjpVsFiniteDifference': {'maxRelativeError': round(max(vjp_errors), 6), 'directions': len(vjp_errors), 'h': 1e-3},
        'samples2D': {
            'sampler': f"{'DDPM ancestral' if steps == manifest['schedule']['T'] else 'DDIM eta=0'}, {steps} steps, unconditional",
            'count': samples,
            'volumeFraction': {str(p): round(float((generated == p).mean()), 4) for p in range(phases)},
            's2ErrorPercent': s2_errors(generated, stats, phases),
            's2FractionWithinRealStd': s2_within_spread(generated, stats, phases),
            'realPatchesS2ErrorPercent': {
                'what': f'{len(real_errors)} sets of {samples} real training-region patches, same measure',
                'median': {p: float(np.median([e[p] for e in real_errors])) for p in real_errors[0]},
                'max': {p: float(np.max([e[p] for e in real_errors])) for p in real_errors[0]},
            },
        },
    }


def parse_range(text: str) -> tuple:
    lo, hi = text.split(':')
    return int(lo), int(hi)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='python -m microlad_train.evaluate')
    parser.add_argument('--bundle', required=True)
    parser.add_argument('--volume', required=True, help='.raw/.npy label volume the bundle was trained on')
    parser.add_argument('--shape', help='NZ,NY,NX for a .raw volume without sidecar')
    parser.add_argument('--unseen-z', required=True, type=parse_range, help='held-out z range LO:HI')
    parser.add_argument('--seen-z', required=True, type=parse_range, help='training z range LO:HI')
    parser.add_argument('--samples', type=int, default=64)
    parser.add_argument('--ddim-steps', type=int, default=100)
    args = parser.parse_args(argv)
    shape = [int(s) for s in args.shape.split(',')] if args.shape else None
    volume = read_labels(args.volume, shape)
    result = evaluate(args.bundle, volume, args.unseen_z, args.seen_z, args.samples, args.ddim_steps)
    path = os.path.join(args.bundle, 'manifest.json')
    with open(path) as f:
        manifest = json.load(f)
    manifest['evaluation'] = result
    with open(path, 'w') as f:
        json.dump(manifest, f, indent=2)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
