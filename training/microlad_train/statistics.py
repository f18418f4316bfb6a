"""Statistics of 2D label patches, per phase (definitions follow DESIGN.md section 6).

For a patch I_p = [label == p] of size S x S, along an axis (x: columns, y: rows), r = 0 .. S/2:
  volume fraction   mean of I_p;
  S2(r)             two-point correlation, non-periodic: mean over all pixel pairs r apart along the axis
                    that lie inside the patch of I_p(u) I_p(u + r); S2(0) = volume fraction;
  L(r)              lineal path: fraction of segments of r + 1 consecutive pixels along the axis, inside the
                    patch, that lie entirely in the phase; L(0) = volume fraction;
  surface area      2D specific surface: number of pixel edges (x and y neighbours) with exactly one side
                    in the phase, divided by the number of pixels (unit 1/pixel).
Each quantity is given as mean and standard deviation over the patches.
"""

import numpy as np

DEFINITIONS = {
    'volumeFraction': 'mean of the phase indicator over a patch',
    's2': 'non-periodic two-point correlation along the axis: mean of I(u) I(u + r) over pairs inside the patch',
    'linealPath': 'fraction of segments of r + 1 consecutive pixels along the axis lying entirely in the phase',
    'surfaceArea': 'pixel edges (x and y neighbours) with exactly one side in the phase, per pixel',
}


def two_point_along(indicator: np.ndarray, max_r: int, axis: int) -> np.ndarray:
    """Non-periodic S2 along ``axis`` (-1: x, -2: y) of indicators [N,S,S] -> [N, max_r + 1]."""
    a = np.moveaxis(indicator, axis, -1)
    n = a.shape[-1]
    return np.stack([(a[..., : n - r] * a[..., r:]).mean(axis=(-2, -1)) for r in range(max_r + 1)], axis=1)


def lineal_path_along(indicator: np.ndarray, max_r: int, axis: int) -> np.ndarray:
    """Lineal path along ``axis`` of indicators [N,S,S] -> [N, max_r + 1]."""
    a = np.moveaxis(indicator, axis, -1)
    run = a.copy()
    values = []
    for r in range(max_r + 1):
        values.append(run.mean(axis=(-2, -1)))
        run = run[..., :-1] * a[..., r + 1 :]
    return np.stack(values, axis=1)


def surface_area(indicator: np.ndarray) -> np.ndarray:
    """Specific surface (edges with exactly one side in the phase per pixel) of indicators [N,S,S] -> [N]."""
    edges_x = np.abs(np.diff(indicator, axis=-1)).sum(axis=(-2, -1))
    edges_y = np.abs(np.diff(indicator, axis=-2)).sum(axis=(-2, -1))
    return (edges_x + edges_y) / (indicator.shape[-1] * indicator.shape[-2])


def mean_std(values: np.ndarray) -> dict:
    return {'mean': np.mean(values, axis=0).tolist(), 'std': np.std(values, axis=0).tolist()}


def phase_statistics(labels: np.ndarray, phases: int) -> list[dict]:
    """Per-phase statistics of label patches uint8 [N,S,S]."""
    max_r = labels.shape[-1] // 2
    result = []
    for p in range(phases):
        ind = (labels == p).astype(np.float64)
        result.append(
            {
                'id': p,
                'volumeFraction': mean_std(ind.mean(axis=(1, 2))),
                's2': {'x': mean_std(two_point_along(ind, max_r, -1)), 'y': mean_std(two_point_along(ind, max_r, -2))},
                'linealPath': {
                    'x': mean_std(lineal_path_along(ind, max_r, -1)),
                    'y': mean_std(lineal_path_along(ind, max_r, -2)),
                },
                'surfaceArea': mean_std(surface_area(ind)),
            }
        )
    return result


def micro3diff_error(generated: np.ndarray, reference: np.ndarray) -> float:
    """Micro3Diff error % = 100 * sum |f_gen - f_ref| / sum f_ref over the same r range."""
    return float(100.0 * np.abs(np.asarray(generated) - np.asarray(reference)).sum() / np.asarray(reference).sum())


def dataset_statistics(labels: np.ndarray, planes: list[str], phases: int) -> dict:
    """stats.json content: statistics over all patches ("all") and per plane tag present."""
    per_plane = {'all': phase_statistics(labels, phases)}
    tags = np.array(planes)
    for plane in sorted(set(planes)):
        per_plane[plane] = phase_statistics(labels[tags == plane], phases)
    return {
        'imageSize': int(labels.shape[-1]),
        'patchCount': {k: int((tags == k).sum()) if k != 'all' else int(len(labels)) for k in per_plane},
        'r': list(range(labels.shape[-1] // 2 + 1)),
        'definitions': DEFINITIONS,
        'planes': {k: {'phases': v} for k, v in per_plane.items()},
    }
