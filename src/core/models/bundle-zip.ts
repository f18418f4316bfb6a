/**
 * Zipped bundles (DESIGN §4: "a folder, or a .zip of it"). A zip is unpacked once into a cache folder named
 * after the zip's sha256, and the folder is then loaded and checked like any other bundle. The manifest may
 * sit at the zip's root or inside one top-level folder.
 */
import { existsSync, mkdirSync, promises as fs, renameSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { unzipSync } from 'fflate'
import { UserError, errorMessage } from '../errors'
import { sha256File } from './sha256'

/** Where unpacked zips are kept: $MICROLAD_CACHE_DIR/bundles, else the system temp folder. */
export function bundleCacheDir(): string {
  return path.join(process.env.MICROLAD_CACHE_DIR ?? path.join(os.tmpdir(), 'microlad-cache'), 'bundles')
}

/** Unpack `zipFile` (once) and return the folder that holds its manifest.json. */
export async function unpackBundleZip(zipFile: string, cacheDir = bundleCacheDir()): Promise<string> {
  if (!existsSync(zipFile)) throw new UserError(`${zipFile}: no such file`)
  const id = path.basename(zipFile).replace(/\.zip$/i, '')
  const target = path.join(cacheDir, `${id}-${(await sha256File(zipFile)).slice(0, 16)}`)
  if (!existsSync(target)) {
    let entries: Record<string, Uint8Array>
    try {
      entries = unzipSync(new Uint8Array(await fs.readFile(zipFile)))
    } catch (err) {
      throw new UserError(`${zipFile}: not a readable zip (${errorMessage(err)})`)
    }
    const partial = `${target}.partial-${process.pid}`
    rmSync(partial, { recursive: true, force: true })
    for (const [name, data] of Object.entries(entries)) {
      if (name.endsWith('/')) continue
      const dest = path.resolve(partial, name)
      if (!dest.startsWith(path.resolve(partial) + path.sep))
        throw new UserError(`${zipFile}: entry '${name}' leaves the bundle folder`)
      mkdirSync(path.dirname(dest), { recursive: true })
      await fs.writeFile(dest, data)
    }
    mkdirSync(cacheDir, { recursive: true })
    renameSync(partial, target)
  }
  if (existsSync(path.join(target, 'manifest.json'))) return target
  const subs = (await fs.readdir(target, { withFileTypes: true })).filter((e) => e.isDirectory())
  if (subs.length === 1 && existsSync(path.join(target, subs[0].name, 'manifest.json')))
    return path.join(target, subs[0].name)
  throw new UserError(`${zipFile}: no manifest.json at the top of the zip or in its single folder`)
}
