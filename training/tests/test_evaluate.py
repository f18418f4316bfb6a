"""Evaluation helpers: crops stay inside the requested z range; the S2 error of the reference itself is 0."""

import numpy as np

from microlad_train.evaluate import crops_in_range, s2_errors
from microlad_train.statistics import dataset_statistics


def test_crops_lie_inside_the_z_range_in_all_planes():
    volume = np.zeros((40, 20, 20), dtype=np.uint8)
    volume[24:32] = 1  # only z in [24, 32) is phase 1
    crops = crops_in_range(volume, 24, 32, 8, 30, np.random.default_rng(0))
    assert crops.shape == (30, 8, 8) and crops.min() == 1


def test_s2_error_of_the_statistics_own_patches_is_zero():
    rng = np.random.default_rng(1)
    labels = (rng.random((10, 16, 16)) < 0.3).astype(np.uint8)
    stats = dataset_statistics(labels, ['xy'] * 10, 2)
    assert s2_errors(labels, stats, 2) == {'0': 0.0, '1': 0.0}
    assert s2_errors(1 - labels, stats, 2)['1'] > 10
