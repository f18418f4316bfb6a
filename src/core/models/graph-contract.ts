/**
 * The input/output contract of each graph of a bundle (DESIGN §4): names, element types and ranks. A
 * session's `inputNames`/`outputNames` and `inputMetadata`/`outputMetadata` are checked against it when the
 * bundle is opened, so that a wrong export fails with a clear message instead of a shape error mid-run.
 */
import type { InferenceSession } from 'onnxruntime-node'
import { UserError } from '../errors'

export interface TensorSpec {
  name: string
  type: 'float32' | 'int64'
  rank: number
}

export interface GraphContract {
  file: string
  inputs: TensorSpec[]
  outputs: TensorSpec[]
}

const f32 = (name: string, rank = 4): TensorSpec => ({ name, type: 'float32', rank })
const i64 = (name: string): TensorSpec => ({ name, type: 'int64', rank: 1 })

export const GRAPH_CONTRACTS = {
  encoder: { file: 'encoder.onnx', inputs: [f32('x')], outputs: [f32('mu')] },
  decoder: { file: 'decoder.onnx', inputs: [f32('z')], outputs: [f32('y')] },
  denoiser: { file: 'denoiser.onnx', inputs: [f32('z_t'), i64('t'), i64('cond')], outputs: [f32('eps')] },
  decoderVjp: { file: 'decoder_vjp.onnx', inputs: [f32('z'), f32('v')], outputs: [f32('g')] },
} as const satisfies Record<string, GraphContract>

export type GraphName = keyof typeof GRAPH_CONTRACTS

function describe(specs: readonly TensorSpec[]): string {
  return specs.map((s) => `${s.name} ${s.type}[rank ${s.rank}]`).join(', ')
}

/** Throw a UserError naming the bundle, graph and the first mismatch. */
export function checkGraphContract(
  session: InferenceSession,
  contract: GraphContract,
  bundleId: string,
): void {
  const where = `bundle ${bundleId}: ${contract.file}`
  const sides = [
    ['inputs', session.inputNames, session.inputMetadata, contract.inputs],
    ['outputs', session.outputNames, session.outputMetadata, contract.outputs],
  ] as const
  for (const [side, names, metadata, specs] of sides) {
    const expected = specs.map((s) => s.name)
    if (names.length !== expected.length || !expected.every((n) => names.includes(n))) {
      throw new UserError(`${where} has ${side} [${names.join(', ')}], expected [${describe(specs)}]`)
    }
    for (const spec of specs) {
      const meta = metadata.find((m) => m.name === spec.name)
      if (!meta || !meta.isTensor)
        throw new UserError(`${where}: ${side.slice(0, -1)} ${spec.name} is not a tensor`)
      if (meta.type !== spec.type) {
        throw new UserError(`${where}: ${spec.name} has element type ${meta.type}, expected ${spec.type}`)
      }
      if (meta.shape.length !== spec.rank) {
        throw new UserError(
          `${where}: ${spec.name} has rank ${meta.shape.length} [${meta.shape.join(',')}], expected rank ${spec.rank}`,
        )
      }
    }
  }
}
