/**
 * Whether the Python trainer can run with the configured Python, and the exact command that installs what
 * it needs when it cannot (the versions pinned in requirements-test.txt, which the shipped bundles used).
 */
import { errorMessage } from '../../core/errors'
import { findPython, pythonCandidates } from '../../core/models/python'
import type { AppSettings, TrainerStatus } from '../../shared/dto'
import { pythonEnv } from './settings'

/** The trainer's packages at the versions the project is tested with. */
export const TRAINER_PIP_PACKAGES = 'torch==2.13.0 numpy==2.4.6 onnx==1.23.2 onnxruntime==1.31.1 pillow'

export function installCommand(python: string): string {
  return `${python} -m pip install ${TRAINER_PIP_PACKAGES}`
}

export async function trainerStatus(
  settings: AppSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TrainerStatus> {
  const e = pythonEnv(settings, env)
  const first = pythonCandidates(e)[0]
  try {
    const py = await findPython(e)
    return {
      ok: true,
      executable: py.executable,
      pythonVersion: py.pythonVersion,
      torchVersion: py.torchVersion,
      cuda: py.cuda,
      error: null,
      install: installCommand(py.executable),
    }
  } catch (err) {
    const message = errorMessage(err)
    const noPython = /no Python found/.test(message)
    const lacking = /PyTorch does not import in (.+?) \(/.exec(message)?.[1]
    return {
      ok: false,
      executable: null,
      pythonVersion: null,
      torchVersion: null,
      cuda: false,
      error: noPython
        ? `${message.split(':')[0]}: install Python 3.10 or newer, then the trainer's packages`
        : message,
      install: installCommand(noPython ? 'python3' : (lacking ?? first)),
    }
  }
}
