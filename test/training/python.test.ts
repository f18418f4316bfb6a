/** The Node side of the trainer: argument building, JSON-lines parsing and the missing-Python message. */
import { describe, expect, it } from 'vitest'
import { findPython, parseTrainerLine, pythonCandidates, trainerArgs } from '../../src/core/models/python'

describe('trainer process helpers', () => {
  it('builds the module command line with --json and only the options given', () => {
    expect(trainerArgs({ dataset: 'd', out: 'o', steps: 300, device: 'cpu' })).toEqual([
      '-m', 'microlad_train', 'train', '--dataset', 'd', '--out', 'o', '--json', '--steps', '300', '--device', 'cpu',
    ])
  })

  it('parses JSON events and passes other text on as log lines', () => {
    expect(parseTrainerLine('{"type": "progress", "stage": "vae", "step": 3, "total": 9, "loss": 0.5}')).toEqual({
      type: 'progress', stage: 'vae', step: 3, total: 9, loss: 0.5,
    })
    expect(parseTrainerLine('{not json')).toEqual({ type: 'log', message: '{not json' })
    expect(parseTrainerLine('   ')).toBeUndefined()
  })

  it('MICROLAD_PYTHON replaces the default candidates', () => {
    expect(pythonCandidates({})).toEqual(['python3', 'python'])
    expect(pythonCandidates({ MICROLAD_PYTHON: '/opt/py/bin/python' })).toEqual(['/opt/py/bin/python'])
  })

  it('says what to install when no Python runs', async () => {
    await expect(findPython({ MICROLAD_PYTHON: '/nonexistent/python-for-test' })).rejects.toThrow(
      /no Python found .*pip install torch/,
    )
  })
})
