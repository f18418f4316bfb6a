/**
 * The Python trainer (`training/`, package `microlad_train`) seen from Node: find a Python that imports
 * torch, spawn `python -m microlad_train train ... --json`, and turn its JSON-lines output into events.
 *
 * Python is looked up as MICROLAD_PYTHON, then `python3`, then `python`. The package is put on PYTHONPATH
 * from the `training/` folder of this checkout (or MICROLAD_TRAINING_DIR), so a fresh clone works without
 * `pip install -e training`.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { CancelledError, UserError } from '../errors'

/** The packages the trainer imports; named in the message when something is missing. */
export const TRAINER_REQUIREMENTS = 'torch numpy onnx onnxruntime pillow'

export interface PythonEnvironment {
  executable: string
  pythonVersion: string
  torchVersion: string
  cuda: boolean
}

/** One line of trainer output: the trainer's own JSON events, or plain text it printed. */
export type TrainerEvent =
  | {
      type: 'progress'
      stage: 'vae' | 'denoiser'
      step: number
      total: number
      loss: number
      [k: string]: unknown
    }
  | { type: 'log'; message: string }
  | { type: 'done'; bundle: string; [k: string]: unknown }
  | { type: 'error'; message: string }

export interface TrainOptions {
  dataset: string
  out: string
  steps?: number
  size?: number
  device?: 'cpu' | 'cuda'
  work?: string
  preset?: 'default' | 'tiny'
}

const PROBE = [
  'import json, sys',
  'info = {"python": sys.version.split()[0]}',
  'try:',
  '    import torch',
  '    info["torch"] = torch.__version__',
  '    info["cuda"] = bool(torch.cuda.is_available())',
  'except Exception as e:',
  '    info["torchError"] = type(e).__name__ + ": " + str(e)',
  'print(json.dumps(info))',
].join('\n')

interface ProcessResult {
  code: number | null
  stdout: string
  stderr: string
  spawnError?: Error
}

function runProcess(executable: string, args: string[]): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (spawnError) => resolve({ code: null, stdout, stderr, spawnError }))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The executables tried, in order. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.MICROLAD_PYTHON ? [env.MICROLAD_PYTHON] : ['python3', 'python']
}

/**
 * The first candidate Python that imports torch. Throws a one-line UserError saying what to install when no
 * Python runs, or when the Python found lacks torch.
 */
export async function findPython(env: NodeJS.ProcessEnv = process.env): Promise<PythonEnvironment> {
  let withoutTorch: { executable: string; error: string } | undefined
  for (const executable of pythonCandidates(env)) {
    const result = await runProcess(executable, ['-c', PROBE])
    if (result.spawnError || result.code !== 0) continue
    const info = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>
    if (typeof info.torch === 'string') {
      return {
        executable,
        pythonVersion: String(info.python),
        torchVersion: info.torch,
        cuda: info.cuda === true,
      }
    }
    withoutTorch ??= { executable, error: String(info.torchError) }
  }
  if (withoutTorch) {
    throw new UserError(
      `PyTorch does not import in ${withoutTorch.executable} (${withoutTorch.error}): install it with ` +
        `'${withoutTorch.executable} -m pip install ${TRAINER_REQUIREMENTS}' or set MICROLAD_PYTHON to a Python that has it`,
    )
  }
  throw new UserError(
    `no Python found (tried ${pythonCandidates(env).join(', ')}): install Python >= 3.10 and ` +
      `'pip install ${TRAINER_REQUIREMENTS}', or set MICROLAD_PYTHON to its executable`,
  )
}

/** The folder holding the `microlad_train` package. */
export function trainingDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MICROLAD_TRAINING_DIR) return env.MICROLAD_TRAINING_DIR
  const candidates = [
    path.resolve(__dirname, '..', '..', '..', 'training'),
    path.resolve(__dirname, '..', '..', 'training'),
    path.resolve(process.cwd(), 'training'),
  ]
  const found = candidates.find((c) => existsSync(path.join(c, 'microlad_train', '__init__.py')))
  if (!found) {
    throw new UserError(
      `the trainer package (training/microlad_train) was not found; set MICROLAD_TRAINING_DIR to the training folder`,
    )
  }
  return found
}

/** Command-line arguments of `python -m microlad_train train` for the options. */
export function trainerArgs(options: TrainOptions): string[] {
  const args = ['-m', 'microlad_train', 'train', '--dataset', options.dataset, '--out', options.out, '--json']
  if (options.steps !== undefined) args.push('--steps', String(options.steps))
  if (options.size !== undefined) args.push('--size', String(options.size))
  if (options.device) args.push('--device', options.device)
  if (options.work) args.push('--work', options.work)
  if (options.preset) args.push('--preset', options.preset)
  return args
}

/** A trainer stdout line as an event: its JSON object when it is one, else a log line. */
export function parseTrainerLine(line: string): TrainerEvent | undefined {
  const text = line.trim()
  if (!text) return undefined
  if (text.startsWith('{')) {
    try {
      const event = JSON.parse(text) as TrainerEvent
      if (typeof event === 'object' && event !== null && typeof event.type === 'string') return event
    } catch {
      // not JSON after all: pass it on as text
    }
  }
  return { type: 'log', message: text }
}

/**
 * Python source that runs `microlad_train` as `python -m microlad_train` would, after starting a thread that
 * ends the process when its stdin closes: a Python child is not killed with its parent otherwise, so a
 * killed CLI or job process would leave an orphaned training running.
 */
const EXIT_WITH_PARENT = [
  'import os, runpy, sys, threading',
  'def _watch():',
  '    try:',
  '        while os.read(0, 4096):',
  '            pass',
  '    except OSError:',
  '        pass',
  '    os._exit(143)',
  'threading.Thread(target=_watch, daemon=True).start()',
  "sys.argv = ['microlad_train'] + sys.argv[1:]",
  "runpy.run_module('microlad_train', run_name='__main__', alter_sys=True)",
].join('\n')

/**
 * Run the trainer to completion, calling `onEvent` for every line it prints. Resolves with the final
 * `done` event; rejects with a UserError carrying the trainer's one-line error (or the last stderr line),
 * or a CancelledError when `signal` aborts. The trainer exits when this process goes away.
 */
export async function runTrainer(
  options: TrainOptions,
  onEvent: (event: TrainerEvent) => void,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
  python?: PythonEnvironment,
): Promise<Extract<TrainerEvent, { type: 'done' }>> {
  if (!existsSync(options.dataset)) throw new UserError(`dataset folder not found: ${options.dataset}`)
  const py = python ?? (await findPython(env))
  const dir = trainingDir(env)
  const pythonPath = [dir, env.PYTHONPATH].filter(Boolean).join(path.delimiter)
  const args = ['-c', EXIT_WITH_PARENT, ...trainerArgs(options).slice(2)]
  return new Promise((resolve, reject) => {
    const child = spawn(py.executable, args, {
      env: { ...env, PYTHONPATH: pythonPath, PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let pending = ''
    let stderrTail: string[] = []
    let done: Extract<TrainerEvent, { type: 'done' }> | undefined
    let failure: string | undefined
    const onAbort = () => child.kill('SIGTERM')
    signal?.addEventListener('abort', onAbort, { once: true })
    const handle = (line: string) => {
      const event = parseTrainerLine(line)
      if (!event) return
      if (event.type === 'done') done = event
      if (event.type === 'error') failure = event.message
      onEvent(event)
    }
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      lines.forEach(handle)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderrTail = [
        ...stderrTail,
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l.trim()),
      ].slice(-5)
    })
    child.on('error', (err) => reject(new UserError(`could not start ${py.executable}: ${err.message}`)))
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort)
      handle(pending)
      if (signal?.aborted) return reject(new CancelledError())
      if (code === 0 && done) return resolve(done)
      const reason = failure ?? stderrTail[stderrTail.length - 1] ?? `exit code ${code}`
      reject(new UserError(`training failed: ${reason}`))
    })
  })
}
