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

export function createDispatcher(handlers: ApiHandlers): Dispatcher {
  return async (method, input) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { message: `unknown API method '${String(method)}'`, userError: true } }
    }
    const spec = apiMethods[method]
    const parsed = spec.input.safeParse(input ?? {})
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          message: `invalid input for ${method}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
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
        error: { message: errorMessage(err).split('\n')[0], userError: err instanceof UserError },
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
