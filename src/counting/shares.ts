/**
 * Shares ballots: each voter divides 100 % of a pot among its components, in basis points.
 * - `sharesMean`: the average ballot.
 * - `sharesIndependentMarkets`: the independent-markets moving-phantom mechanism of Freeman,
 *   Pennock, Peters and Wortman Vaughan ("Truthful aggregation of budget proposals", EC 2019;
 *   JET 2021): truthful and proportional, computed exactly.
 * Both give exact fractions, basis points summing to 10000 and money summing to the pot amount,
 * each by largest remainder from the exact shares. Definitions and worked examples:
 * shared/rules/README.md, "Shares ballots"; algorithm notes in ./beyond-pabulib.md.
 */
import { apportion, compareCodePoints, type KeyOrder } from './apportion.js'
import { Fraction } from './fraction.js'

export interface SharesInput {
  /** Component ids (sectors or project components); every ballot lists its points in this order. */
  readonly components: readonly string[]
  /** One entry per voter with a shares ballot: integer basis points ≥ 0 summing to 10000. */
  readonly ballots: readonly (readonly number[])[]
  /** The pot amount A in minor units. */
  readonly amount: bigint
  /** The round's tie-break as an order on component ids; code-point order by default. */
  readonly tieBreak?: KeyOrder
}

export type SharesRuleId = 'shares_mean' | 'shares_independent_markets'

/** Independent markets: which of the 2n + 1 numbers is the component's median at t*. */
export type MedianSource =
  | { readonly source: 'report' }
  /** Phantom f_k(t*) = min(1, t* · (n − k)). */
  | { readonly source: 'phantom'; readonly phantom: number }

export interface ComponentShare {
  readonly id: string
  /** The exact share of the pot. */
  readonly share: Fraction
  /** Basis points; they sum to exactly 10000. */
  readonly bps: number
  /** Minor units; they sum to exactly the pot amount. */
  readonly amount: bigint
  /** Independent markets only. */
  readonly median?: MedianSource
}

export interface SharesOutcome {
  readonly rule: SharesRuleId
  readonly voters: number
  readonly amount: bigint
  /** In input order. */
  readonly components: readonly ComponentShare[]
  /** Independent markets: the smallest t with S(t) = 1. */
  readonly tStar?: Fraction
}

export type SharesErrorCode =
  | 'shares_no_components'
  | 'shares_duplicate_component'
  | 'shares_no_ballots'
  | 'shares_ballot_length'
  | 'shares_ballot_entry'
  | 'shares_ballot_sum'
  | 'shares_amount_negative'

export class SharesError extends Error {
  override readonly name = 'SharesError'

  constructor(
    readonly code: SharesErrorCode,
    /** Path of the offending input field, e.g. `ballots[4][2]`. */
    readonly field: string,
    message: string,
    readonly ballotIndex?: number,
  ) {
    super(message)
  }
}

export function isSharesError(error: unknown): error is SharesError {
  return error instanceof SharesError
}

const FULL = 10000

function validate(input: SharesInput): void {
  const m = input.components.length
  if (m === 0) throw new SharesError('shares_no_components', 'components', 'there are no components')
  const seen = new Set<string>()
  input.components.forEach((id, index) => {
    if (seen.has(id)) {
      throw new SharesError(
        'shares_duplicate_component',
        `components[${index}]`,
        `component ${id} is listed twice`,
      )
    }
    seen.add(id)
  })
  if (input.amount < 0n)
    throw new SharesError('shares_amount_negative', 'amount', 'the pot amount is negative')
  if (input.ballots.length === 0)
    throw new SharesError('shares_no_ballots', 'ballots', 'there are no ballots')
  input.ballots.forEach((ballot, index) => {
    if (ballot.length !== m) {
      throw new SharesError(
        'shares_ballot_length',
        `ballots[${index}]`,
        `ballot ${index} has ${ballot.length} entries for ${m} components`,
        index,
      )
    }
    let sum = 0
    for (let j = 0; j < m; j++) {
      const points = ballot[j]!
      if (!Number.isInteger(points) || points < 0 || points > FULL) {
        throw new SharesError(
          'shares_ballot_entry',
          `ballots[${index}][${j}]`,
          `ballot ${index} gives component ${input.components[j]} ${points}: basis points must be integers from 0 to 10000`,
          index,
        )
      }
      sum += points
    }
    if (sum !== FULL) {
      throw new SharesError(
        'shares_ballot_sum',
        `ballots[${index}]`,
        `ballot ${index} sums to ${sum} basis points instead of 10000`,
        index,
      )
    }
  })
}

function finish(
  input: SharesInput,
  rule: SharesRuleId,
  shares: readonly Fraction[],
  extra: { tStar?: Fraction; medians?: readonly MedianSource[] } = {},
): SharesOutcome {
  const order = input.tieBreak ?? compareCodePoints
  const weights = input.components.map((id, j) => ({ key: id, weight: shares[j]! }))
  const bps = apportion(weights, BigInt(FULL), order)
  const money = apportion(weights, input.amount, order)
  return {
    rule,
    voters: input.ballots.length,
    amount: input.amount,
    components: input.components.map((id, j) => ({
      id,
      share: shares[j]!,
      bps: Number(bps[j]!.amount),
      amount: money[j]!.amount,
      ...(extra.medians ? { median: extra.medians[j]! } : {}),
    })),
    ...(extra.tStar ? { tStar: extra.tStar } : {}),
  }
}

/** shares_mean: share_j = (1/n) Σ_i q_ij. */
export function sharesMean(input: SharesInput): SharesOutcome {
  validate(input)
  const n = input.ballots.length
  const shares = input.components.map((_, j) => {
    let points = 0
    for (const ballot of input.ballots) points += ballot[j]!
    return Fraction.of(points, n * FULL)
  })
  return finish(input, 'shares_mean', shares)
}

/**
 * A component's median at time t, read off its reports sorted ascending r_1 ≤ … ≤ r_n: the
 * (n+1)-th smallest of the reports and the phantoms min(1, t·l), l = 0..n, is
 * min_i max(r_i, min(1, t·(n − i))), attained where the rising reports cross the falling
 * phantoms. With i* the first i where r_i ≥ min(1, t·(n − i)) and c = n − i* + 1, it is
 * min(r_i*, t·c) (the reports are at most 1). The crossing is found by binary search.
 */
function firstCrossingFloat(sorted: Int32Array, t: number): number {
  const n = sorted.length
  let low = 1
  let high = n
  while (low < high) {
    const middle = (low + high) >> 1
    if (sorted[middle - 1]! >= Math.min(FULL, FULL * t * (n - middle))) high = middle
    else low = middle + 1
  }
  return low
}

function totalFloat(columns: readonly Int32Array[], t: number): number {
  let total = 0
  for (const sorted of columns) {
    const crossing = firstCrossingFloat(sorted, t)
    total += Math.min(sorted[crossing - 1]!, FULL * t * (sorted.length - crossing + 1))
  }
  return total / FULL
}

interface ExactMedian {
  readonly crossing: number
  /** The median is the report r_crossing (else the phantom t·c). */
  readonly isReport: boolean
}

interface ExactTotal {
  readonly value: Fraction
  /** dS/dt just left of t (side `left`) or just right of it (side `right`). */
  readonly slope: bigint
  readonly medians: readonly ExactMedian[]
}

/**
 * S(t) and its one-sided slope, in exact integer arithmetic with t = a/b. Just left of t the
 * crossing is the same as at t; just right of it a report equal to a phantom no longer counts as
 * at or above it, so the comparison turns strict.
 */
function totalExact(columns: readonly Int32Array[], t: Fraction, side: 'left' | 'right'): ExactTotal {
  const a = t.num
  const b = t.den
  const full = BigInt(FULL)
  const fullB = full * b
  const fullA = full * a
  let reportPoints = 0n
  let phantomSlope = 0n
  let slope = 0n
  const medians: ExactMedian[] = []
  for (const sorted of columns) {
    const n = sorted.length
    let low = 1
    let high = n
    while (low < high) {
      const middle = (low + high) >> 1
      const l = BigInt(n - middle)
      const report = BigInt(sorted[middle - 1]!) * b
      const atOrAbove =
        side === 'left'
          ? report >= (fullA * l < fullB ? fullA * l : fullB)
          : a * l >= b
            ? report >= fullB
            : report > fullA * l
      if (atOrAbove) high = middle
      else low = middle + 1
    }
    const c = BigInt(n - low + 1)
    const report = BigInt(sorted[low - 1]!) * b
    const phantom = fullA * c
    const isReport = report <= phantom
    if (isReport) reportPoints += BigInt(sorted[low - 1]!)
    else phantomSlope += c
    if (side === 'left' ? phantom <= report : phantom < report) slope += c
    medians.push({ crossing: low, isReport })
  }
  return { value: Fraction.of(reportPoints * b + fullA * phantomSlope, fullB), slope, medians }
}

function fromFloat(x: number): Fraction {
  return Fraction.of(BigInt(Math.round(x * 2 ** 60)), 2n ** 60n)
}

/**
 * The smallest t* with S(t*) = 1. Floats bracket it; then exact steps: from the upper end along
 * the linear piece to its left, from the lower end along the piece to its right, halving only
 * when neither lands inside the bracket. Each step either solves its piece or moves an end past
 * a breakpoint, so few steps suffice. t* is proven when S(t*) = 1 exactly and S rises into it
 * (slope > 0 just left of it), so S < 1 everywhere before.
 */
function solveTStar(
  columns: readonly Int32Array[],
  floatBracket: boolean,
): { tStar: Fraction; at: ExactTotal } {
  let lowFloat = 0
  let highFloat = 1
  for (let iteration = 0; floatBracket && iteration < 200; iteration++) {
    const middle = (lowFloat + highFloat) / 2
    if (middle <= lowFloat || middle >= highFloat) break
    if (totalFloat(columns, middle) < 1) lowFloat = middle
    else highFloat = middle
  }
  const margin = 2 ** -40
  let low = fromFloat(Math.max(0, lowFloat - margin))
  let high = fromFloat(Math.min(1, highFloat + margin))
  if (totalExact(columns, low, 'left').value.compare(Fraction.ONE) >= 0) low = Fraction.ZERO
  if (totalExact(columns, high, 'left').value.compare(Fraction.ONE) < 0) high = Fraction.ONE

  const solves = (at: ExactTotal) => at.value.equals(Fraction.ONE) && at.slope > 0n
  // Returns whether t solves; otherwise narrows the bracket to it.
  const probe = (t: Fraction): ExactTotal | undefined => {
    const at = totalExact(columns, t, 'left')
    if (solves(at)) return at
    if (at.value.compare(Fraction.ONE) < 0) low = t
    else high = t
    return undefined
  }

  for (let iteration = 0; iteration < 10_000; iteration++) {
    const atHigh = totalExact(columns, high, 'left')
    if (solves(atHigh)) return { tStar: high, at: atHigh }
    let moved = false
    if (atHigh.slope > 0n) {
      const t = high.sub(atHigh.value.sub(Fraction.ONE).div(Fraction.of(atHigh.slope)))
      if (t.compare(low) > 0) {
        const at = probe(t)
        if (at) return { tStar: t, at }
        moved = true
      }
    }
    const atLow = totalExact(columns, low, 'right')
    if (atLow.slope > 0n) {
      const t = low.add(Fraction.ONE.sub(atLow.value).div(Fraction.of(atLow.slope)))
      if (t.compare(high) < 0) {
        const at = probe(t)
        if (at) return { tStar: t, at }
        moved = true
      }
    }
    if (!moved) {
      const t = low.add(high).mul(Fraction.of(1n, 2n))
      const at = probe(t)
      if (at) return { tStar: t, at }
    }
  }
  throw new Error('independent markets: t* was not isolated (S is continuous and monotone, so this is a bug)')
}

export interface IndependentMarketsOptions {
  /**
   * Bracket t* with floating point first (default). Without it the exact steps start from [0, 1]:
   * the same answer, more exact evaluations, and no floating point anywhere.
   */
  readonly floatBracket?: boolean
}

/** shares_independent_markets: share_j = med_j(t*), with t* the smallest t where Σ_j med_j(t) = 1. */
export function sharesIndependentMarkets(
  input: SharesInput,
  options: IndependentMarketsOptions = {},
): SharesOutcome {
  validate(input)
  const n = input.ballots.length
  const columns = input.components.map((_, j) => {
    const column = new Int32Array(n)
    input.ballots.forEach((ballot, i) => {
      column[i] = ballot[j]!
    })
    return column.sort()
  })
  const { tStar, at } = solveTStar(columns, options.floatBracket ?? true)
  const shares = at.medians.map((median, j) =>
    median.isReport
      ? Fraction.of(columns[j]![median.crossing - 1]!, FULL)
      : tStar.mul(Fraction.of(n - median.crossing + 1)),
  )
  const medians: MedianSource[] = at.medians.map((median) =>
    median.isReport ? { source: 'report' } : { source: 'phantom', phantom: median.crossing - 1 },
  )
  return finish(input, 'shares_independent_markets', shares, { tStar, medians })
}
