"""Cross-checks of `microlad property` (src/core/physics) on real data.

1. An independent finite-volume solver written here with scipy.sparse, same convention (unit voxels,
   harmonic face conductances, c = 1 / 0 held half a voxel outside the first / last layer, so boundary
   conductance 2 sigma, no-flux sides, voxels not face-connected to both ends removed), solved directly.
   The bar: pore D_rel of a Berea 64^3 crop within 1 %.
2. TauFactor (taufactor.Solver on the CPU) on the same crop. Its boundary convention is the same: the mask
   is padded with conductance 2 at the two held faces and the padded field holds 2 * bc, i.e. the value bc
   half a voxel outside the first layer. It differs in measuring the flux as the mean over all interior
   layer pairs, in stopping when that flux varies by < 1 % between layers (and tau changes by < 2e-3), and in
   keeping isolated pores in the grid. So it agrees to about its stopping tolerance, not to 1e-6.

Run with `python3 -m pytest -s test/python/test_physics.py` to see the measured differences.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.sparse as sp
import scipy.sparse.linalg as spla

ROOT = Path(__file__).resolve().parents[2]
BEREA = ROOT.parent / 'shared' / 'data' / '3d-berea-sandstone' / 'volume.raw'
NODE = os.environ.get('NODE', 'node')

pytestmark = pytest.mark.skipif(not BEREA.exists(), reason=f'real data not found at {BEREA}; skipping Berea cross-checks')


def berea_crop(n):
    vol = np.fromfile(BEREA, dtype=np.uint8).reshape(256, 256, 256)
    return np.ascontiguousarray(vol[:n, :n, :n])


def microlad_property(path, phase, axis):
    out = subprocess.run(
        [NODE, str(ROOT / 'bin' / 'microlad.cjs'), 'property', str(path), '--phase', str(phase), '--axis', axis,
         '--tol', '1e-8', '--json'],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def reference_conductivity(sigma, axis):
    """sigma_eff = F L / (A dc) by a direct sparse solve; `axis` is 0, 1 or 2 of the (z, y, x) array."""
    sigma = np.moveaxis(np.asarray(sigma, dtype=np.float64), axis, 0)
    labels, _ = ndi.label(sigma > 0)  # face connectivity (the default structure)
    both = np.intersect1d(np.unique(labels[0]), np.unique(labels[-1]))
    keep = np.isin(labels, both[both > 0])
    index = -np.ones(sigma.shape, dtype=np.int64)
    index[keep] = np.arange(keep.sum())
    m = int(keep.sum())
    rows, cols, vals = [], [], []
    diag = np.zeros(m)
    for d in range(3):
        a = [slice(None)] * 3
        b = [slice(None)] * 3
        a[d] = slice(0, -1)
        b[d] = slice(1, None)
        i, j = index[tuple(a)], index[tuple(b)]
        si, sj = sigma[tuple(a)], sigma[tuple(b)]
        both_kept = (i >= 0) & (j >= 0)
        g = 2 * si[both_kept] * sj[both_kept] / (si[both_kept] + sj[both_kept])
        i, j = i[both_kept], j[both_kept]
        rows += [i, j]
        cols += [j, i]
        vals += [-g, -g]
        np.add.at(diag, i, g)
        np.add.at(diag, j, g)
    rhs = np.zeros(m)
    first, last = index[0][keep[0]], index[-1][keep[-1]]
    np.add.at(diag, first, 2 * sigma[0][keep[0]])
    np.add.at(rhs, first, 2 * sigma[0][keep[0]])
    np.add.at(diag, last, 2 * sigma[-1][keep[-1]])
    A = sp.csr_matrix((np.concatenate(vals + [diag]), (np.concatenate(rows + [np.arange(m)]),
                                                       np.concatenate(cols + [np.arange(m)]))), shape=(m, m))
    c = spla.spsolve(A.tocsc(), rhs)
    flux = np.sum(2 * sigma[-1][keep[-1]] * c[last])
    length = sigma.shape[0]
    area = sigma.shape[1] * sigma.shape[2]
    return flux * length / area


def test_reference_solver_on_analytic_laminate():
    # guards the reference itself: series laminate -> harmonic mean
    layers = np.array([1.0, 0.2, 3.0, 0.5])
    sigma = np.broadcast_to(layers[:, None, None], (4, 3, 3))
    assert reference_conductivity(sigma, 0) == pytest.approx(4 / np.sum(1 / layers), rel=1e-12)


@pytest.mark.parametrize('axis', ['z', 'x'])
def test_berea_pore_diffusivity_matches_scipy_within_one_percent(tmp_path, axis):
    vol = berea_crop(64)
    path = tmp_path / 'berea64.npy'
    np.save(path, vol)
    ours = microlad_property(path, 0, axis)
    t = time.perf_counter()
    ref = reference_conductivity((vol == 0).astype(np.float64), 'zyx'.index(axis))
    ref_s = time.perf_counter() - t
    rel = abs(ours['relativeDiffusivity'] - ref) / ref
    print(f"\nBerea 64^3 pore along {axis}: microlad D_rel {ours['relativeDiffusivity']:.8f} "
          f"({ours['iterations']} it, residual {ours['residual']:.1e}, {ours['timeMs'] / 1000:.2f} s), "
          f"scipy spsolve {ref:.8f} ({ref_s:.2f} s), relative difference {rel:.2e}")
    assert ours['percolating']
    assert rel < 0.01
    assert ours['volumeFraction'] == pytest.approx(np.mean(vol == 0), abs=1e-12)
    assert ours['tortuosityFactor'] == pytest.approx(ours['volumeFraction'] / ours['relativeDiffusivity'], rel=1e-12)


def test_berea_pore_against_taufactor(tmp_path):
    taufactor = pytest.importorskip('taufactor')
    vol = berea_crop(64)
    path = tmp_path / 'berea64.npy'
    np.save(path, vol)
    ours = microlad_property(path, 0, 'z')
    solver = taufactor.Solver((vol == 0).astype(np.uint8), device='cpu')  # TauFactor drives along axis 0 = z
    t = time.perf_counter()
    solver.solve(verbose=False, iter_limit=100000)
    tf_s = time.perf_counter() - t
    tf_tau, tf_drel = float(solver.tau[0]), float(solver.D_rel[0])
    rel = abs(ours['relativeDiffusivity'] - tf_drel) / tf_drel
    print(f"\nBerea 64^3 pore along z: microlad tau {ours['tortuosityFactor']:.5f} D_rel "
          f"{ours['relativeDiffusivity']:.6f}; TauFactor tau {tf_tau:.5f} D_rel {tf_drel:.6f} "
          f"({solver.iter} iterations, {tf_s:.1f} s); relative difference in D_rel {rel:.2e}")
    # same boundary convention; TauFactor stops at ~1 % flux non-uniformity
    assert rel < 0.02
