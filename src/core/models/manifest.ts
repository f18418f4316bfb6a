/**
 * manifest.json of a model bundle (format `microlad-bundle`, version 1, DESIGN §4). Unknown extra keys are
 * kept (newer trainers may add provenance); the keys the app relies on are checked here.
 */
import { z } from 'zod'
import { UserError } from '../errors'

export const BUNDLE_FORMAT = 'microlad-bundle'
export const BUNDLE_VERSION = 1

/** The graphs every bundle has, with the statistics file. */
export const REQUIRED_FILES = [
  'encoder.onnx',
  'decoder.onnx',
  'denoiser.onnx',
  'decoder_vjp.onnx',
  'stats.json',
] as const

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest (64 lowercase hex digits)')
const positiveInt = z.number().int().positive()

export const ManifestSchema = z.looseObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  name: z.string().min(1),
  description: z.string(),
  material: z.string(),
  phases: z
    .array(z.looseObject({ id: z.number().int().nonnegative(), name: z.string(), color: z.string() }))
    .min(2)
    .refine((ps) => ps.every((p, i) => p.id === i), 'phase ids must be 0, 1, … in order'),
  imageSize: positiveInt,
  latent: z.looseObject({ channels: positiveInt, size: positiveInt, factor: positiveInt }),
  schedule: z.looseObject({
    kind: z.enum(['linear', 'cosine']),
    T: z.number().int().min(2),
    betaStart: z.number().nonnegative(),
    betaEnd: z.number().nonnegative(),
    prediction: z.literal('epsilon'),
  }),
  conditioning: z.looseObject({
    kind: z.enum(['none', 'plane', 'class']),
    labels: z.array(z.string()),
    nullId: z.number().int().nonnegative(),
  }),
  anisotropic: z.boolean(),
  training: z.record(z.string(), z.unknown()),
  files: z.record(z.string(), sha256),
  licence: z.string(),
  createdAt: z.string(),
})

export type BundleManifest = z.infer<typeof ManifestSchema>

/** Parse and check a manifest; a problem becomes one UserError line naming the file and the field. */
export function parseManifest(json: unknown, file: string): BundleManifest {
  const result = ManifestSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue.path.length ? issue.path.join('.') : '(top level)'
    throw new UserError(`${file}: invalid bundle manifest: ${where}: ${issue.message}`)
  }
  const m = result.data
  if (m.imageSize !== m.latent.size * m.latent.factor) {
    throw new UserError(
      `${file}: invalid bundle manifest: imageSize ${m.imageSize} is not latent.size × latent.factor`,
    )
  }
  const missing = REQUIRED_FILES.filter((f) => !(f in m.files))
  if (missing.length)
    throw new UserError(`${file}: invalid bundle manifest: files lacks ${missing.join(', ')}`)
  return m
}
