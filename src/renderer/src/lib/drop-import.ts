/**
 * Files dropped on the Datasets view. Under Electron the preload's pathForFile (webUtils.getPathForFile)
 * gives each File's path on disk, which the import job reads; a browser never reveals it, so under the web
 * host a drop only explains to type the path instead.
 */
import type { PreloadBridge } from '../../../shared/bridge'

export const IMPORT_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.npy', '.raw', '.mhd', '.vti']

export const WEB_DROP_MESSAGE =
  'The browser does not tell the app where a dropped file is. Type or paste its path in the field ' +
  '(the desktop app imports dropped files directly).'

export interface DropResult {
  /** Paths on disk of the dropped files that can be imported. */
  paths: string[]
  /** What to tell the user (files refused, no path available), or null. */
  message: string | null
}

/** The bridge's pathForFile under Electron, undefined in a browser. */
export function bridgePathForFile(): ((file: File) => string) | undefined {
  const bridge = (globalThis as { microlad?: PreloadBridge }).microlad
  return bridge?.pathForFile ? (f: File) => bridge.pathForFile!(f) : undefined
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot >= 0 ? name.slice(dot).toLowerCase() : ''
}

/** Paths of dropped files, or why there are none. */
export function droppedPaths(
  files: ArrayLike<File> | null | undefined,
  pathForFile: ((file: File) => string) | undefined,
): DropResult {
  const list = files ? Array.from(files) : []
  if (list.length === 0)
    return { paths: [], message: 'Nothing to import was dropped (drop image or volume files).' }
  if (!pathForFile) return { paths: [], message: WEB_DROP_MESSAGE }
  const paths: string[] = []
  const refused: string[] = []
  for (const f of list) {
    const p = pathForFile(f)
    if (!p) refused.push(`${f.name} (no path on disk)`)
    else if (!IMPORT_EXTENSIONS.includes(extensionOf(f.name)))
      refused.push(`${f.name} (not ${IMPORT_EXTENSIONS.join(' ')})`)
    else paths.push(p)
  }
  return { paths, message: refused.length ? `Not imported: ${refused.join(', ')}` : null }
}
