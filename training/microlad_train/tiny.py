"""``python -m microlad_train.tiny --out DIR``: a tiny bundle from a synthetic dataset, in about a minute.

For tests of bundle consumers (shapes, names, hashes), not for quality.
"""

import argparse
import os
import sys
import tempfile

from .cli import main as cli_main
from .synthetic import write_disc_dataset


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog='python -m microlad_train.tiny')
    parser.add_argument('--out', required=True, help='bundle folder to write')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        dataset = write_disc_dataset(os.path.join(tmp, 'dataset'))
        command = ['train', '--dataset', dataset, '--out', args.out, '--work', os.path.join(tmp, 'work'),
                   '--preset', 'tiny', '--device', 'cpu', '--name', 'tiny-discs',
                   '--description', 'tiny test bundle trained for seconds on synthetic discs (not for use)']
        return cli_main(command + (['--json'] if args.json else []))


if __name__ == '__main__':
    sys.exit(main())
