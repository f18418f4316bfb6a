"""Progress reporting: JSON lines (one object per line on stdout) or human-readable text.

Events: {"type": "progress", "stage": "vae"|"denoiser", "step", "total", "loss", ...},
{"type": "log", "message"}, {"type": "done", "bundle", ...}, {"type": "error", "message"}.
``step`` and ``total`` count both stages together, so step/total is the overall fraction done.
"""

import json
import sys


class Reporter:
    def __init__(self, json_lines: bool, stream=None):
        self.json_lines = json_lines
        self.stream = stream or sys.stdout

    def emit(self, event: dict) -> None:
        if self.json_lines:
            self.stream.write(json.dumps(event) + '\n')
        else:
            self.stream.write(self.format(event) + '\n')
        self.stream.flush()

    @staticmethod
    def format(event: dict) -> str:
        kind = event['type']
        if kind == 'progress':
            extra = ' '.join(
                f'{k}={v:.4g}' if isinstance(v, float) else f'{k}={v}'
                for k, v in event.items()
                if k not in ('type', 'stage', 'step', 'total', 'loss')
            )
            return f"[{event['stage']}] {event['step']}/{event['total']} loss={event['loss']:.4f} {extra}"
        if kind == 'done':
            return f"done: bundle written to {event['bundle']}"
        return str(event.get('message', event))

    def log(self, message: str) -> None:
        self.emit({'type': 'log', 'message': message})
