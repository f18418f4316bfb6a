/**
 * One entry point for every transport: validate the method name and its input against the contract, run the
 * handler, and turn failures into a plain error payload (user errors keep their one-line message).
 */
import { z } from 'zod'
import { UserError, errorMessage } from '../../core/errors'
import { apiMethods, isMethodName, type ApiErrorPayload, type MethodName } from '../../shared/api'
import type { ApiHandlers } from './handlers'

export type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorPayload }
export type Dispatcher = (method: unknown, input: unknown) => Promise<DispatchResult>

/** Largest request a client may send (its JSON text under the web host; its size counted here otherwise). */
export const MAX_MESSAGE_BYTES = 1024 * 1024
/** Deepest nesting of objects and arrays in a request (the contract's inputs are at most a few levels deep). */
export const MAX_MESSAGE_DEPTH = 32
/** Longest error message a reply carries (a refused input may hold huge names or values). */
const MAX_ERROR_LENGTH = 1000

/**
 * Why a request is refused before validation: larger than MAX_MESSAGE_BYTES (about its JSON size) or
 * nested deeper than MAX_MESSAGE_DEPTH. Walks without recursion and stops as soon as a limit is passed,
 * so a huge or cyclic in-process value costs little.
 */
export function messageProblem(input: unknown): string | null {
  let bytes = 0
  const stack: [unknown, number][] = [[input, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v === 'string') bytes += v.length + 2
    else if (ArrayBuffer.isView(v)) bytes += v.byteLength
    else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_MESSAGE_DEPTH) return `nested deeper than ${MAX_MESSAGE_DEPTH} levels`
      const entries = Array.isArray(v) ? v.map((x) => ['', x] as const) : Object.entries(v)
      bytes += 2
      for (const [k, x] of entries) {
        bytes += k.length + 4
        stack.push([x, depth + 1])
      }
    } else bytes += 8
    if (bytes > MAX_MESSAGE_BYTES) return `larger than ${MAX_MESSAGE_BYTES} bytes`
  }
  return null
}

function clip(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)} …` : text
}

function describeMethod(method: unknown): string {
  return typeof method === 'string' ? `'${clip(method.slice(0, 100))}'` : `of type ${typeof method}`
}

export function createDispatcher(handlers: ApiHandlers): Dispatcher {
  return async (method, input) => {
    if (!isMethodName(method)) {
      return {
        ok: false,
        error: { message: `unknown API method ${describeMethod(method)}`, userError: true },
      }
    }
    const problem = messageProblem(input)
    if (problem) {
      return { ok: false, error: { message: `request to ${method} refused: ${problem}`, userError: true } }
    }
    const spec = apiMethods[method]
    const parsed = spec.input.safeParse(input ?? {})
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          message: clip(`invalid input for ${method}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`),
          userError: true,
        },
      }
    }
    try {
      const handler = handlers[method] as (i: unknown) => unknown
      const result = await handler(parsed.data)
      return { ok: true, result: spec.output.parse(result) }
    } catch (err) {
      return {
        ok: false,
        error: { message: clip(errorMessage(err).split('\n')[0]), userError: err instanceof UserError },
      }
    }
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message)
  }
}

/** An in-process typed client over a dispatcher (CLI, tests): same validation as the other transports. */
export function inProcessInvoke(dispatch: Dispatcher) {
  return async <M extends MethodName>(method: M, input: z.input<(typeof apiMethods)[M]['input']>) => {
    const r = await dispatch(method, input)
    if (!r.ok) throw new ApiError(r.error.message, r.error.userError)
    return r.result as z.output<(typeof apiMethods)[M]['output']>
  }
}
