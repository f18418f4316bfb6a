"""Statistics against cases with known answers."""

import numpy as np

from microlad_train.statistics import (
    lineal_path_along,
    micro3diff_error,
    phase_statistics,
    surface_area,
    two_point_along,
)


def test_two_point_of_vertical_stripes():
    # columns alternate 1, 0, 1, 0 ...: along x S2(r) = 1/2 for even r, 0 for odd r; along y S2 = 1/2
    ind = np.tile((np.arange(8) % 2 == 0).astype(float), (1, 8, 1))
    s2x = two_point_along(ind, 4, -1)[0]
    assert np.allclose(s2x, [0.5, 0, 0.5, 0, 0.5])
    assert np.allclose(two_point_along(ind, 4, -2)[0], 0.5)


def test_lineal_path_of_half_plane_and_stripes():
    half = np.zeros((1, 8, 8))
    half[:, :, :4] = 1  # left half in the phase
    # segments of r + 1 pixels inside the 4 columns: (4 - r) of the (8 - r) start positions
    expected = [(4 - r) / (8 - r) for r in range(5)]
    assert np.allclose(lineal_path_along(half, 4, -1)[0], expected)
    assert np.allclose(lineal_path_along(half, 4, -2)[0], 0.5)


def test_surface_area_counts_interface_edges():
    half = np.zeros((1, 8, 8))
    half[:, :, :4] = 1
    assert np.allclose(surface_area(half), [8 / 64])


def test_phase_statistics_fractions_sum_to_one_and_s2_starts_at_fraction():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=(5, 16, 16)).astype(np.uint8)
    stats = phase_statistics(labels, 3)
    assert abs(sum(p['volumeFraction']['mean'] for p in stats) - 1) < 1e-12
    for p in stats:
        assert abs(p['s2']['x']['mean'][0] - p['volumeFraction']['mean']) < 1e-12


def test_micro3diff_error():
    assert micro3diff_error([1, 2], [1, 2]) == 0
    assert abs(micro3diff_error([1.1, 1.8], [1, 2]) - 10) < 1e-9


def test_fraction_spread_of_independent_voxels_is_binomial():
    """Voxels drawn independently with P(phase 0) = f: Var f(n) = f (1 - f) / n^3, by both methods."""
    from microlad_train.statistics import fraction_spread

    rng = np.random.default_rng(3)
    f = 0.3
    volume = (rng.random((96, 96, 96)) >= f).astype(np.uint8)  # phase 0 with probability f
    measured = fraction_spread([volume], [], 2, seed=1, draws=400)
    assert measured['method'] == 'subvolumes'
    assert measured['sizes'] == [16, 24, 32, 48]
    for n, cov in zip(measured['sizes'], measured['covariance']):
        expected = f * (1 - f) / n**3
        assert abs(cov[0][0] / expected - 1) < 0.25  # 400 draws: the sample variance is within ~15 % (2 SD)
        assert abs(cov[0][1] + cov[0][0]) < 1e-12  # two phases: perfectly anti-correlated



def test_fraction_spread_from_2d_slices_agrees_with_3d_subvolumes():
    """An isotropic thresholded Gaussian field: the 2D-covariance estimate matches cubes measured in 3D."""
    from scipy.ndimage import gaussian_filter

    from microlad_train.statistics import _cube_pair_distance_weights, fraction_spread

    assert abs(_cube_pair_distance_weights(6, 20).sum() - 1) < 1e-12
    rng = np.random.default_rng(4)
    field = gaussian_filter(rng.standard_normal((128, 128, 128)), 2.0, mode='wrap')
    volume = (field > np.quantile(field, 0.3)).astype(np.uint8)  # phase 0: 30 %
    measured = fraction_spread([volume], [], 2, seed=1, draws=600)
    estimated = fraction_spread([], [volume[z] for z in range(0, 128, 4)], 2)
    assert estimated['method'] == 'covariance-2d'
    for n in (16, 24):  # larger cubes of a 128^3 volume are too few to measure the variance
        m = measured['covariance'][measured['sizes'].index(n)][0][0]
        e = estimated['covariance'][estimated['sizes'].index(n)][0][0]
        assert abs(e / m - 1) < 0.35, (n, e, m)


def test_relative_diffusivity_of_straight_channels_is_their_area_fraction():
    """Channels along the axis: D_rel = channel area / cross-section; across it nothing percolates."""
    from microlad_train.statistics import relative_diffusivity

    ind = np.zeros((12, 10, 10), dtype=bool)
    ind[:, 2:5, 3:7] = True  # 12 of 100 columns
    assert abs(relative_diffusivity(ind, 0) - 0.12) < 1e-6
    assert relative_diffusivity(ind, 1) == 0.0
    # a channel with a one-voxel pinch: series resistance, between 0 and the open value
    pinched = ind.copy()
    pinched[6, 2:5, 3:7] = False
    pinched[6, 3, 4] = True
    assert 0 < relative_diffusivity(pinched, 0) < 0.12


def test_transport_statistics_fit_minority_phase_only():
    from scipy.ndimage import gaussian_filter

    from microlad_train.statistics import transport_statistics

    rng = np.random.default_rng(5)
    field = gaussian_filter(rng.standard_normal((64, 64, 64)), 2.0)
    volume = (field > np.quantile(field, 0.3)).astype(np.uint8)  # phase 0: 30 %, well connected
    stats = transport_statistics([volume], 2, draws=6)
    assert stats['size'] == 32
    assert [p['id'] for p in stats['phases']] == [0]
    phase = stats['phases'][0]
    assert len(phase['samples']) == 6
    fit = phase['fit']
    assert 1.0 <= fit['slope'] <= 4.0
    f = np.array([s[0] for s in phase['samples']])
    d = np.array([s[1] for s in phase['samples']])
    predicted = np.exp(fit['intercept'] + fit['slope'] * np.log(f))
    assert np.all(np.abs(np.log(predicted / d)) < 1.0)
    assert transport_statistics([volume[:, :, :20]], 2) is None  # a side under 32: no 3D transport statistics
