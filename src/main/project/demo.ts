/**
 * The demo project: on first start (no recent project) the app opens a project in its data folder holding a
 * small dataset excerpt shipped in resources/demo (a 256² slice of the Berea sandstone that the shipped
 * `berea-sandstone` bundle did not train on), so a new user can reconstruct a volume at once.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { UserError } from '../../core/errors'
import { readVolume, writeVolume } from '../../core/io'
import { PhaseInfo } from '../../shared/dto'
import { PROJECT_DB, Project } from './project'

export const DEMO_FOLDER = 'MicroLad Demo'

const DemoSpec = z.object({
  project: z.string().min(1),
  dataset: z.object({
    name: z.string().min(1),
    anisotropic: z.boolean(),
    images: z
      .array(
        z.object({
          file: z.string().min(1),
          name: z.string().min(1),
          plane: z.enum(['xy', 'xz', 'yz']).nullable(),
          spacing: z.number().positive(),
          unit: z.string(),
          phases: z.array(PhaseInfo).min(2),
        }),
      )
      .min(1),
  }),
  model: z.string(),
  source: z.string(),
  licence: z.string(),
})
export type DemoSpec = z.infer<typeof DemoSpec>

/** resources/demo: $MICROLAD_DEMO_DIR, else found from this file in the source tree or the built app. */
export function demoResourcesDir(): string {
  if (process.env.MICROLAD_DEMO_DIR) return process.env.MICROLAD_DEMO_DIR
  const candidates = [
    path.resolve(__dirname, '..', '..', '..', 'resources', 'demo'),
    path.resolve(__dirname, '..', '..', 'resources', 'demo'),
    path.resolve(process.cwd(), 'resources', 'demo'),
  ]
  return candidates.find((c) => existsSync(path.join(c, 'demo.json'))) ?? candidates[0]
}

export function readDemoSpec(dir = demoResourcesDir()): DemoSpec {
  const file = path.join(dir, 'demo.json')
  if (!existsSync(file)) throw new UserError(`${file}: the demo data is not installed`)
  const parsed = DemoSpec.safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (!parsed.success) throw new UserError(`${file}: ${parsed.error.issues[0].message}`)
  return parsed.data
}

/**
 * Open the demo project in `parentDir`/MicroLad Demo, creating it with the demo dataset when missing. A
 * creation that fails half-way leaves no project behind (the next start tries again).
 */
export async function openOrCreateDemoProject(
  parentDir: string,
  resources = demoResourcesDir(),
): Promise<Project> {
  const dir = path.join(parentDir, DEMO_FOLDER)
  if (existsSync(path.join(dir, PROJECT_DB))) return Project.open(dir)
  const spec = readDemoSpec(resources)
  // Read the images first: a missing or unreadable file refuses before anything is created.
  const images = await Promise.all(
    spec.dataset.images.map(async (img) => ({ img, vol: await readVolume(path.join(resources, img.file)) })),
  )
  const project = Project.create(dir, spec.project)
  try {
    const dataset = project.createDataset(spec.dataset.name, spec.dataset.anisotropic)
    for (const { img, vol } of images) {
      vol.phases = img.phases
      vol.spacing = [img.spacing, img.spacing, img.spacing]
      vol.unit = img.unit
      const file = project.newFilePath('volumes', img.name, '.npy')
      await writeVolume(file, vol)
      project.db.transaction(() => {
        const rec = project.addVolume({
          name: img.name,
          path: file,
          shape: vol.shape,
          spacing: vol.spacing,
          unit: vol.unit,
          phases: img.phases,
          source: 'dataset',
          jobId: null,
          datasetId: dataset.id,
        })
        project.addImage(dataset.id, rec.id, img.plane, path.join(resources, img.file))
      })()
    }
    return project
  } catch (err) {
    project.close()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}
