"""Command line: ``python -m microlad_train train|export ...``.

  train   --dataset DIR --out BUNDLE_DIR [--work DIR] [--steps N] [--size S] [--device cpu|cuda]
          [--preset default|tiny] [--json] ...   trains (resuming from --work) and exports the bundle
  export  --dataset DIR --work DIR --out BUNDLE_DIR  exports the latest checkpoint of a run
"""

import argparse
import os
import sys
import traceback

from .config import preset
from .export import export_bundle
from .progress import Reporter
from .trainer import Trainer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='python -m microlad_train', description='MicroLad bundle trainer')
    sub = parser.add_subparsers(dest='command', required=True)
    for command in ('train', 'export'):
        p = sub.add_parser(command)
        p.add_argument('--dataset', required=True, help='folder of label images / volumes (+ dataset.json)')
        p.add_argument('--out', required=True, help='bundle folder to write')
        p.add_argument('--work', help='run folder for checkpoints (default: <out>.work beside the bundle)')
        p.add_argument('--preset', default='default', choices=['default', 'tiny'])
        p.add_argument('--steps', type=int, help='total training steps, split 1:2 between VAE and denoiser')
        p.add_argument('--vae-steps', type=int)
        p.add_argument('--denoiser-steps', type=int)
        p.add_argument('--size', type=int, help='patch size S (multiple of 16; default 64)')
        p.add_argument('--kl-weight', type=float)
        p.add_argument('--device', choices=['cpu', 'cuda'], help='default: cuda when available')
        p.add_argument('--threads', type=int)
        p.add_argument('--seed', type=int)
        p.add_argument('--name')
        p.add_argument('--description')
        p.add_argument('--json', action='store_true', help='progress as JSON lines on stdout')
    return parser


def config_from(args):
    import torch

    cfg = preset(args.preset)
    if args.steps is not None:
        cfg.vae_steps = max(1, args.steps // 3)
        cfg.denoiser_steps = max(1, args.steps - cfg.vae_steps)
    for field, value in (('vae_steps', args.vae_steps), ('denoiser_steps', args.denoiser_steps),
                         ('size', args.size), ('kl_weight', args.kl_weight), ('threads', args.threads),
                         ('seed', args.seed)):
        if value is not None:
            setattr(cfg, field, value)
    if cfg.size % 16 != 0:
        raise ValueError(f'--size must be a multiple of 16 (latent size S/4 must be a multiple of 4), got {cfg.size}')
    cfg.device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if cfg.device == 'cuda' and not torch.cuda.is_available():
        raise ValueError('--device cuda requested but torch.cuda.is_available() is False')
    return cfg


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    reporter = Reporter(args.json)
    try:
        cfg = config_from(args)
        out = os.path.abspath(args.out)
        work = args.work or out.rstrip('/') + '.work'
        trainer = Trainer(cfg, args.dataset, work, reporter)
        if args.command == 'train':
            trainer.run()
        manifest = export_bundle(trainer, out, args.name, args.description)
        reporter.emit({'type': 'done', 'bundle': out, 'timings': manifest['timings'],
                       'verification': manifest['verification'], 'wallTimeS': manifest['training']['wallTimeS']})
        return 0
    except Exception as error:  # reported as one line; the traceback goes to stderr
        traceback.print_exc(file=sys.stderr)
        reporter.emit({'type': 'error', 'message': f'{type(error).__name__}: {error}'})
        return 1
