"""Datasets of segmented micrographs: loading, regions, train/validation split, patch sampling, hash.

A dataset is a folder holding 2D label images (.png, pixel value = phase label) and/or 3D label volumes
(.npy uint8 with axes z,y,x, or .raw uint8 with a ``<name>.json`` sidecar {"shape": [nz, ny, nx]}).
An optional ``dataset.json`` lists the files and describes the material:

  {"name": ..., "description": ..., "material": ..., "licence": ..., "source": ...,
   "phases": [{"id": 0, "name": "pore", "color": "#..."}], "anisotropic": false,
   "conditioning": "none" | "plane" | "class",
   "files": [{"file": "a.png", "plane": "xz", "class": "sample-A"},
             {"file": "/abs/volume.raw", "shape": [nz, ny, nx], "region": {"z": [0, 128]}}]}

Every source is held as a 3D uint8 array (a 2D image is one z slice). Slices of 3D volumes are taken in all
three planes: xy (fixed z), xz (fixed y), yz (fixed x); a 2D image is an xy slice unless tagged otherwise.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

PLANES = ('xy', 'xz', 'yz')
DEFAULT_COLORS = ['#1f2937', '#e5c07b', '#61afef', '#e06c75', '#98c379', '#c678dd', '#56b6c2', '#d19a66']


@dataclass
class Source:
    """One label array (nz, ny, nx) with its file, optional plane tag (2D images) and class label."""

    path: str
    labels: np.ndarray
    plane: str | None = None
    class_label: str | None = None
    region: dict = field(default_factory=dict)


def read_labels(path: str, shape=None) -> np.ndarray:
    """Label array (nz, ny, nx) uint8 from a .png, .npy or .raw (+ .json sidecar or explicit shape) file."""
    ext = os.path.splitext(path)[1].lower()
    if ext == '.png':
        image = np.asarray(Image.open(path))
        if image.ndim != 2:
            raise ValueError(f'{path}: expected a single-channel label image, got shape {image.shape}')
        return image.astype(np.uint8)[None]
    if ext == '.npy':
        array = np.load(path)
        if array.ndim == 2:
            array = array[None]
        if array.ndim != 3:
            raise ValueError(f'{path}: expected a 2D or 3D label array, got shape {array.shape}')
        return array.astype(np.uint8)
    if ext == '.raw':
        if shape is None:
            sidecar = os.path.splitext(path)[0] + '.json'
            if not os.path.exists(sidecar):
                raise ValueError(f'{path}: a .raw volume needs a .json sidecar with "shape": [nz, ny, nx]')
            with open(sidecar) as f:
                shape = json.load(f)['shape']
        return np.fromfile(path, dtype=np.uint8).reshape(shape)
    raise ValueError(f'{path}: unsupported file type {ext} (use .png, .npy or .raw)')


def crop_region(labels: np.ndarray, region: dict) -> np.ndarray:
    """Sub-array for a region {"z": [lo, hi], "y": [...], "x": [...]} (missing axes: whole extent)."""
    slices = tuple(slice(*region.get(axis, [None, None])) for axis in ('z', 'y', 'x'))
    return labels[slices]


def load_dataset(folder: str) -> tuple[dict, list[Source]]:
    """Description (dataset.json or defaults) and sources of a dataset folder."""
    spec_path = os.path.join(folder, 'dataset.json')
    spec = {}
    if os.path.exists(spec_path):
        with open(spec_path) as f:
            spec = json.load(f)
    entries = spec.get('files')
    if entries is None:
        names = sorted(n for n in os.listdir(folder) if os.path.splitext(n)[1].lower() in ('.png', '.npy', '.raw'))
        entries = [{'file': n} for n in names]
    if not entries:
        raise ValueError(f'{folder}: no .png, .npy or .raw label files found')
    sources = []
    for entry in entries:
        path = entry['file'] if os.path.isabs(entry['file']) else os.path.join(folder, entry['file'])
        region = entry.get('region', {})
        labels = crop_region(read_labels(path, entry.get('shape')), region)
        plane = entry.get('plane')
        if plane is not None and plane not in PLANES:
            raise ValueError(f'{path}: plane must be one of {PLANES}, got {plane!r}')
        sources.append(Source(path, np.ascontiguousarray(labels), plane, entry.get('class'), region))
    return spec, sources


def dataset_hash(folder: str, sources: list[Source]) -> str:
    """sha256 over dataset.json (when present) and the bytes of every source file, in listed order."""
    digest = hashlib.sha256()
    spec_path = os.path.join(folder, 'dataset.json')
    paths = ([spec_path] if os.path.exists(spec_path) else []) + [s.path for s in sources]
    for path in paths:
        digest.update(os.path.basename(path).encode())
        with open(path, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
    return digest.hexdigest()


def phase_count(sources: list[Source]) -> int:
    return int(max(int(s.labels.max()) for s in sources)) + 1


def split_source(source: Source, validation_fraction: float, size: int) -> tuple[Source, Source | None]:
    """Split along the first axis with room for S x S crops (volumes: z; 2D images: y).

    The validation part is the last ``validation_fraction`` of the axis, widened to at least ``size`` rows
    for a 2D image; no validation part when the source is too small to spare it.
    """
    nz, ny, _ = source.labels.shape
    if nz > 1:
        cut = int(round(nz * (1 - validation_fraction)))
        if cut <= 0 or cut >= nz:
            return source, None
        train, val = source.labels[:cut], source.labels[cut:]
    else:
        rows = max(int(round(ny * validation_fraction)), size)
        if ny - rows < size:
            return source, None
        train, val = source.labels[:, : ny - rows], source.labels[:, ny - rows :]
    make = lambda a: Source(source.path, np.ascontiguousarray(a), source.plane, source.class_label, source.region)
    return make(train), make(val)


def fits(source: Source, size: int) -> bool:
    """Whether an S x S patch can be cut from the source in some plane."""
    nz, ny, nx = source.labels.shape
    return (ny >= size and nx >= size) or (nz > 1 and nz >= size and max(ny, nx) >= size)


class PatchSampler:
    """Random S x S label patches from slices of the sources, with a plane tag and a class label.

    Isotropic data: the 8 symmetries of the square (rotations by 90 degrees and flips).
    Anisotropic data: flips only (rotating would mix the two in-plane directions).
    """

    def __init__(self, sources: list[Source], size: int, anisotropic: bool, seed: int):
        self.size = size
        self.anisotropic = anisotropic
        self.rng = np.random.default_rng(seed)
        self.choices = []  # (source index, plane, number of slices)
        for i, s in enumerate(sources):
            nz, ny, nx = s.labels.shape
            planes = {'xy': (nz, ny, nx), 'xz': (ny, nz, nx), 'yz': (nx, nz, ny)}
            for plane, (count, h, w) in planes.items():
                if nz == 1 and plane != 'xy':
                    continue
                if h >= size and w >= size:
                    self.choices.append((i, plane, count, (h - size + 1) * (w - size + 1) * count))
        if not self.choices:
            raise ValueError(f'no source is at least {size} x {size} in any plane')
        weights = np.array([c[3] for c in self.choices], dtype=np.float64)
        self.weights = weights / weights.sum()
        self.sources = sources

    def plane_of(self, source: Source, plane: str) -> str:
        """The plane tag of a patch: the file's tag for a 2D image, the slicing plane for a volume."""
        if source.labels.shape[0] == 1 and source.plane is not None:
            return source.plane
        return plane

    def patch(self, source: Source, plane: str, index: int, top: int, left: int) -> np.ndarray:
        s = self.size
        a = source.labels
        if plane == 'xy':
            return a[index, top : top + s, left : left + s]
        if plane == 'xz':
            return a[top : top + s, index, left : left + s]
        return a[top : top + s, left : left + s, index]

    def augment(self, patch: np.ndarray) -> np.ndarray:
        if not self.anisotropic:
            patch = np.rot90(patch, int(self.rng.integers(4)))
        if self.rng.integers(2):
            patch = patch[::-1, :]
        if self.rng.integers(2):
            patch = patch[:, ::-1]
        return patch

    def sample(self, count: int, augment: bool = True):
        """``count`` patches: labels uint8 [count,S,S], plane tags and class labels (lists)."""
        picks = self.rng.choice(len(self.choices), size=count, p=self.weights)
        patches, planes, classes = [], [], []
        for k in picks:
            i, plane, slices, _ = self.choices[k]
            source = self.sources[i]
            nz, ny, nx = source.labels.shape
            h, w = {'xy': (ny, nx), 'xz': (nz, nx), 'yz': (nz, ny)}[plane]
            top = int(self.rng.integers(h - self.size + 1))
            left = int(self.rng.integers(w - self.size + 1))
            patch = self.patch(source, plane, int(self.rng.integers(slices)), top, left)
            patches.append(np.ascontiguousarray(self.augment(patch) if augment else patch))
            planes.append(self.plane_of(source, plane))
            classes.append(source.class_label)
        return np.stack(patches), planes, classes


def one_hot(labels: np.ndarray, phases: int) -> np.ndarray:
    """float32 [B,P,S,S] one-hot phase probabilities of uint8 labels [B,S,S]."""
    return (labels[:, None, :, :] == np.arange(phases, dtype=np.uint8)[None, :, None, None]).astype(np.float32)
