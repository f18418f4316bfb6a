/**
 * The entries of an options object that are not undefined, so that spreading it over defaults keeps the
 * default of every option a caller left unset (e.g. a CLI flag that was not given).
 */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>
}
