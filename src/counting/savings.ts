/**
 * Savings rounds (purpose `savings`, ballot format `objection`): voters list the candidate cuts
 * they object to, and a rule selects cuts whose savings reach the target T.
 * - `savingsMinObjection`: the exact minimum-objection covering knapsack, by branch and bound.
 * - `savingsGreedy`: cuts by objections per saving, ascending, until the target is reached.
 * Definitions and worked example: shared/rules/README.md, "Savings rounds"; algorithm notes in
 * ./beyond-pabulib.md.
 */
import { compareCodePoints, type KeyOrder } from './apportion.js'
import { Fraction } from './fraction.js'
import type { ExactString } from './types.js'

export interface Cut {
  readonly id: string
  /** s(c) > 0 in minor units; added revenue counts as a saving. */
  readonly saving: bigint
}

/** The cut ids a voter objects to (empty: accepts every cut), optionally standing for `weight` voters. */
export type ObjectionBallot =
  | readonly string[]
  | { readonly objections: readonly string[]; readonly weight?: number }

export interface SavingsInput {
  readonly cuts: readonly Cut[]
  /** T > 0 in minor units. */
  readonly target: bigint
  readonly ballots: readonly ObjectionBallot[]
  /** The round's tie-break as an order on cut ids; code-point order by default. */
  readonly tieBreak?: KeyOrder
}

export interface MinObjectionOptions {
  /** The search is exact or fails: past this many nodes it throws `savings_search_limit`. */
  readonly maxNodes?: number
}

export type SavingsRuleId = 'savings_min_objection' | 'savings_greedy'

export interface CutOutcome {
  readonly id: string
  readonly saving: bigint
  /** o(c): voters (total weight) objecting to the cut. */
  readonly objections: number
  readonly selected: boolean
}

/** A selection as the rules compare them. */
export interface SavingsSelection {
  /** Sorted by the tie-break order. */
  readonly selected: readonly string[]
  readonly objections: number
  readonly saving: bigint
  readonly overshoot: bigint
}

export type SavingsStep =
  /** Greedy: a cut taken, in order, with its ratio o(c)/s(c) and the saving reached so far. */
  | {
      readonly kind: 'take'
      readonly cut: string
      readonly ratio: ExactString
      readonly saving: bigint
      readonly objections: number
      readonly totalSaving: bigint
    }
  /** Greedy: a cut left out because the target was already reached. */
  | { readonly kind: 'not_needed'; readonly cut: string; readonly ratio: ExactString }
  /** The cuts cannot reach the target: all are selected. */
  | { readonly kind: 'target_unreachable'; readonly totalSaving: bigint; readonly shortfall: bigint }
  /** Minimum objection: the best selection known, first the greedy one, then each improvement found. */
  | ({ readonly kind: 'incumbent'; readonly source: 'greedy' | 'search' } & SavingsSelection)
  /** Minimum objection: the search finished; nothing better than the last incumbent exists. */
  | { readonly kind: 'proven_optimal'; readonly nodes: number }

export interface SavingsOutcome {
  readonly rule: SavingsRuleId
  /** Sorted by the tie-break order. */
  readonly selected: readonly string[]
  readonly totalSaving: bigint
  readonly totalObjections: number
  /** totalSaving − T when the target is reached, else 0. */
  readonly overshoot: bigint
  readonly targetReached: boolean
  /** T − totalSaving when the target is not reached, else 0. */
  readonly shortfall: bigint
  /** Voters counted (total weight of the ballots, empty ones included). */
  readonly voters: number
  /** One per cut, in input order. */
  readonly cuts: readonly CutOutcome[]
  readonly steps: readonly SavingsStep[]
}

export type SavingsErrorCode =
  | 'savings_target_not_positive'
  | 'savings_duplicate_cut'
  | 'savings_saving_not_positive'
  | 'savings_amounts_too_large'
  | 'savings_unknown_cut'
  | 'savings_duplicate_objection'
  | 'savings_invalid_weight'
  | 'savings_search_limit'

export class SavingsError extends Error {
  override readonly name = 'SavingsError'

  constructor(
    readonly code: SavingsErrorCode,
    /** Path of the offending input field, e.g. `cuts[3].saving` or `ballots[12]`. */
    readonly field: string,
    message: string,
    readonly ballotIndex?: number,
  ) {
    super(message)
  }
}

export function isSavingsError(error: unknown): error is SavingsError {
  return error instanceof SavingsError
}

interface Prepared {
  readonly input: SavingsInput
  readonly order: KeyOrder
  readonly savings: readonly number[]
  readonly objections: readonly number[]
  readonly target: number
  readonly totalSaving: bigint
  readonly voters: number
}

/**
 * Savings and objection counts become plain numbers: every sum the rules form stays at most the
 * sum of all savings (or of all objections), checked below 2^53, so number arithmetic on them is exact.
 */
function prepare(input: SavingsInput): Prepared {
  if (input.target <= 0n)
    throw new SavingsError('savings_target_not_positive', 'target', 'the target must be positive')
  const index = new Map<string, number>()
  let totalSaving = 0n
  input.cuts.forEach((cut, position) => {
    if (index.has(cut.id)) {
      throw new SavingsError('savings_duplicate_cut', `cuts[${position}].id`, `cut ${cut.id} is listed twice`)
    }
    if (cut.saving <= 0n) {
      throw new SavingsError(
        'savings_saving_not_positive',
        `cuts[${position}].saving`,
        'a saving must be positive',
      )
    }
    index.set(cut.id, position)
    totalSaving += cut.saving
  })
  if (totalSaving > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SavingsError(
      'savings_amounts_too_large',
      'cuts',
      'the savings sum to more than 2^53 − 1 minor units',
    )
  }

  const objections = new Array<number>(input.cuts.length).fill(0)
  let voters = 0
  input.ballots.forEach((ballot, ballotIndex) => {
    const listed = isObjectionList(ballot) ? ballot : ballot.objections
    const weight = isObjectionList(ballot) ? 1 : (ballot.weight ?? 1)
    if (!Number.isSafeInteger(weight) || weight < 1) {
      throw new SavingsError(
        'savings_invalid_weight',
        `ballots[${ballotIndex}].weight`,
        'a ballot weight must be a positive integer',
        ballotIndex,
      )
    }
    const seen = new Set<string>()
    for (const id of listed) {
      const position = index.get(id)
      if (position === undefined) {
        throw new SavingsError(
          'savings_unknown_cut',
          `ballots[${ballotIndex}]`,
          `ballot ${ballotIndex} objects to an unknown cut ${id}`,
          ballotIndex,
        )
      }
      if (seen.has(id)) {
        throw new SavingsError(
          'savings_duplicate_objection',
          `ballots[${ballotIndex}]`,
          `ballot ${ballotIndex} lists cut ${id} twice`,
          ballotIndex,
        )
      }
      seen.add(id)
      objections[position]! += weight
    }
    voters += weight
  })
  const objectionSum = objections.reduce((sum, count) => sum + count, 0)
  if (!Number.isSafeInteger(voters) || !Number.isSafeInteger(objectionSum)) {
    throw new SavingsError('savings_amounts_too_large', 'ballots', 'the objections sum to more than 2^53 − 1')
  }

  return {
    input,
    order: input.tieBreak ?? compareCodePoints,
    savings: input.cuts.map((cut) => Number(cut.saving)),
    objections,
    target: input.target <= totalSaving ? Number(input.target) : Number.POSITIVE_INFINITY,
    totalSaving,
    voters,
  }
}

function isObjectionList(ballot: ObjectionBallot): ballot is readonly string[] {
  return Array.isArray(ballot)
}

/** o(a)/s(a) against o(b)/s(b) by cross-multiplication in bigint (the products may pass 2^53). */
function compareRatio(p: Prepared, a: number, b: number): number {
  const left = BigInt(p.objections[a]!) * BigInt(p.savings[b]!)
  const right = BigInt(p.objections[b]!) * BigInt(p.savings[a]!)
  return left < right ? -1 : left > right ? 1 : 0
}

function ratioOf(p: Prepared, position: number): ExactString {
  return Fraction.of(p.objections[position]!, p.savings[position]!).toString()
}

function outcome(
  p: Prepared,
  rule: SavingsRuleId,
  chosen: readonly number[],
  steps: SavingsStep[],
): SavingsOutcome {
  const isSelected = new Array<boolean>(p.input.cuts.length).fill(false)
  for (const position of chosen) isSelected[position] = true
  const totalSaving = chosen.reduce((sum, position) => sum + p.input.cuts[position]!.saving, 0n)
  const totalObjections = chosen.reduce((sum, position) => sum + p.objections[position]!, 0)
  const targetReached = totalSaving >= p.input.target
  return {
    rule,
    selected: sortedIds(p, chosen),
    totalSaving,
    totalObjections,
    overshoot: targetReached ? totalSaving - p.input.target : 0n,
    targetReached,
    shortfall: targetReached ? 0n : p.input.target - totalSaving,
    voters: p.voters,
    cuts: p.input.cuts.map((cut, position) => ({
      id: cut.id,
      saving: cut.saving,
      objections: p.objections[position]!,
      selected: isSelected[position]!,
    })),
    steps,
  }
}

function sortedIds(p: Prepared, chosen: readonly number[]): string[] {
  return chosen.map((position) => p.input.cuts[position]!.id).sort(p.order)
}

function selectionOf(p: Prepared, chosen: readonly number[]): SavingsSelection {
  const saving = chosen.reduce((sum, position) => sum + p.input.cuts[position]!.saving, 0n)
  return {
    selected: sortedIds(p, chosen),
    objections: chosen.reduce((sum, position) => sum + p.objections[position]!, 0),
    saving,
    overshoot: saving - p.input.target,
  }
}

/** When even every cut together falls short of (or just meets) the target, every cut is selected. */
function allCutsIfForced(p: Prepared, rule: SavingsRuleId): SavingsOutcome | undefined {
  if (p.totalSaving > p.input.target) return undefined
  const steps: SavingsStep[] = []
  if (p.totalSaving < p.input.target) {
    steps.push({
      kind: 'target_unreachable',
      totalSaving: p.totalSaving,
      shortfall: p.input.target - p.totalSaving,
    })
  }
  return outcome(
    p,
    rule,
    p.input.cuts.map((_, position) => position),
    steps,
  )
}

function greedyOrder(p: Prepared): number[] {
  const positions = p.input.cuts.map((_, position) => position)
  return positions.sort((a, b) => compareRatio(p, a, b) || p.order(p.input.cuts[a]!.id, p.input.cuts[b]!.id))
}

function greedyChoice(p: Prepared): { chosen: number[]; steps: SavingsStep[] } {
  const chosen: number[] = []
  const steps: SavingsStep[] = []
  let total = 0n
  for (const position of greedyOrder(p)) {
    const cut = p.input.cuts[position]!
    if (total >= p.input.target) {
      steps.push({ kind: 'not_needed', cut: cut.id, ratio: ratioOf(p, position) })
      continue
    }
    total += cut.saving
    chosen.push(position)
    steps.push({
      kind: 'take',
      cut: cut.id,
      ratio: ratioOf(p, position),
      saving: cut.saving,
      objections: p.objections[position]!,
      totalSaving: total,
    })
  }
  return { chosen, steps }
}

/** savings_greedy: by o(c)/s(c) ascending (ties by the tie-break) until the saving reaches T. */
export function savingsGreedy(input: SavingsInput): SavingsOutcome {
  const p = prepare(input)
  const forced = allCutsIfForced(p, 'savings_greedy')
  if (forced) return forced
  const { chosen, steps } = greedyChoice(p)
  return outcome(p, 'savings_greedy', chosen, steps)
}

/**
 * savings_min_objection: among the sets with saving ≥ T, fewest objections, then fewest cuts,
 * then smallest overshoot, then the tie-break on the sorted id lists. Exact, by depth-first
 * branch and bound over the cuts in greedy order, starting from the greedy selection.
 */
export function savingsMinObjection(input: SavingsInput, options: MinObjectionOptions = {}): SavingsOutcome {
  const p = prepare(input)
  const forced = allCutsIfForced(p, 'savings_min_objection')
  if (forced) return forced
  const maxNodes = options.maxNodes ?? 50_000_000

  const greedy = greedyChoice(p).chosen
  const steps: SavingsStep[] = [{ kind: 'incumbent', source: 'greedy', ...selectionOf(p, greedy) }]

  // Search order: ratio ascending (what the LP bound needs); among equal ratios larger savings
  // first, and identical cuts (same saving and objections) adjacent in tie-break order.
  const items = p.input.cuts
    .map((_, position) => position)
    .sort(
      (a, b) =>
        compareRatio(p, a, b) ||
        p.savings[b]! - p.savings[a]! ||
        p.order(p.input.cuts[a]!.id, p.input.cuts[b]!.id),
    )
  const n = items.length
  const s = items.map((position) => p.savings[position]!)
  const o = items.map((position) => p.objections[position]!)
  const tieRank = new Array<number>(n)
  items
    .map((_, item) => item)
    .sort((a, b) => p.order(p.input.cuts[items[a]!]!.id, p.input.cuts[items[b]!]!.id))
    .forEach((item, rank) => {
      tieRank[item] = rank
    })
  const prefixSaving = [0]
  const prefixObjections = [0]
  for (let i = 0; i < n; i++) {
    prefixSaving.push(prefixSaving[i]! + s[i]!)
    prefixObjections.push(prefixObjections[i]! + o[i]!)
  }
  const bySavingDescending = s.map((_, item) => item).sort((a, b) => s[b]! - s[a]!)
  const bySavingAscending = [...bySavingDescending].reverse()
  const target = p.target

  const greedyItems = greedy.map((position) => items.indexOf(position))
  let best = {
    objections: greedyItems.reduce((sum, item) => sum + o[item]!, 0),
    count: greedyItems.length,
    saving: greedyItems.reduce((sum, item) => sum + s[item]!, 0),
    ranks: greedyItems.map((item) => tieRank[item]!).sort((a, b) => a - b),
    items: greedyItems,
  }
  const chosen: number[] = []
  let nodes = 0

  const consider = (objections: number, saving: number) => {
    const count = chosen.length
    if (objections > best.objections) return
    if (objections === best.objections) {
      if (count > best.count) return
      if (count === best.count) {
        if (saving > best.saving) return
        if (saving === best.saving) {
          const ranks = chosen.map((item) => tieRank[item]!).sort((a, b) => a - b)
          const differs = ranks.findIndex((rank, index) => rank !== best.ranks[index])
          if (differs < 0 || ranks[differs]! > best.ranks[differs]!) return
        }
      }
    }
    best = {
      objections,
      count,
      saving,
      ranks: chosen.map((item) => tieRank[item]!).sort((a, b) => a - b),
      items: [...chosen],
    }
    steps.push({
      kind: 'incumbent',
      source: 'search',
      ...selectionOf(
        p,
        chosen.map((item) => items[item]!),
      ),
    })
  }

  // Invariant on entry: saving < target. Items before `next` are decided.
  const visit = (next: number, objections: number, saving: number) => {
    if (++nodes > maxNodes) {
      throw new SavingsError(
        'savings_search_limit',
        'cuts',
        `the exact search passed ${maxNodes} nodes; no approximate answer is given`,
      )
    }
    const need = target - saving
    if (prefixSaving[n]! - prefixSaving[next]! < need) return
    // Dantzig's bound: the LP relaxation fills the need in ratio order; objections are integers.
    let low = next
    let high = n - 1
    const goal = prefixSaving[next]! + need
    while (low < high) {
      const middle = (low + high) >> 1
      if (prefixSaving[middle + 1]! >= goal) high = middle
      else low = middle + 1
    }
    const partial = need - (prefixSaving[low]! - prefixSaving[next]!)
    const bound =
      objections + prefixObjections[low]! - prefixObjections[next]! + ceilTimesOver(o[low]!, partial, s[low]!)
    if (bound > best.objections) return
    if (bound === best.objections) {
      // Only a completion that ties on objections can still win, so every cut it adds fits in
      // the objections left; bound its number of cuts and its saving from those cuts alone.
      const budget = best.objections - objections
      let fewest = 0
      let covered = 0
      for (const item of bySavingDescending) {
        if (item < next || o[item]! > budget) continue
        covered += s[item]!
        fewest++
        if (covered >= need) break
      }
      if (covered < need || chosen.length + fewest > best.count) return
      if (chosen.length + fewest === best.count) {
        let smallest = 0
        let taken = 0
        for (const item of bySavingAscending) {
          if (item < next || o[item]! > budget) continue
          smallest += s[item]!
          if (++taken === fewest) break
        }
        if (Math.max(target, saving + smallest) > best.saving) return
      }
    }

    chosen.push(next)
    const withSaving = saving + s[next]!
    if (withSaving >= target) consider(objections + o[next]!, withSaving)
    else visit(next + 1, objections + o[next]!, withSaving)
    chosen.pop()

    // Leaving a cut out leaves out its identical successors too: swapping one in for a later
    // identical one keeps objections, count and saving and wins the tie-break.
    let after = next + 1
    while (after < n && s[after] === s[next] && o[after] === o[next]) after++
    if (after < n) visit(after, objections, saving)
  }
  visit(0, 0, 0)
  steps.push({ kind: 'proven_optimal', nodes })

  return outcome(
    p,
    'savings_min_objection',
    best.items.map((item) => items[item]!),
    steps,
  )
}

/** ⌈a·b/c⌉ for non-negative integers, never above the true value (the bound must stay valid). */
function ceilTimesOver(a: number, b: number, c: number): number {
  const product = a * b
  if (product <= Number.MAX_SAFE_INTEGER) return Math.ceil(product / c)
  const big = BigInt(a) * BigInt(b)
  const divisor = BigInt(c)
  return Number((big + divisor - 1n) / divisor)
}
