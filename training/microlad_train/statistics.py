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


# Sides n of the cubes at which the spread of the phase fractions is tabulated (see fraction_spread).
SPREAD_SIZES = (16, 24, 32, 48, 64, 96, 128)
SPREAD_DEFINITION = (
    'covariance matrix over phases p, q of the phase fractions of n x n x n subvolumes, '
    'Cov(f_p, f_q) at each side n; subvolumes: measured on random cubes of the 3D training sources; '
    'covariance-2d: (1/n^6) sum over voxel pairs x, y of the cube of C_pq(|x - y|), with C_pq(r) the '
    'isotropic cross-covariance measured on the 2D training images (zero beyond half the image side)'
)


def _cube_fractions(volumes: list[np.ndarray], phases: int, n: int, draws: int, rng) -> np.ndarray | None:
    """Phase fractions [draws, P] of random n^3 cubes from the volumes at least 2n on every side (weighted by
    positions). Smaller volumes are left out: their cubes would overlap so much that the spread is too narrow."""
    fitting = [v for v in volumes if min(v.shape) >= 2 * n]
    if not fitting:
        return None
    weights = np.array([np.prod([s - n + 1 for s in v.shape]) for v in fitting], dtype=np.float64)
    picks = rng.choice(len(fitting), size=draws, p=weights / weights.sum())
    out = np.empty((draws, phases))
    for k, i in enumerate(picks):
        v = fitting[i]
        z, y, x = (int(rng.integers(s - n + 1)) for s in v.shape)
        counts = np.bincount(v[z : z + n, y : y + n, x : x + n].ravel(), minlength=phases)[:phases]
        out[k] = counts / n**3
    return out


def _radial_cross_covariance(images: list[np.ndarray], phases: int) -> np.ndarray:
    """Isotropic cross-covariance C_pq(r) = S2_pq(r) - f_p f_q, r = 0 .. half the smallest side -> [P, P, R + 1].

    Non-periodic estimator: FFT correlation with zero padding divided by the number of overlapping pixel
    pairs, averaged over the images (weighted by pair counts) and over integer-rounded radii.
    """
    rmax = min(min(im.shape) for im in images) // 2
    sums = np.zeros((phases, phases, rmax + 1))
    pairs = np.zeros(rmax + 1)
    totals = np.zeros(phases)
    pixels = 0
    for im in images:
        h, w = im.shape
        shape = (2 * h, 2 * w)
        ones = np.fft.rfft2(np.ones((h, w)), s=shape)
        overlap = np.fft.irfft2(ones * np.conj(ones), s=shape)
        dy = np.fft.fftfreq(shape[0]) * shape[0]
        dx = np.fft.fftfreq(shape[1]) * shape[1]
        radius = np.rint(np.sqrt(dy[:, None] ** 2 + dx[None, :] ** 2)).astype(int)
        keep = radius <= rmax
        rb = radius[keep]
        ov = np.rint(overlap[keep])
        pairs += np.bincount(rb, weights=ov, minlength=rmax + 1)
        spectra = [np.fft.rfft2((im == p).astype(np.float64), s=shape) for p in range(phases)]
        for p in range(phases):
            totals[p] += (im == p).sum()
            for q in range(p, phases):
                corr = np.fft.irfft2(spectra[p] * np.conj(spectra[q]), s=shape)
                if p != q:  # symmetrise: pairs (x, x + d) and (x + d, x)
                    corr = 0.5 * (corr + np.fft.irfft2(spectra[q] * np.conj(spectra[p]), s=shape))
                sums[p, q] += np.bincount(rb, weights=corr[keep], minlength=rmax + 1)
        pixels += h * w
    fractions = totals / pixels
    s2 = sums / np.maximum(pairs, 1)
    for p in range(phases):
        for q in range(p + 1, phases):
            s2[q, p] = s2[p, q]
    return s2 - fractions[:, None, None] * fractions[None, :, None]


def _cube_pair_distance_weights(n: int, rmax: int) -> np.ndarray:
    """w[r] = (1/n^6) x number of ordered voxel pairs of an n^3 cube whose distance rounds to r (r <= rmax)."""
    d = np.arange(-(n - 1), n)
    w1 = (n - np.abs(d)).astype(np.float64)
    dist2 = d[:, None] ** 2 + d[None, :] ** 2
    w2 = w1[:, None] * w1[None, :]
    out = np.zeros(rmax + 1)
    for k, dz in enumerate(d):
        r = np.rint(np.sqrt(dist2 + dz * dz)).astype(int)
        keep = r <= rmax
        out += np.bincount(r[keep], weights=(w1[k] * w2)[keep], minlength=rmax + 1)
    return out / float(n) ** 6


def fraction_spread(volumes: list[np.ndarray], images: list[np.ndarray], phases: int, seed: int = 0,
                    draws: int = 256) -> dict:
    """How much the phase fractions of n^3 subvolumes of the material vary with n (stats.json "fractionSpread").

    Reconstruction draws each volume's target fractions from this spread, so that an ensemble varies as real
    subvolumes of the same size do. With 3D training volumes the covariance is measured on random cubes of
    every side n up to half the volume's smallest side (larger sides are left out: the app extrapolates the
    variance as 1/n^3, the law for sides well beyond the correlation length); with 2D images only, it is
    estimated from their isotropic cross-covariance for n up to half the images' smallest side (see
    SPREAD_DEFINITION).
    """
    rng = np.random.default_rng(seed)
    sizes, covariance = [], []
    volumes = [v for v in volumes if v.ndim == 3 and min(v.shape) >= SPREAD_SIZES[0]]
    if volumes:
        method = 'subvolumes'
        for n in SPREAD_SIZES:
            f = _cube_fractions(volumes, phases, n, draws, rng)
            if f is None:
                break
            sizes.append(n)
            covariance.append(np.cov(f, rowvar=False).reshape(phases, phases).tolist())
    else:
        method = 'covariance-2d'
        cov = _radial_cross_covariance(images, phases)
        rmax = cov.shape[-1] - 1
        for n in (n for n in SPREAD_SIZES if n <= rmax):
            c = cov @ _cube_pair_distance_weights(n, rmax)
            if np.any(np.diag(c) <= 0):  # the truncated covariance no longer resolves cubes this large
                break
            covariance.append(c.tolist())
            sizes.append(n)
    return {'method': method, 'definition': SPREAD_DEFINITION, 'sizes': sizes, 'covariance': covariance}


def sources_fraction_spread(sources, phases: int, seed: int = 0) -> dict:
    """fraction_spread of training sources (dataset.Source): 3D sources as volumes, 2D ones (nz = 1) as images."""
    volumes = [s.labels for s in sources if s.labels.shape[0] > 1]
    images = [s.labels[0] for s in sources if s.labels.shape[0] == 1]
    return fraction_spread(volumes, images, phases, seed)
