"""Add (or renew) stats.json "fractionSpread" and "transport" of an existing bundle from its training data,
and re-hash.

Bundles written before the trainer measured these lack them (the app then estimates the spread from the S2
curves and skips the transport refinement). Usage:
python -m microlad_train.refresh_spread BUNDLE_DIR DATA_FILE [DATA_FILE ...]
Each DATA_FILE (a .raw file takes its shape from a meta.json beside it) is the file named by the manifest's
training.region entry of the same position; the region and the validation split recorded in the manifest are
applied exactly as the trainer did.
"""

import json
import os
import sys

from .config import TrainConfig
from .dataset import Source, crop_region, read_labels, split_source
from .export import sha256_of
from .statistics import sources_fraction_spread, sources_transport_statistics


def raw_shape(path: str):
    """Shape of a .raw file from a meta.json beside it (the layout of the shared data folders), else None."""
    meta = os.path.join(os.path.dirname(path), 'meta.json')
    if path.endswith('.raw') and os.path.exists(meta):
        with open(meta) as f:
            return json.load(f)['shape']
    return None


def refresh(bundle: str, data_files: list[str]) -> dict:
    with open(os.path.join(bundle, 'manifest.json')) as f:
        manifest = json.load(f)
    regions = manifest['training']['region']
    if len(regions) != len(data_files):
        raise SystemExit(f'{bundle}: the manifest lists {len(regions)} training files, {len(data_files)} given')
    cfg = TrainConfig()
    sources = []
    for entry, path in zip(regions, data_files):
        labels = crop_region(read_labels(path, raw_shape(path)), entry.get('region', {}))
        if list(labels.shape) != list(entry['shape']):
            raise SystemExit(f'{path}: region gives shape {list(labels.shape)}, the manifest says {entry["shape"]}')
        train, _ = split_source(Source(path, labels, None, None, entry.get('region', {})), cfg.validation_fraction, cfg.size)
        sources.append(train)
    stats_path = os.path.join(bundle, 'stats.json')
    with open(stats_path) as f:
        stats = json.load(f)
    stats['fractionSpread'] = sources_fraction_spread(sources, len(manifest['phases']), cfg.seed)
    transport = sources_transport_statistics(sources, len(manifest['phases']), cfg.seed)
    if transport is not None:
        stats['transport'] = transport
    with open(stats_path, 'w') as f:
        json.dump(stats, f)
    manifest['files']['stats.json'] = sha256_of(stats_path)
    with open(os.path.join(bundle, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
    return stats['fractionSpread']


if __name__ == '__main__':
    spread = refresh(sys.argv[1], sys.argv[2:])
    print(json.dumps({'method': spread['method'], 'sizes': spread['sizes'],
                      'sd': [[c[p][p] ** 0.5 for p in range(len(c))] for c in spread['covariance']]}))
    with open(os.path.join(sys.argv[1], 'stats.json')) as f:
        print(json.dumps({k: v for k, v in json.load(f).get('transport', {}).items() if k != 'definition'}))
