"""Cross-checks of `microlad describe` / `synth` against independent implementations (numpy, scipy, PoreSpy).

Run: PATH=<node 24>:$PATH python -m pytest test/python/test_analysis.py -q -s  (prints the measured differences)

Definition differences, measured below:
- Axis S2: ours is the non-periodic estimator (zero padding, each lag divided by its pair count) along one
  axis; checked against a direct numpy computation of the same definition (should agree to rounding).
- Radial S2: PoreSpy's two_point_correlation (3.x) uses the same zero-padded, pair-count-normalised 2D/3D
  autocorrelation but bins lags by floor(|d|) into [r, r + 1) (so it reports bin centres r + 0.5), where ours
  bins by round(|d|) = r. The curves differ by that half-lag shift; we compare ours at r with PoreSpy's bin
  [r, r + 1) and print the difference.
- Chords: ours are maximal runs along an axis, chords cut by the two ends of their line left out. PoreSpy's
  apply_chords(spacing=0) marks the same runs (lengths counted with scipy); its trim_edges=True also drops
  chords lying on the side faces, so it finds fewer (printed).
- Lineal path: PoreSpy's lineal_path_distribution is a length-weighted histogram of chord lengths, not
  Torquato's L(r) which we report; ours is checked against a direct scipy minimum-filter count instead.
"""
import json
import os
import subprocess
import warnings
from pathlib import Path

import numpy as np
import porespy as ps
import pytest
from scipy import ndimage

ROOT = Path(__file__).resolve().parents[2]
CLI = [os.environ.get("NODE", "node"), str(ROOT / "bin" / "microlad.cjs")]
BEREA = ROOT.parent / "shared" / "data" / "3d-berea-sandstone" / "volume.raw"


def microlad(*args):
    r = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if "--json" in args else r.stdout


def axis_s2(indicator, axis, max_r):
    """Direct non-periodic S2 along one axis: mean of f(x) f(x + r e_axis) over pairs inside the volume."""
    f = np.moveaxis(indicator.astype(np.float64), axis, -1)
    n = f.shape[-1]
    return np.array([np.mean(f[..., : n - r] * f[..., r:]) for r in range(max_r + 1)])


def lineal_path(indicator, axis, max_r):
    """L(r): fraction of the r + 1 voxel segments along the axis lying wholly in the phase."""
    f = np.moveaxis(indicator.astype(np.uint8), axis, -1)
    n = f.shape[-1]
    out = []
    for r in range(max_r + 1):
        # Minimum over the window [i, i + r] via a cumulative count of misses.
        misses = np.cumsum(np.concatenate([np.zeros(f.shape[:-1] + (1,)), 1 - f], axis=-1), axis=-1)
        window = misses[..., r + 1 :] - misses[..., : n - r]
        out.append(np.mean(window == 0))
    return np.array(out)


def chord_counts_porespy(indicator, axis, trim_all_faces=False):
    """Chord-length counts from PoreSpy's apply_chords on every line (spacing=0), lengths counted with scipy.

    PoreSpy's trim_edges drops chords touching any face of the image, also the faces parallel to the axis;
    ours drops only those cut at the two ends of their line. So by default chords come untrimmed from
    PoreSpy and those touching the ends along the axis are dropped here; trim_all_faces=True uses PoreSpy's own
    trimming (printed for information).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spacing=0: chords on every line
        chords = ps.filters.apply_chords(indicator.astype(bool), spacing=0, axis=axis, trim_edges=trim_all_faces)
    structure = np.zeros((3,) * indicator.ndim, dtype=bool)
    centre = [1] * indicator.ndim
    for d in (0, 1, 2):
        idx = list(centre)
        idx[axis] = d
        structure[tuple(idx)] = True
    labels, count = ndimage.label(chords > 0, structure=structure)
    if not trim_all_faces:
        ends = np.unique(np.concatenate([np.take(labels, 0, axis=axis).ravel(), np.take(labels, -1, axis=axis).ravel()]))
        labels[np.isin(labels, ends[ends > 0])] = 0
    lengths = np.bincount(labels.ravel())[1:]
    lengths = lengths[lengths > 0]
    return np.bincount(lengths) if count else np.zeros(1, dtype=int)


@pytest.fixture(scope="module")
def volumes(tmp_path_factory):
    d = tmp_path_factory.mktemp("analysis")
    out = {}
    for name, args in {
        "spheres": ["spheres", "--size", 48, "--vf", 0.35, "--radius", 4, "--seed", 3],
        "grf2d": ["grf", "--shape", "1,160,128", "--vf", 0.4, "--correlation-length", 3, "--seed", 5],
    }.items():
        path = d / f"{name}.npy"
        microlad("synth", *args, "--out", path, "--json")
        out[name] = (path, np.load(path))
    if BEREA.exists():
        raw = np.fromfile(BEREA, dtype=np.uint8).reshape(256, 256, 256)[:64, :64, :64]
        path = d / "berea64.npy"
        np.save(path, np.ascontiguousarray(raw))
        out["berea64"] = (path, raw)
    return out


@pytest.mark.parametrize("name", ["spheres", "grf2d", "berea64"])
def test_axis_s2_lineal_path_and_chords(volumes, name):
    if name not in volumes:
        pytest.skip(f"real data not found at {BEREA}; skipping the Berea cross-check")
    path, labels = volumes[name]
    desc = microlad("describe", path, "--json")
    for phase in desc["phases"]:
        ind = labels == phase["id"]
        assert abs(phase["volumeFraction"] - ind.mean()) < 1e-12
        for a, axis in enumerate("zyx"):
            if labels.shape[a] == 1:
                continue
            ours = np.array(phase["s2"][axis])
            ref = axis_s2(ind, a, len(ours) - 1)
            lp = np.array(phase["linealPath"][axis])
            lp_ref = lineal_path(ind, a, len(lp) - 1)
            ps_counts = chord_counts_porespy(ind, a)
            ps_trimmed = chord_counts_porespy(ind, a, trim_all_faces=True).sum()
            our_counts = np.array(phase["chordLength"][axis]["counts"], dtype=int)
            m = max(len(ps_counts), len(our_counts))
            chord_diff = np.abs(np.pad(ps_counts, (0, m - len(ps_counts))) - np.pad(our_counts, (0, m - len(our_counts))))
            print(
                f"\n{name} phase {phase['id']} axis {axis}: S2 max |diff| vs numpy {np.max(np.abs(ours - ref)):.2e}, "
                f"lineal path max |diff| vs scipy {np.max(np.abs(lp - lp_ref)):.2e}, "
                f"chords {our_counts.sum()} ours vs {ps_counts.sum()} PoreSpy runs (differences {chord_diff.sum()}; "
                f"{ps_trimmed} with PoreSpy's all-face trimming)"
            )
            assert np.max(np.abs(ours - ref)) < 1e-9
            assert np.max(np.abs(lp - lp_ref)) < 1e-12
            assert chord_diff.sum() == 0


def test_radial_s2_against_porespy(volumes):
    path, labels = volumes["grf2d"]
    desc = microlad("describe", path, "--json")
    ours = np.array(desc["phases"][1]["s2"]["radial"])
    image = labels[0] == 1
    r_max = min(image.shape) // 2
    tpcf = ps.metrics.two_point_correlation(image, bins=np.arange(0, r_max + 1))
    # `probability_scaled` is S2 itself (`probability` is S2 / S2(0) in PoreSpy 3.x).
    theirs = np.asarray(tpcf.probability_scaled)
    n = min(len(ours), len(theirs))
    diff = np.abs(ours[:n] - theirs[:n])
    print(
        f"\nradial S2 vs PoreSpy two_point_correlation (bins round(|d|) = r vs floor(|d|) = r): "
        f"r = 0 diff {diff[0]:.2e}; max |diff| {diff.max():.4f} (at r = {diff.argmax()}), mean {diff.mean():.4f}"
    )
    assert diff[0] < 1e-9
    assert diff.max() < 0.01 and diff.mean() < 0.002
    # Both converge to the squared volume fraction at large r.
    assert abs(ours[-1] - image.mean() ** 2) < 0.02 and abs(theirs[n - 1] - image.mean() ** 2) < 0.02


def test_sphere_s2_closed_form(volumes):
    """Matrix S2 of the synthesized Boolean spheres against φ^(2 − V_int(r)/V) (periodic estimator)."""
    path, labels = volumes["spheres"]
    desc = microlad("describe", path, "--phase", 0, "--periodic", "--json")
    phi = (labels == 0).mean()
    radius = 4.0
    worst = 0.0
    for axis in "zyx":
        s2 = np.array(desc["phases"][0]["s2"][axis])
        r = np.arange(len(s2)) / radius
        ratio = np.where(r < 2, 1 - 0.75 * r + r**3 / 16, 0)
        closed = phi ** (2 - ratio)
        err = 100 * np.abs(s2 - closed).sum() / closed.sum()
        worst = max(worst, err)
        print(f"\nspheres 48^3 R=4 axis {axis}: error vs closed form {err:.2f} %")
    assert worst < 5
