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
