import type { CountOptions, Election, Outcome, UnfundedReason } from './types.js'

/**
 * Figures derived from the election counted last, one array (slot i for the i-th perElection
 * figure) held for that Election object only: a count of another election starts a new array. A
 * WeakMap keyed by election was used before: V8's minor GC keeps a WeakMap's values alive until a
 * major GC, and on small elections those major GCs took about half of every count (Pole
 * Mokotowskie mes_cost 10 µs, now 4.4; phragmen 7 µs, now 1.5). Counts of one election follow each
 * other (several rules, the add1 loop's runs, the benchmark), so one entry keeps what sharing
 * matters; it holds one election's figures until the next count.
 */
let lastElection: Election | undefined
let lastValues: unknown[] = []
let slots = 0
/** dropped[i]: called with slot i's value when the cache moves on to another election. */
const dropped: (((value: never) => void) | undefined)[] = []

/**
 * Memoizes a figure derived from an election while it is the Election object counted last.
 * Elections are immutable (every field is readonly and nothing in the library writes to them), so
 * repeated counts of one election (several rules, the add1 loop) share the work. The
 * values are shared too: callers must treat them as read-only. `compute` must not return undefined.
 * `onDrop` is called with the value when the cache moves on to another election (to reuse its
 * buffers: see retireProfile).
 */
export function perElection<T>(
  compute: (election: Election) => T,
  onDrop?: (value: T) => void,
): (election: Election) => T {
  const slot = slots++
  dropped[slot] = onDrop
  return (election) => {
    let values = lastValues
    if (lastElection !== election) {
      for (let i = 0; i < values.length; i++) {
        const drop = dropped[i]
        if (drop !== undefined && values[i] !== undefined) drop(values[i] as never)
      }
      values = new Array(slots)
      lastElection = election
      lastValues = values
    }
    let value = values[slot] as T | undefined
    if (value === undefined) {
      value = compute(election)
      values[slot] = value
    }
    return value
  }
}

/** Number of voters, empty ballots included. A sum of ballot weights: below 2^53 for any real election. */
export function countVoters(election: Election): number {
  let n = 0
  for (const ballot of election.ballots) n += ballot.weight
  return n
}

/** supporters[p]: voters whose ballot lists p (with any points, at any rank). Safe integers: at most n. */
export function supporterCounts(election: Election): number[] {
  const m = election.projects.length
  // (A loop: fill() costs more than the writes on the few projects of small elections.)
  const supporters = new Array<number>(m)
  for (let p = 0; p < m; p++) supporters[p] = 0
  for (const ballot of election.ballots) {
    for (const p of ballot.projects) supporters[p]! += ballot.weight
  }
  return supporters
}

/**
 * Sums weight × value(ballot entry) per project, value being the points (cumulative ballots)
 * or the Borda points. The sums of non-negative terms are monotone, so when every final sum is
 * a safe integer so was every partial sum, and the numbers are exact; otherwise the sums are
 * recomputed in BigInt.
 */
function weightedTotals(election: Election, borda: boolean): bigint[] {
  const totals = new Float64Array(election.projects.length)
  for (const ballot of election.ballots) {
    const entries = ballot.projects
    const w = ballot.weight
    if (borda) {
      const last = entries.length - 1
      for (let i = 0; i <= last; i++) totals[entries[i]!]! += w * (last - i)
    } else if (ballot.points !== undefined) {
      const points = ballot.points
      for (let i = 0; i < entries.length; i++) totals[entries[i]!]! += w * (points[i] ?? 0)
    }
  }
  const exact = new Array<bigint>(totals.length)
  if (totals.every((t) => Number.isSafeInteger(t))) {
    for (let p = 0; p < totals.length; p++) exact[p] = BigInt(totals[p]!)
    return exact
  }
  exact.fill(0n)
  for (const ballot of election.ballots) {
    const entries = ballot.projects
    const w = BigInt(ballot.weight)
    for (let i = 0; i < entries.length; i++) {
      const value = borda ? entries.length - 1 - i : (ballot.points?.[i] ?? 0)
      exact[entries[i]!]! += w * BigInt(value)
    }
  }
  return exact
}

/** Total points per project (cumulative ballots; other ballots give no points). */
export function pointTotals(election: Election): bigint[] {
  return weightedTotals(election, false)
}

/** Total Borda points per project: a ballot ranking L projects gives its i-th (0-based) L - 1 - i. */
export function bordaTotals(election: Election): bigint[] {
  return weightedTotals(election, true)
}

/** countVoters, once per election. */
export const votersOf: (election: Election) => number = perElection(countVoters)

/** supporterCounts, once per election (read-only). */
export const supportersOf: (election: Election) => readonly number[] = perElection(supporterCounts)

/** pointTotals, once per election (read-only). */
export const pointTotalsOf: (election: Election) => readonly bigint[] = perElection(pointTotals)

/** bordaTotals, once per election (read-only). */
export const bordaTotalsOf: (election: Election) => readonly bigint[] = perElection(bordaTotals)

/** Exact decimal text of an amount in units of 10^-scale: "1306900", "1331751.11", "0.5". */
export function formatAmount(value: bigint, scale: number): string {
  const n = Number(value)
  // A safe integer splits exactly in doubles: n % 10^scale is exact, and so is the division of
  // n minus that remainder (a multiple of 10^scale) by 10^scale.
  if (Number.isSafeInteger(n) && scale <= 15) return formatSafeAmount(n, scale)
  const negative = value < 0n
  const digits = (negative ? -value : value).toString()
  if (scale === 0) return (negative ? '-' : '') + digits
  const padded = digits.padStart(scale + 1, '0')
  const fraction = padded.slice(-scale).replace(/0+$/, '')
  return (negative ? '-' : '') + padded.slice(0, -scale) + (fraction === '' ? '' : '.' + fraction)
}

function formatSafeAmount(n: number, scale: number): string {
  const sign = n < 0 ? '-' : ''
  const abs = n < 0 ? -n : n
  if (scale === 0) return sign + String(abs)
  const unit = 10 ** scale
  let fraction = abs % unit
  const whole = String((abs - fraction) / unit)
  if (fraction === 0) return sign + whole
  let digits = scale
  while (fraction % 10 === 0) {
    fraction /= 10
    digits--
  }
  return `${sign}${whole}.${String(fraction).padStart(digits, '0')}`
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Greatest common divisor (non-negative). While the smaller number is above 2^53: Lehmer's
 * algorithm (Knuth, TAOCP vol. 2, 4.5.2, Algorithm L), which runs Euclid on the leading 48 bits
 * in doubles (every value stays below 2^50, so exact) for as long as the quotients provably
 * agree with the full numbers', then applies the combined steps to the BigInts at once: a few
 * BigInt operations per ~24 bits instead of one division per ~1.7 bits. Then Euclid in doubles,
 * where remainders of safe integers are exact and far cheaper.
 */
export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  if (x < y) {
    const swap = x
    x = y
    y = swap
  }
  while (y > MAX_SAFE) {
    const shift = BigInt(bitLength(x) - 48)
    let xh = Number(x >> shift)
    let yh = Number(y >> shift)
    let A = 1
    let B = 0
    let C = 0
    let D = 1
    while (yh + C !== 0 && yh + D !== 0) {
      const q = Math.floor((xh + A) / (yh + C))
      if (q !== Math.floor((xh + B) / (yh + D))) break
      let t = A - q * C
      A = C
      C = t
      t = B - q * D
      B = D
      D = t
      t = xh - q * yh
      xh = yh
      yh = t
    }
    if (B === 0) {
      const r = x % y
      x = y
      y = r
    } else {
      const nx = BigInt(A) * x + BigInt(B) * y
      y = BigInt(C) * x + BigInt(D) * y
      x = nx
    }
  }
  if (y === 0n) return x
  let u = Number(y)
  let v = Number(x % y)
  while (v !== 0) {
    const r = u % v
    u = v
    v = r
  }
  return BigInt(u)
}

/**
 * Greatest common divisor of two non-negative safe integers (Euclid in doubles, exact). Once both
 * fit in 31 bits, in int32: V8 divides those with an integer instruction, doubles with a call to
 * fmod (5% of a small mes_cardinal count went to this loop).
 */
export function gcdOfSafe(a: number, b: number): number {
  let x = a
  let y = b
  while (y > 0x7fffffff || x > 0x7fffffff) {
    if (y === 0) return x
    const r = x % y
    x = y
    y = r
  }
  let u = x | 0
  let v = y | 0
  while (v !== 0) {
    const r = u % v
    u = v
    v = r
  }
  return u
}

/**
 * Number of bits of x > 0, possibly one more or one less (enough to pick leading bits). From
 * the double's exponent, or from the hex digits beyond the double range.
 */
function bitLength(x: bigint): number {
  const n = Number(x)
  if (n !== Number.POSITIVE_INFINITY) return Math.floor(Math.log2(n)) + 1
  return x.toString(16).length * 4
}

/** "7/40" in lowest terms, or "3" when integral; `den` must be positive. */
export function formatFraction(num: bigint, den: bigint): string {
  const g = gcd(num, den)
  const n = g === 0n ? num : num / g
  const d = g === 0n ? den : den / g
  return d === 1n ? n.toString() : `${n}/${d}`
}

/** A category quota while counting: its projects, spent so far, and bounds as numerators over 10000. */
interface QuotaState {
  readonly members: Set<number>
  spent: bigint
  readonly min?: bigint
  readonly max?: bigint
}

// The lists of a count without exclusion groups or quotas (most counts): nothing writes to them.
const NONE_TAKEN: boolean[] = Object.freeze([]) as unknown as boolean[]
const NO_QUOTAS: QuotaState[] = Object.freeze([]) as unknown as QuotaState[]

/**
 * The round options shared by the rules, as checks on a growing set of funded projects:
 * minimum support (decided up front), exclusion groups and category quotas (decided as
 * projects are funded). Quotas are shares of the budget in basis points, compared exactly:
 * spent(c) * 10000 against bps * budget.
 */
export class RoundConstraints {
  private readonly election: Election
  /** Undefined when there is no minimum support: every project is eligible. */
  private readonly eligible: boolean[] | undefined
  /** groups[p]: indices of the exclusion groups p belongs to; undefined without groups. */
  private readonly groups: number[][] | undefined
  private readonly groupTaken: boolean[]
  private readonly quotas: QuotaState[]
  readonly hasMinimums: boolean

  constructor(election: Election, options: CountOptions, supporters: readonly number[]) {
    this.election = election
    const minVotes = options.minSupport?.votes ?? 0
    const shareBps = options.minSupport?.shareBps ?? 0
    checkBps(shareBps, 'minSupport.shareBps')
    if (!Number.isInteger(minVotes) || minVotes < 0)
      throw new RangeError('minSupport.votes must be a whole number')
    if (minVotes > 0 || shareBps > 0) {
      const n = votersOf(election)
      this.eligible = supporters.map((s) => s >= minVotes && s * 10000 >= shareBps * n)
    }

    const groups = options.exclusionGroups ?? []
    if (groups.length > 0) {
      const ids = new Map(election.projects.map((p, i) => [p.id, i]))
      const groupsOf: number[][] = election.projects.map(() => [])
      groups.forEach((group, g) => {
        for (const id of group) {
          const p = ids.get(id)
          if (p === undefined) throw new RangeError(`exclusion group ${g + 1} names unknown project "${id}"`)
          groupsOf[p]!.push(g)
        }
      })
      this.groups = groupsOf
    }
    this.groupTaken = groups.length === 0 ? NONE_TAKEN : groups.map(() => false)

    const quotas = options.categoryQuotas
    if (quotas === undefined || quotas.length === 0) {
      this.quotas = NO_QUOTAS
      this.hasMinimums = false
      return
    }
    this.quotas = quotas.map((q) => {
      if (q.minBps !== undefined) checkBps(q.minBps, `categoryQuotas[${q.category}].minBps`)
      if (q.maxBps !== undefined) checkBps(q.maxBps, `categoryQuotas[${q.category}].maxBps`)
      const members = new Set<number>()
      election.projects.forEach((p, i) => {
        if (p.categories.includes(q.category)) members.add(i)
      })
      return {
        members,
        spent: 0n,
        ...(q.minBps === undefined ? {} : { min: BigInt(q.minBps) * election.budget }),
        ...(q.maxBps === undefined ? {} : { max: BigInt(q.maxBps) * election.budget }),
      }
    })
    this.hasMinimums = this.quotas.some((q) => q.min !== undefined && q.min > 0n)
  }

  /** False when the project misses the minimum support: it never takes part. */
  isEligible(p: number): boolean {
    return this.eligible === undefined || this.eligible[p]!
  }

  /** Why p cannot be added to the funded set now (apart from the budget), if it cannot. */
  blocked(p: number): UnfundedReason | undefined {
    if (this.eligible !== undefined && !this.eligible[p]) return 'below_min_support'
    if (this.groups !== undefined && this.groups[p]!.some((g) => this.groupTaken[g])) {
      return 'excluded_by_conflict'
    }
    if (this.quotas.length === 0) return undefined
    const cost = this.election.projects[p]!.cost
    for (const q of this.quotas) {
      if (q.max !== undefined && q.members.has(p) && (q.spent + cost) * 10000n > q.max)
        return 'category_max_reached'
    }
    return undefined
  }

  /** True when p belongs to a category whose minimum share is not reached yet. */
  fillsMinimum(p: number): boolean {
    return this.quotas.some((q) => q.min !== undefined && q.members.has(p) && q.spent * 10000n < q.min)
  }

  fund(p: number): void {
    if (this.groups !== undefined) for (const g of this.groups[p]!) this.groupTaken[g] = true
    if (this.quotas.length === 0) return
    const cost = this.election.projects[p]!.cost
    for (const q of this.quotas) if (q.members.has(p)) q.spent += cost
  }
}

function checkBps(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 10000) {
    throw new RangeError(`${name} must be a whole number of basis points between 0 and 10000`)
  }
}

/**
 * The Outcome fields of the leftover policy: `partial_next` gives what is left to `next` (the first
 * project in the rule's order that was not funded for lack of money), `carry_over` reports the amount.
 */
function leftoverPolicy(
  options: CountOptions,
  leftover: bigint,
  next: number | undefined,
): { partial?: { project: number; amount: bigint }; carryOver?: bigint } {
  if (options.leftover === 'carry_over') return { carryOver: leftover }
  if (options.leftover === 'partial_next' && next !== undefined && leftover > 0n) {
    return { partial: { project: next, amount: leftover } }
  }
  return {}
}

/**
 * The outcome with its leftover policy's fields (leftoverPolicy), the same object when the options
 * set none (a spread of an empty object per count was a few % of a count of the smallest files).
 */
export function withLeftover(
  outcome: Outcome,
  options: CountOptions,
  leftover: bigint,
  next: number | undefined,
): Outcome {
  if (options.leftover === undefined || options.leftover === 'none') return outcome
  return { ...outcome, ...leftoverPolicy(options, leftover, next) }
}
