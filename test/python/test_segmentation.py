"""Cross-check of core/segmentation's Otsu and multi-level Otsu against scikit-image.

Run: PATH=<node 24>:$PATH python -m pytest test/python/test_segmentation.py -q

Conventions compared:
- Ours returns, per threshold, the first bin of the upper class (a pixel v is in the upper class when
  v >= t, the rule of the image readers). scikit-image's threshold_otsu returns the last grey level of the
  lower class (foreground = image > t), and threshold_multiotsu returns the last bin of each lower class
  too (its bin centres). For 8-bit integer images (one bin per grey level) ours is therefore skimage's + 1,
  and the segmented images are identical.
- For float images both use 256 bins over [min, max]; skimage reports bin centres, ours the lower edge of
  the first upper bin, so the values differ by half a bin; the segmentations agree away from that band.
"""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

skimage_filters = pytest.importorskip("skimage.filters")

ROOT = Path(__file__).resolve().parents[1].parent
TSX = [os.environ.get("NODE", "node"), str(ROOT / "node_modules" / "tsx" / "dist" / "cli.mjs")]
SCRIPT = ROOT / "test" / "python" / "segmentation_thresholds.ts"


def ours(images):
    """Thresholds from the TypeScript side for [(samples ndarray, classes)]."""
    payload = json.dumps({"images": [{"samples": a.ravel().tolist(), "classes": k} for a, k in images]})
    r = subprocess.run([*TSX, str(SCRIPT)], input=payload, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def mixture(seed, n, modes, dtype=np.uint8):
    """Samples of a Gaussian mixture [(mean, sd, weight)], rounded and clipped to 0..255 for uint8."""
    rng = np.random.default_rng(seed)
    w = np.array([m[2] for m in modes], float)
    which = rng.choice(len(modes), size=n, p=w / w.sum())
    means = np.array([m[0] for m in modes])[which]
    sds = np.array([m[1] for m in modes])[which]
    x = means + sds * rng.standard_normal(n)
    if dtype == np.uint8:
        return np.clip(np.round(x), 0, 255).astype(np.uint8)
    return x.astype(dtype)


UINT8_CASES = [
    (mixture(1, 40000, [(60, 15, 2), (170, 25, 1)]), 2),
    (mixture(2, 40000, [(90, 8, 1), (140, 30, 3)]), 2),
    (mixture(3, 40000, [(40, 12, 3), (120, 15, 2), (200, 10, 2)]), 3),
    (mixture(4, 40000, [(30, 10, 2), (90, 12, 2), (160, 10, 1), (220, 8, 1)]), 4),
    (mixture(5, 40000, [(30, 10, 2), (90, 12, 2), (160, 10, 1), (220, 8, 1), (250, 3, 1)]), 5),
]


def test_uint8_thresholds_match_skimage():
    results = ours(UINT8_CASES)
    for (image, k), r in zip(UINT8_CASES, results):
        assert r["integer8"] and r["lo"] == 0 and r["width"] == 1
        if k == 2:
            ref = [int(skimage_filters.threshold_otsu(image))]
        else:
            ref = [int(t) for t in skimage_filters.threshold_multiotsu(image, classes=k)]
        assert r["bins"] == [t + 1 for t in ref], (k, r["bins"], ref)
        # Same segmentation: ours (v >= t) against skimage's (v > t_ref).
        mine = np.digitize(image, r["values"], right=False)
        theirs = np.sum(image[..., None] > np.array(ref)[None, :], axis=-1)
        assert np.array_equal(mine, theirs)


def test_sandstone_grey_rendering_recovers_the_labels():
    """A noisy grey rendering of a two-phase image: Otsu gives skimage's threshold and the phases back."""
    rng = np.random.default_rng(7)
    labels = (rng.random((128, 128)) < 0.3).astype(np.uint8)
    grey = np.clip(np.round(50 + 120 * labels + 12 * rng.standard_normal(labels.shape)), 0, 255).astype(np.uint8)
    [r] = ours([(grey, 2)])
    assert r["bins"] == [int(skimage_filters.threshold_otsu(grey)) + 1]
    assert np.mean((grey >= r["values"][0]) == labels.astype(bool)) > 0.999


def test_float_threshold_within_half_a_bin_of_skimage():
    image = mixture(9, 20000, [(0.2, 0.05, 1), (0.7, 0.08, 1)], dtype=np.float64)
    [r] = ours([(image, 2)])
    assert not r["integer8"]
    ref = skimage_filters.threshold_otsu(image, nbins=256)
    assert abs(r["values"][0] - ref) <= 0.5 * r["width"] + 1e-9
    [r3] = ours([(image, 3)])
    ref3 = skimage_filters.threshold_multiotsu(image, classes=3, nbins=256)
    assert np.allclose(r3["values"], ref3, atol=0.5 * r3["width"] + 1e-9)
