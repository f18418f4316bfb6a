/**
 * Advice written for the command line (`try --steps`, `give --threshold`), as the window says it: the
 * field or button the app has for it. Errors raised in the app already carry the app's wording (UserError's
 * appMessage); this covers text stored by older jobs and the design notes shared with `microlad design`.
 */
const RULES: [RegExp, string | ((...m: string[]) => string)][] = [
  [/try --steps or --weight (\w+)/g, (_m, term) => `try more steps or a larger weight on the ${term} target`],
  [/try --steps\b/g, 'try more steps'],
  [/--weight s2=0 turns it off/g, 'a weight of 0 on the S2 target turns it off'],
  [/give --threshold to segment (them|it)/g, (_m, what) => `segment ${what} first (Preview & segment)`],
  [/choose it with --phase P\b/g, 'choose the phase to export'],
  [/give at least one --target\b/g, 'add at least one target'],
]

export function inAppWords(text: string): string {
  let out = text
  for (const [re, by] of RULES) out = out.replace(re, by as never)
  return out
}
