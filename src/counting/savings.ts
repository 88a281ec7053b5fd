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
import { gcdOfSafe } from './profile.js'
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
 * branch and bound from the greedy selection, in two passes over the same search: the first
 * finds the best (objections, cuts, saving) with larger savings tried first, the second breaks
 * ties among the selections that reach it with the cuts tried in tie-break order.
 */
export function savingsMinObjection(input: SavingsInput, options: MinObjectionOptions = {}): SavingsOutcome {
  const p = prepare(input)
  const forced = allCutsIfForced(p, 'savings_min_objection')
  if (forced) return forced
  const budget = { nodes: 0, max: options.maxNodes ?? 50_000_000 }

  const greedy = greedyChoice(p).chosen
  const steps: SavingsStep[] = [{ kind: 'incumbent', source: 'greedy', ...selectionOf(p, greedy) }]
  const report = (chosen: readonly number[]) =>
    steps.push({ kind: 'incumbent', source: 'search', ...selectionOf(p, chosen) })

  // The LP bound needs the cuts in ratio order; within a ratio it does not care, so each pass
  // orders them for its own purpose.
  const byRatio = greedyOrder(p)
  const bySavingWithinRatio = [...byRatio].sort(
    (a, b) =>
      compareRatio(p, a, b) ||
      p.savings[b]! - p.savings[a]! ||
      p.order(p.input.cuts[a]!.id, p.input.cuts[b]!.id),
  )
  const best = branchAndBound(p, bySavingWithinRatio, greedy, false, budget, report)
  const tieBroken = branchAndBound(p, byRatio, best, true, budget, report)
  steps.push({ kind: 'proven_optimal', nodes: budget.nodes })
  return outcome(p, 'savings_min_objection', tieBroken, steps)
}

/**
 * One depth-first pass over the cuts in `order` (ratio ascending), from the incumbent selection
 * (positions into input.cuts). Without `breakTies` it keeps only strictly better
 * (objections, cuts, saving); with it, also a tie on those that wins the tie-break.
 */
function branchAndBound(
  p: Prepared,
  order: readonly number[],
  incumbent: readonly number[],
  breakTies: boolean,
  budget: { nodes: number; readonly max: number },
  report: (chosen: readonly number[]) => void,
): number[] {
  const n = order.length
  const s = order.map((position) => p.savings[position]!)
  const o = order.map((position) => p.objections[position]!)
  const tieRank = new Array<number>(n)
  order
    .map((_, item) => item)
    .sort((a, b) => p.order(p.input.cuts[order[a]!]!.id, p.input.cuts[order[b]!]!.id))
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
  // Every total saving is a multiple of the savings' gcd, which sharpens the bound on the overshoot.
  const granularity = s.reduce(gcdOfSafe, 0)
  // Leaving a cut out leaves out its identical successors (same saving and objections) too:
  // swapping one in for a later identical one keeps objections, count and saving and wins the tie-break.
  const twins = s.map((_, item) => {
    const later: number[] = []
    for (let other = item + 1; other < n; other++) {
      if (s[other] === s[item] && o[other] === o[item]) later.push(other)
    }
    return later
  })
  const banned = new Uint8Array(n)

  const itemOf = new Map(order.map((position, item) => [position, item]))
  let bestItems = incumbent.map((position) => itemOf.get(position)!)
  let bestObjections = bestItems.reduce((sum, item) => sum + o[item]!, 0)
  let bestSaving = bestItems.reduce((sum, item) => sum + s[item]!, 0)
  const inBest = new Uint8Array(n)
  for (const item of bestItems) inBest[item] = 1
  const chosen: number[] = []
  const inChosen = new Uint8Array(n)

  const consider = (objections: number, saving: number) => {
    if (objections !== bestObjections) {
      if (objections > bestObjections) return
    } else if (chosen.length !== bestItems.length) {
      if (chosen.length > bestItems.length) return
    } else if (saving !== bestSaving) {
      if (saving > bestSaving) return
    } else if (!breakTies || !winsTieBreak()) return
    bestItems = [...chosen]
    bestObjections = objections
    bestSaving = saving
    inBest.fill(0)
    for (const item of chosen) inBest[item] = 1
    report(chosen.map((item) => order[item]!))
  }

  // The sorted id lists differ first at the lowest-ranked cut in exactly one of the two sets.
  const winsTieBreak = () => {
    let first = -1
    for (let item = 0; item < n; item++) {
      if (inChosen[item] !== inBest[item] && (first < 0 || tieRank[item]! < tieRank[first]!)) first = item
    }
    return first >= 0 && inChosen[first] === 1
  }

  // A completion that ties on objections, cuts and saving wins only on the tie-break: the first
  // cut (in tie-break order) where it differs from the incumbent must be one it selects.
  const canWinTieBreak = (next: number, spare: number) => {
    let first = Number.POSITIVE_INFINITY
    let firstSelected = false
    for (let item = 0; item < next; item++) {
      if (inChosen[item] !== inBest[item] && tieRank[item]! < first) {
        first = tieRank[item]!
        firstSelected = inChosen[item] === 1
      }
    }
    if (firstSelected) return true
    for (let item = next; item < n; item++) {
      if (inBest[item] === 0 && banned[item] === 0 && o[item]! <= spare && tieRank[item]! < first) return true
    }
    return false
  }

  // Invariant on entry: saving < target; items before `from` are decided.
  const visit = (from: number, objections: number, saving: number) => {
    let next = from
    while (next < n && banned[next]! > 0) next++
    if (next === n) return
    if (++budget.nodes > budget.max) {
      throw new SavingsError(
        'savings_search_limit',
        'cuts',
        `the exact search passed ${budget.max} nodes; no approximate answer is given`,
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
    if (bound > bestObjections) return
    if (bound === bestObjections) {
      // Only a completion that ties on objections can still win, so every cut it adds fits in
      // the objections left; bound its number of cuts and its saving from those cuts alone.
      const spare = bestObjections - objections
      let fewest = 0
      let covered = 0
      for (const item of bySavingDescending) {
        if (item < next || o[item]! > spare || banned[item]! > 0) continue
        covered += s[item]!
        fewest++
        if (covered >= need) break
      }
      if (covered < need || chosen.length + fewest > bestItems.length) return
      if (chosen.length + fewest === bestItems.length) {
        let smallest = 0
        let taken = 0
        for (const item of bySavingAscending) {
          if (item < next || o[item]! > spare || banned[item]! > 0) continue
          smallest += s[item]!
          if (++taken === fewest) break
        }
        const lowest = roundUp(Math.max(target, saving + smallest), granularity)
        if (lowest > bestSaving) return
        if (lowest === bestSaving && (!breakTies || !canWinTieBreak(next, spare))) return
      }
    }

    chosen.push(next)
    inChosen[next] = 1
    const withSaving = saving + s[next]!
    if (withSaving >= target) consider(objections + o[next]!, withSaving)
    else visit(next + 1, objections + o[next]!, withSaving)
    chosen.pop()
    inChosen[next] = 0

    for (const twin of twins[next]!) banned[twin]!++
    visit(next + 1, objections, saving)
    for (const twin of twins[next]!) banned[twin]!--
  }
  visit(0, 0, 0)
  return bestItems.map((item) => order[item]!)
}

/** ⌈a·b/c⌉ for non-negative integers, never above the true value (the bound must stay valid). */
function ceilTimesOver(a: number, b: number, c: number): number {
  const product = a * b
  if (product <= Number.MAX_SAFE_INTEGER) return Math.ceil(product / c)
  const big = BigInt(a) * BigInt(b)
  const divisor = BigInt(c)
  return Number((big + divisor - 1n) / divisor)
}

function roundUp(value: number, step: number): number {
  const over = value % step
  return over === 0 ? value : value + step - over
}
