import type { CountOptions, Election, UnfundedReason } from './types.js'

/** Number of voters, empty ballots included. A sum of ballot weights: below 2^53 for any real election. */
export function countVoters(election: Election): number {
  let n = 0
  for (const ballot of election.ballots) n += ballot.weight
  return n
}

/** supporters[p]: voters whose ballot lists p (with any points, at any rank). Safe integers: at most n. */
export function supporterCounts(election: Election): number[] {
  const supporters = new Array<number>(election.projects.length).fill(0)
  for (const ballot of election.ballots) {
    for (const p of ballot.projects) supporters[p]! += ballot.weight
  }
  return supporters
}

/**
 * Sums weight × value(ballot entry) per project. The sums of non-negative terms are monotone,
 * so when every final sum is a safe integer so was every partial sum, and the numbers are
 * exact; otherwise the sums are recomputed in BigInt.
 */
function weightedTotals(
  election: Election,
  value: (ballot: Election['ballots'][number], position: number) => number,
): bigint[] {
  const totals = new Array<number>(election.projects.length).fill(0)
  for (const ballot of election.ballots) {
    const entries = ballot.projects
    for (let i = 0; i < entries.length; i++) totals[entries[i]!]! += ballot.weight * value(ballot, i)
  }
  if (totals.every((t) => Number.isSafeInteger(t))) return totals.map((t) => BigInt(t))
  const exact = new Array<bigint>(election.projects.length).fill(0n)
  for (const ballot of election.ballots) {
    const entries = ballot.projects
    for (let i = 0; i < entries.length; i++) {
      exact[entries[i]!]! += BigInt(ballot.weight) * BigInt(value(ballot, i))
    }
  }
  return exact
}

/** Total points per project (cumulative ballots; other ballots give no points). */
export function pointTotals(election: Election): bigint[] {
  return weightedTotals(election, (ballot, i) => ballot.points?.[i] ?? 0)
}

/** Total Borda points per project: a ballot ranking L projects gives its i-th (0-based) L - 1 - i. */
export function bordaTotals(election: Election): bigint[] {
  return weightedTotals(election, (ballot, i) => ballot.projects.length - 1 - i)
}

/** Exact decimal text of an amount in units of 10^-scale: "1306900", "1331751.11", "0.5". */
export function formatAmount(value: bigint, scale: number): string {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString()
  if (scale === 0) return (negative ? '-' : '') + digits
  const padded = digits.padStart(scale + 1, '0')
  const fraction = padded.slice(-scale).replace(/0+$/, '')
  return (negative ? '-' : '') + padded.slice(0, -scale) + (fraction === '' ? '' : '.' + fraction)
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Greatest common divisor (non-negative). Euclid in BigInt only while the smaller number is
 * above 2^53, then in doubles, where remainders of safe integers are exact and far cheaper.
 */
export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  while (y > MAX_SAFE) {
    const r = x % y
    x = y
    y = r
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

/** "7/40" in lowest terms, or "3" when integral; `den` must be positive. */
export function formatFraction(num: bigint, den: bigint): string {
  const g = gcd(num, den)
  const n = g === 0n ? num : num / g
  const d = g === 0n ? den : den / g
  return d === 1n ? n.toString() : `${n}/${d}`
}

/**
 * The round options shared by the rules, as checks on a growing set of funded projects:
 * minimum support (decided up front), exclusion groups and category quotas (decided as
 * projects are funded). Quotas are shares of the budget in basis points, compared exactly:
 * spent(c) * 10000 against bps * budget.
 */
export class RoundConstraints {
  private readonly election: Election
  private readonly eligible: boolean[]
  /** groups[p]: indices of the exclusion groups p belongs to. */
  private readonly groups: number[][]
  private readonly groupTaken: boolean[]
  /** For each quota: its projects, spent so far, and bounds as numerators over 10000. */
  private readonly quotas: { members: Set<number>; spent: bigint; min?: bigint; max?: bigint }[]
  readonly hasMinimums: boolean

  constructor(election: Election, options: CountOptions, supporters: readonly number[]) {
    this.election = election
    const n = countVoters(election)
    const ids = new Map(election.projects.map((p, i) => [p.id, i]))
    const minVotes = options.minSupport?.votes ?? 0
    const shareBps = options.minSupport?.shareBps ?? 0
    checkBps(shareBps, 'minSupport.shareBps')
    if (!Number.isInteger(minVotes) || minVotes < 0)
      throw new RangeError('minSupport.votes must be a whole number')
    this.eligible = supporters.map((s) => s >= minVotes && s * 10000 >= shareBps * n)

    this.groups = election.projects.map(() => [])
    const groups = options.exclusionGroups ?? []
    groups.forEach((group, g) => {
      for (const id of group) {
        const p = ids.get(id)
        if (p === undefined) throw new RangeError(`exclusion group ${g + 1} names unknown project "${id}"`)
        this.groups[p]!.push(g)
      }
    })
    this.groupTaken = groups.map(() => false)

    this.quotas = (options.categoryQuotas ?? []).map((q) => {
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
    return this.eligible[p]!
  }

  /** Why p cannot be added to the funded set now (apart from the budget), if it cannot. */
  blocked(p: number): UnfundedReason | undefined {
    if (!this.eligible[p]) return 'below_min_support'
    if (this.groups[p]!.some((g) => this.groupTaken[g])) return 'excluded_by_conflict'
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
    for (const g of this.groups[p]!) this.groupTaken[g] = true
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
export function leftoverPolicy(
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
