"""Small synthetic two-phase dataset (overlapping discs) for tests and the tiny bundle."""

import os

import numpy as np
from PIL import Image


def disc_image(size: int, count: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """uint8 label image: 1 inside any of ``count`` random discs of the given radius, 0 elsewhere."""
    yy, xx = np.mgrid[0:size, 0:size]
    image = np.zeros((size, size), dtype=np.uint8)
    for cy, cx in rng.uniform(0, size, size=(count, 2)):
        image[(yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2] = 1
    return image


def write_disc_dataset(folder: str, images: int = 4, size: int = 96, seed: int = 0) -> str:
    """Write ``images`` PNG label images of discs plus one small .npy volume of discs slices; return folder."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(images):
        Image.fromarray(disc_image(size, 14, 6.0, rng)).save(os.path.join(folder, f'discs-{i}.png'))
    volume = np.stack([disc_image(72, 8, 6.0, rng) for _ in range(24)])
    np.save(os.path.join(folder, 'discs-volume.npy'), volume)
    return folder
