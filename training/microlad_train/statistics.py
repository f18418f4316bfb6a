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


def _random_cubes(volumes: list[np.ndarray], n: int, count: int, rng) -> list[np.ndarray]:
    """``count`` random n^3 cubes (views) from the volumes, each volume weighted by its number of positions."""
    weights = np.array([np.prod([s - n + 1 for s in v.shape]) for v in volumes], dtype=np.float64)
    cubes = []
    for i in rng.choice(len(volumes), size=count, p=weights / weights.sum()):
        v = volumes[i]
        z, y, x = (int(rng.integers(s - n + 1)) for s in v.shape)
        cubes.append(v[z : z + n, y : y + n, x : x + n])
    return cubes


def _cube_fractions(volumes: list[np.ndarray], phases: int, n: int, draws: int, rng) -> np.ndarray | None:
    """Phase fractions [draws, P] of random n^3 cubes from the volumes at least 2n on every side (weighted by
    positions). Smaller volumes are left out: their cubes would overlap so much that the spread is too narrow."""
    fitting = [v for v in volumes if min(v.shape) >= 2 * n]
    if not fitting:
        return None
    cubes = _random_cubes(fitting, n, draws, rng)
    return np.array([np.bincount(c.ravel(), minlength=phases)[:phases] / n**3 for c in cubes])


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


def _covariance_2d_spread(images: list[np.ndarray], phases: int) -> tuple[list[int], list[np.ndarray]]:
    """Sides n (up to half the images' smallest side) and the covariance of n^3 fractions from 2D images."""
    cov = _radial_cross_covariance(images, phases)
    rmax = cov.shape[-1] - 1
    sizes, covariance = [], []
    for n in (n for n in SPREAD_SIZES if n <= rmax):
        c = cov @ _cube_pair_distance_weights(n, rmax)
        if np.any(np.diag(c) <= 0):  # the truncated covariance no longer resolves cubes this large
            break
        sizes.append(n)
        covariance.append(c)
    return sizes, covariance


def _widest_slices(volumes: list[np.ndarray]) -> list[np.ndarray]:
    """Every 4th slice of each volume across its shortest axis (the slices with the largest smallest side)."""
    out = []
    for v in volumes:
        axis = int(np.argmin(v.shape))
        out += [np.take(v, i, axis=axis) for i in range(0, v.shape[axis], 4)]
    return out


def fraction_spread(volumes: list[np.ndarray], images: list[np.ndarray], phases: int, seed: int = 0,
                    draws: int = 256) -> dict:
    """How much the phase fractions of n^3 subvolumes of the material vary with n (stats.json "fractionSpread").

    Reconstruction draws each volume's target fractions from this spread, so that an ensemble varies as real
    subvolumes of the same size do. With 3D training volumes the covariance is measured on random cubes of
    every side n up to half the volume's smallest side (larger sides are left out: the app extrapolates the
    variance, see src/core/models/fraction-spread.ts; volumes too thin for three sides are extended with the
    2D estimate from their slices, scaled to agree at the largest measured side); with 2D images only, it is
    estimated from their isotropic cross-covariance for n up to half the images' smallest side (see
    SPREAD_DEFINITION).
    """
    rng = np.random.default_rng(seed)
    volumes = [v for v in volumes if v.ndim == 3 and min(v.shape) >= SPREAD_SIZES[0]]
    if volumes:
        method = 'subvolumes'
        sizes, covariance = [], []
        for n in SPREAD_SIZES:
            f = _cube_fractions(volumes, phases, n, draws, rng)
            if f is None:
                break
            sizes.append(n)
            covariance.append(np.cov(f, rowvar=False).reshape(phases, phases))
        if len(sizes) < 3:
            # Thin volumes: extend with the 2D estimate from their widest slices, scaled to agree with the
            # cubes at the largest side measured directly.
            est_sizes, est_cov = _covariance_2d_spread(_widest_slices(volumes), phases)
            if sizes and sizes[-1] in est_sizes:
                at = est_cov[est_sizes.index(sizes[-1])]
                scale = np.trace(covariance[-1]) / np.trace(at) if np.trace(at) > 0 else 1.0
                extra = [(n, c * scale) for n, c in zip(est_sizes, est_cov) if n > sizes[-1]]
                if extra:
                    method = 'subvolumes+covariance-2d'
                    sizes += [n for n, _ in extra]
                    covariance += [c for _, c in extra]
    else:
        method = 'covariance-2d'
        sizes, covariance = _covariance_2d_spread(images, phases)
    # Fractions sum to one, so every row of a true covariance sums to zero; the 2D estimate (edge effects of
    # the non-periodic estimator on heterogeneous images) does not quite. Project onto that space:
    # C <- (I - 11'/P) C (I - 11'/P), which leaves an exact covariance unchanged.
    centre = np.eye(phases) - 1.0 / phases
    covariance = [(centre @ np.asarray(c) @ centre).tolist() for c in covariance]
    return {'method': method, 'definition': SPREAD_DEFINITION, 'sizes': sizes, 'covariance': covariance}


def sources_fraction_spread(sources, phases: int, seed: int = 0) -> dict:
    """fraction_spread of training sources (dataset.Source): 3D sources as volumes, 2D ones (nz = 1) as images."""
    volumes = [s.labels for s in sources if s.labels.shape[0] > 1]
    images = [s.labels[0] for s in sources if s.labels.shape[0] == 1]
    return fraction_spread(volumes, images, phases, seed)


TRANSPORT_DEFINITION = (
    'relative diffusivity D_rel of the phase (mean over the three axes; steady diffusion in the phase, '
    'concentrations 1 and 0 held on two opposite faces half a voxel outside, no flux through the others, '
    'face conductance 1 between voxels of the phase) of random n x n x n training subvolumes, with their '
    'phase fraction f; fit: log D_rel = intercept + slope log f over the subvolumes where the phase percolates'
)


def relative_diffusivity(indicator: np.ndarray, axis: int, tol: float = 1e-5, max_iter: int = 3000) -> float:
    """D_rel of a boolean phase indicator along ``axis`` (TauFactor's convention, see TRANSPORT_DEFINITION).

    Matrix-free Jacobi-preconditioned conjugate gradients on every voxel of the phase; clusters that touch
    neither held face keep the potential 0 and carry no flux, so no labelling of the percolating cluster is
    needed. The flux is read at the outlet face: D_rel = (2 sum of c over the outlet layer) L / A.
    """
    a = np.moveaxis(indicator.astype(bool), axis, 0)
    L = a.shape[0]
    m = a.astype(np.float64)
    faces = []  # (slice of the first voxel, slice of the second voxel, conductance 1 where both in the phase)
    for ax in range(3):
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[ax] = slice(0, -1)
        hi[ax] = slice(1, None)
        faces.append((tuple(lo), tuple(hi), m[tuple(lo)] * m[tuple(hi)]))
    held = np.zeros_like(m)
    held[0] += 2 * m[0]
    held[-1] += 2 * m[-1]
    diag = held.copy()
    for lo, hi, g in faces:
        diag[lo] += g
        diag[hi] += g
    b = np.zeros_like(m)
    b[0] = 2 * m[0]

    def apply(c):
        out = held * c
        for lo, hi, g in faces:
            d = g * (c[lo] - c[hi])
            out[lo] += d
            out[hi] -= d
        return out

    inv = np.where(diag > 0, 1 / np.where(diag > 0, diag, 1), 0)
    c = np.zeros_like(m)
    r = b - apply(c)
    z = inv * r
    p = z.copy()
    rz = (r * z).sum()
    bnorm = np.sqrt((b * b).sum())
    if bnorm == 0:
        return 0.0
    for _ in range(max_iter):
        q = apply(p)
        alpha = rz / (p * q).sum()
        c += alpha * p
        r -= alpha * q
        if np.sqrt((r * r).sum()) < tol * bnorm:
            break
        z = inv * r
        rz_new = (r * z).sum()
        p = z + (rz_new / rz) * p
        rz = rz_new
    return float(2 * (c[-1] * m[-1]).sum() * L / (a.shape[1] * a.shape[2]))


def transport_statistics(volumes: list[np.ndarray], phases: int, seed: int = 0, draws: int = 24,
                         max_side: int = 48) -> dict | None:
    """stats.json "transport": for each minority phase (fraction < 1/2 over the volumes), D_rel and fraction
    of random cubes of the 3D training volumes and the power law fitted to them (see TRANSPORT_DEFINITION);
    None without 3D volumes at least 32 on every side. The reconstruction refines the connectivity of such
    phases toward the fitted D_rel (src/core/diffusion/transport-refinement.ts).

    The cube side is the largest multiple of 16 up to ``max_side`` and half the smallest volume side, so the
    cubes are drawn from distinct parts of the volume. The slope is kept within [1, 4] (Archie-type exponents
    of porous media; a few cubes can give a wild fit).
    """
    volumes = [v for v in volumes if v.ndim == 3 and min(v.shape) >= 32]
    if not volumes:
        return None
    n = min(max_side, max(16, (max(min(v.shape) for v in volumes) // 2) // 16 * 16))
    rng = np.random.default_rng(seed + 11)
    cubes = _random_cubes([v for v in volumes if min(v.shape) >= n], n, draws, rng)
    totals = np.zeros(phases)
    for v in volumes:
        totals += np.bincount(v.ravel(), minlength=phases)[:phases]
    result = []
    for p in (p for p in range(phases) if totals[p] < 0.5 * totals.sum()):
        samples = []
        for cube in cubes:
            ind = cube == p
            f = float(ind.mean())
            d = float(np.mean([relative_diffusivity(ind, axis) for axis in range(3)])) if 0 < f < 1 else 0.0
            samples.append([f, d])
        s = np.array(samples)
        ok = (s[:, 0] > 0) & (s[:, 1] > 0)
        entry = {'id': p, 'samples': samples, 'percolating': float(ok.mean())}
        if ok.sum() >= 3 and np.ptp(np.log(s[ok, 0])) > 0:
            x, y = np.log(s[ok, 0]), np.log(s[ok, 1])
            slope = float(np.clip(np.polyfit(x, y, 1)[0], 1.0, 4.0))
            intercept = float(np.mean(y - slope * x))
            residual = np.log(s[ok, 1]) - (intercept + slope * np.log(s[ok, 0]))
            entry['fit'] = {'intercept': float(intercept), 'slope': float(slope), 'residualSd': float(residual.std())}
        result.append(entry)
    return {'definition': TRANSPORT_DEFINITION, 'size': n, 'phases': result}


def sources_transport_statistics(sources, phases: int, seed: int = 0) -> dict | None:
    """transport_statistics of the 3D training sources (dataset.Source); None for 2D-only datasets."""
    return transport_statistics([s.labels for s in sources if s.labels.shape[0] > 1], phases, seed)
