"""Dataset loading, regions, split, sampling and hash."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from microlad_train.dataset import PatchSampler, dataset_hash, load_dataset, one_hot, split_source


def write_raw(folder, name, volume):
    volume.astype(np.uint8).tofile(os.path.join(folder, name + '.raw'))
    with open(os.path.join(folder, name + '.json'), 'w') as f:
        json.dump({'shape': list(volume.shape)}, f)


def test_raw_with_sidecar_and_region(tmp_path):
    volume = np.arange(4 * 5 * 6).reshape(4, 5, 6) % 3
    write_raw(tmp_path, 'v', volume)
    spec = {'files': [{'file': 'v.raw', 'region': {'z': [0, 2], 'x': [1, 4]}}]}
    (tmp_path / 'dataset.json').write_text(json.dumps(spec))
    _, sources = load_dataset(str(tmp_path))
    assert np.array_equal(sources[0].labels, volume[0:2, :, 1:4])


def test_png_and_npy_without_spec(tmp_path):
    Image.fromarray(np.eye(20, dtype=np.uint8)).save(tmp_path / 'a.png')
    np.save(tmp_path / 'b.npy', np.zeros((3, 20, 20), dtype=np.uint8))
    _, sources = load_dataset(str(tmp_path))
    assert [s.labels.shape for s in sources] == [(1, 20, 20), (3, 20, 20)]


def test_hash_changes_with_content(tmp_path):
    np.save(tmp_path / 'b.npy', np.zeros((3, 20, 20), dtype=np.uint8))
    _, sources = load_dataset(str(tmp_path))
    first = dataset_hash(str(tmp_path), sources)
    np.save(tmp_path / 'b.npy', np.ones((3, 20, 20), dtype=np.uint8))
    assert dataset_hash(str(tmp_path), load_dataset(str(tmp_path))[1]) != first


def test_split_keeps_the_validation_part_apart(tmp_path):
    np.save(tmp_path / 'v.npy', np.arange(20)[:, None, None].repeat(16, 1).repeat(16, 2).astype(np.uint8))
    _, (source,) = load_dataset(str(tmp_path))
    train, val = split_source(source, 0.25, 8)
    assert train.labels.max() == 14 and val.labels.min() == 15


def test_sampler_planes_and_anisotropic_augmentation(tmp_path):
    volume = np.zeros((16, 16, 16), dtype=np.uint8)
    volume[:, :, :8] = 1  # left half along x: xy and xz slices show a vertical interface, yz slices are uniform
    np.save(tmp_path / 'v.npy', volume)
    _, sources = load_dataset(str(tmp_path))
    sampler = PatchSampler(sources, 16, anisotropic=True, seed=0)
    patches, planes, _ = sampler.sample(200)
    assert set(planes) == {'xy', 'xz', 'yz'}
    for patch, plane in zip(patches, planes):
        if plane == 'yz':
            assert patch.min() == patch.max()
        else:  # flips only: the interface stays vertical (columns constant)
            assert np.all(patch == patch[:1, :])


def test_isotropic_sampling_rotates(tmp_path):
    image = np.zeros((16, 16), dtype=np.uint8)
    image[:, :8] = 1
    Image.fromarray(image).save(tmp_path / 'a.png')
    _, sources = load_dataset(str(tmp_path))
    patches, _, _ = PatchSampler(sources, 16, anisotropic=False, seed=0).sample(50)
    assert any(np.all(p == p[:, :1]) for p in patches)  # some patches rotated: rows constant


def test_one_hot():
    labels = np.array([[[0, 2], [1, 0]]], dtype=np.uint8)
    x = one_hot(labels, 3)
    assert x.shape == (1, 3, 2, 2) and np.array_equal(x.argmax(axis=1), labels)


def test_unknown_plane_is_refused(tmp_path):
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(tmp_path / 'a.png')
    (tmp_path / 'dataset.json').write_text(json.dumps({'files': [{'file': 'a.png', 'plane': 'zz'}]}))
    with pytest.raises(ValueError, match='plane'):
        load_dataset(str(tmp_path))
