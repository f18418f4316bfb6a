"""A tiny configuration trains on a synthetic dataset and exports a bundle that passes verification."""

import hashlib
import json
import os

import numpy as np
import onnxruntime as ort
import pytest
import torch

from microlad_train import export as export_module
from microlad_train.cli import main
from microlad_train.config import preset
from microlad_train.progress import Reporter
from microlad_train.synthetic import write_disc_dataset
from microlad_train.trainer import Trainer

FILES = ['encoder.onnx', 'decoder.onnx', 'denoiser.onnx', 'decoder_vjp.onnx', 'stats.json', 'preview.png']


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    return write_disc_dataset(str(tmp_path_factory.mktemp('data') / 'discs'))


@pytest.fixture(scope='module')
def bundle(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp('bundle') / 'tiny'
    work = tmp_path_factory.mktemp('work')
    code = main(['train', '--dataset', dataset, '--out', str(out), '--work', str(work), '--preset', 'tiny',
                 '--device', 'cpu', '--json'])
    assert code == 0
    return out


def test_manifest_describes_the_bundle(bundle):
    manifest = json.loads((bundle / 'manifest.json').read_text())
    assert manifest['format'] == 'microlad-bundle' and manifest['version'] == 1
    assert manifest['phases'][1]['id'] == 1 and manifest['imageSize'] == 64
    assert manifest['latent'] == {**manifest['latent'], 'channels': 4, 'size': 16, 'factor': 4}
    assert manifest['schedule'] == {'kind': 'linear', 'T': 1000, 'betaStart': 1e-4, 'betaEnd': 2e-2,
                                    'prediction': 'epsilon'}
    assert manifest['conditioning'] == {'kind': 'none', 'labels': [], 'nullId': 0}
    assert manifest['training']['steps'] == {'vae': 30, 'denoiser': 30}
    assert manifest['timings']['denoiserMsBatch16'] > 0 and manifest['timings']['decoderMsBatch64'] > 0
    for name in FILES:
        digest = hashlib.sha256((bundle / name).read_bytes()).hexdigest()
        assert manifest['files'][name] == digest


def test_graphs_have_the_contract_names_and_dynamic_axes(bundle):
    rng = np.random.default_rng(0)
    enc = ort.InferenceSession(str(bundle / 'encoder.onnx'))
    dec = ort.InferenceSession(str(bundle / 'decoder.onnx'))
    den = ort.InferenceSession(str(bundle / 'denoiser.onnx'))
    vjp = ort.InferenceSession(str(bundle / 'decoder_vjp.onnx'))
    assert [i.name for i in den.get_inputs()] == ['z_t', 't', 'cond'] and den.get_outputs()[0].name == 'eps'
    assert [i.name for i in vjp.get_inputs()] == ['z', 'v'] and vjp.get_outputs()[0].name == 'g'
    x = rng.random((3, 2, 128, 96)).astype(np.float32)
    (mu,) = enc.run(['mu'], {'x': x})
    assert mu.shape == (3, 4, 32, 24)
    (y,) = dec.run(['y'], {'z': mu})
    assert y.shape == (3, 2, 128, 96) and np.allclose(y.sum(axis=1), 1, atol=1e-5)
    (eps,) = den.run(['eps'], {'z_t': mu, 't': np.array([1, 2, 3]), 'cond': np.zeros(3, dtype=np.int64)})
    assert eps.shape == mu.shape
    (g,) = vjp.run(['g'], {'z': mu, 'v': y})
    assert g.shape == mu.shape


def test_stats_cover_each_phase(bundle):
    stats = json.loads((bundle / 'stats.json').read_text())
    phases = stats['planes']['all']['phases']
    assert len(phases) == 2 and len(phases[0]['s2']['x']['mean']) == 33
    assert abs(phases[0]['volumeFraction']['mean'] + phases[1]['volumeFraction']['mean'] - 1) < 1e-9


def test_training_resumes_from_checkpoint(dataset, tmp_path):
    cfg = preset('tiny')
    cfg.vae_steps, cfg.denoiser_steps = 4, 0
    Trainer(cfg, dataset, str(tmp_path), Reporter(True, open(os.devnull, 'w'))).run()
    cfg.denoiser_steps = 3
    trainer = Trainer(cfg, dataset, str(tmp_path), Reporter(True, open(os.devnull, 'w')))
    assert trainer.vae_step == 4 and trainer.den_step == 0
    trainer.run()
    assert (trainer.vae_step, trainer.den_step) == (4, 3)
    assert torch.load(trainer.checkpoint_path, weights_only=False)['den_step'] == 3


def test_export_fails_when_the_vjp_is_wrong(dataset, tmp_path, monkeypatch):
    cfg = preset('tiny')
    cfg.vae_steps, cfg.denoiser_steps = 1, 1
    trainer = Trainer(cfg, dataset, str(tmp_path / 'work'), Reporter(True, open(os.devnull, 'w')))
    trainer.run()
    scale = trainer.vae.decoder.layers[0]
    monkeypatch.setattr(type(scale), 'adjoint', lambda self, x, g: 1.01 * g * self.value)
    with pytest.raises(export_module.ExportError, match='decoder_vjp'):
        export_module.export_bundle(trainer, str(tmp_path / 'bundle'), timing=False)


def test_anisotropic_volume_gives_a_plane_conditioned_bundle(tmp_path):
    rng = np.random.default_rng(3)
    volume = (rng.random((64, 64, 64)) < 0.3).astype(np.uint8)
    np.save(tmp_path / 'v.npy', volume)
    (tmp_path / 'dataset.json').write_text(json.dumps({'anisotropic': True, 'files': [{'file': 'v.npy'}]}))
    out = tmp_path / 'bundle'
    code = main(['train', '--dataset', str(tmp_path), '--out', str(out), '--preset', 'tiny', '--device', 'cpu',
                 '--vae-steps', '2', '--denoiser-steps', '20'])
    assert code == 0
    manifest = json.loads((out / 'manifest.json').read_text())
    assert manifest['anisotropic'] is True
    assert manifest['conditioning'] == {'kind': 'plane', 'labels': ['xy', 'xz', 'yz'], 'nullId': 3}
    den = ort.InferenceSession(str(out / 'denoiser.onnx'))
    z = np.repeat(np.random.default_rng(0).standard_normal((1, 4, 16, 16)).astype(np.float32), 4, axis=0)
    (eps,) = den.run(None, {'z_t': z, 't': np.full(4, 500), 'cond': np.arange(4)})
    assert eps.shape == z.shape
    assert not np.allclose(eps[0], eps[3])  # the plane embedding was trained away from the null embedding
