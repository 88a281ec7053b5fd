import { createHash } from 'node:crypto'
import { perElection } from './profile.js'
import type { Election, TieBreakCriterion, TieRank } from './types.js'

/** The order used by pabutools and expected.json: project id, code-point order. */
export const DEFAULT_TIE_BREAK: readonly TieBreakCriterion[] = Object.freeze(['id'])

export const TIE_BREAK_CRITERIA: readonly TieBreakCriterion[] = [
  'id',
  'cost_asc',
  'cost_desc',
  'votes_desc',
  'lottery',
]

/**
 * Maps a UTF-16 code unit so that comparing mapped units orders strings by code point:
 * surrogates (U+D800–DFFF, only found in pairs encoding U+10000 and above) move above U+E000–FFFF.
 */
function codePointKey(unit: number): number {
  if (unit < 0xd800) return unit
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800
}

/** Code-point order of two strings (JS `<` is UTF-16 order, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointKey(x) - codePointKey(y)
  }
  return a.length - b.length
}

/**
 * The lottery key of a project: SHA-256 of `${seed}:${id}` (UTF-8), as lowercase hex. Projects
 * are ordered by increasing key, so anyone can re-derive the draw from the published seed with
 * e.g. `printf '%s' "$SEED:$ID" | sha256sum`.
 */
export function lotteryKey(seed: string, id: string): string {
  return createHash('sha256').update(`${seed}:${id}`, 'utf8').digest('hex')
}

export interface TieBreak {
  /** The criteria actually applied, in order; always ends with 'id', which makes the order total. */
  readonly criteria: readonly TieBreakCriterion[]
  readonly seed?: string
  /** rank[p]: position of project p in the order; lower wins a tie. May be shared: read-only. */
  readonly rank: TieRank
}

export interface TieBreakInput {
  /** Required by the 'lottery' criterion. */
  readonly seed?: string
  /** Supporters per project, required by 'votes_desc'. */
  readonly supporters?: ArrayLike<number>
}

/** Normalizes a criteria list: no duplicates, cut after 'id' (ids are unique), 'id' appended. */
export function normalizeTieBreak(criteria: readonly TieBreakCriterion[]): TieBreakCriterion[] {
  const out: TieBreakCriterion[] = []
  for (const c of criteria) {
    if (!TIE_BREAK_CRITERIA.includes(c)) throw new RangeError(`unknown tie-break criterion "${c}"`)
    if (out.includes(c)) continue
    out.push(c)
    if (c === 'id') return out
  }
  out.push('id')
  return out
}

export function buildTieBreak(
  election: Election,
  criteria: readonly TieBreakCriterion[] = DEFAULT_TIE_BREAK,
  input: TieBreakInput = {},
): TieBreak {
  // The default needs no normalizing (a count of a tiny election is a few microseconds).
  if (criteria === DEFAULT_TIE_BREAK) return { criteria: DEFAULT_TIE_BREAK, rank: idRankOf(election) }
  const used = normalizeTieBreak(criteria)
  if (used.length === 1) return { criteria: used, rank: idRankOf(election) }
  const projects = election.projects
  const n = projects.length
  const { seed, supporters } = input
  let keys: string[] | undefined
  if (used.includes('lottery')) {
    if (seed === undefined) throw new RangeError('the lottery tie-break needs a seed')
    keys = projects.map((p) => lotteryKey(seed, p.id))
  }
  if (used.includes('votes_desc') && supporters === undefined) {
    throw new RangeError('the votes_desc tie-break needs the supporters per project')
  }
  const compare = (a: number, b: number): number => {
    for (const c of used) {
      let d = 0
      switch (c) {
        case 'id':
          d = compareCodePoints(projects[a]!.id, projects[b]!.id)
          break
        case 'cost_asc':
          d = projects[a]!.cost < projects[b]!.cost ? -1 : projects[a]!.cost > projects[b]!.cost ? 1 : 0
          break
        case 'cost_desc':
          d = projects[a]!.cost > projects[b]!.cost ? -1 : projects[a]!.cost < projects[b]!.cost ? 1 : 0
          break
        case 'votes_desc':
          d = supporters![b]! - supporters![a]!
          break
        case 'lottery':
          d = keys![a]! < keys![b]! ? -1 : keys![a]! > keys![b]! ? 1 : 0
          break
      }
      if (d !== 0) return d
    }
    return 0
  }
  const rank = rankOf(indices(n).sort(compare))
  return seed !== undefined && used.includes('lottery')
    ? { criteria: used, seed, rank }
    : { criteria: used, rank }
}

function indices(n: number): number[] {
  const all = new Array<number>(n)
  for (let i = 0; i < n; i++) all[i] = i
  return all
}

function rankOf(order: readonly number[]): TieRank {
  const rank = new Int32Array(order.length)
  for (let position = 0; position < order.length; position++) rank[order[position]!] = position
  return rank
}

/** The id order, the default and the last criterion of every list: shared per election (read-only). */
const idRankOf = perElection((election: Election): TieRank => {
  const projects = election.projects
  return rankOf(indices(projects.length).sort((a, b) => compareCodePoints(projects[a]!.id, projects[b]!.id)))
})

/** The default tie rank (id order), for callers that do not customize tie-breaking. */
export function idTieRank(election: Election): TieRank {
  return idRankOf(election)
}
