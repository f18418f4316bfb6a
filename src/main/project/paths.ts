/**
 * Paths the user types in the app. A relative file or folder means one inside the open project's folder,
 * never the folder the app process happened to start in; `~` is the user's home folder. A project folder
 * itself has nothing to be relative to, so it must be given in full.
 */
import os from 'node:os'
import path from 'node:path'
import { UserError } from '../../core/errors'

function expandHome(p: string): string {
  if (p === '~') return os.homedir()
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(os.homedir(), p.slice(2))
  return p
}

/** A file or folder the user typed, resolved against the project folder when relative. */
export function resolveInProject(projectDir: string, typed: string): string {
  const p = expandHome(typed.trim())
  return path.isAbsolute(p) ? path.normalize(p) : path.resolve(projectDir, p)
}

/** A project folder the user typed: absolute (or under `~`), else refused with what to type instead. */
export function projectFolder(typed: string): string {
  const p = expandHome(typed.trim())
  if (!path.isAbsolute(p))
    throw new UserError(
      `'${typed}' is a relative folder; give the project folder as a full path (e.g. ${path.join(os.homedir(), 'projects', typed.trim() || 'my-project')})`,
    )
  return path.normalize(p)
}

/** The path parameters of each job kind the user may type (relative ones are inside the project). */
const PATH_PARAMS: Partial<Record<string, readonly string[]>> = {
  import: ['path'],
  convert: ['input', 'output'],
  'export-dataset': ['dir'],
}

/** A job's parameters with the paths the user typed resolved against the project folder. */
export function resolveJobPaths(
  projectDir: string,
  kind: string,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const keys = PATH_PARAMS[kind]
  if (!keys) return params
  const out = { ...params }
  for (const k of keys) {
    const v = out[k]
    if (typeof v === 'string' && v.trim()) out[k] = resolveInProject(projectDir, v)
  }
  return out
}
