import { formatAmount, RoundConstraints, supportersOf, withLeftover } from '../profile.js'
import type { Election, Outcome, Rule, TieRank, Unfunded } from '../types.js'

/** Nodes the uniqueness search may visit before giving up (uniqueOptimum = null). */
const UNIQUENESS_NODE_LIMIT = 2_000_000

interface Item {
  readonly project: number
  readonly cost: bigint
  /** Value per unit of cost: the number of supporters (the value is cost × supporters). */
  readonly density: number
}

/**
 * The knapsack search, written once over an arithmetic (number or bigint) so that the fast
 * path runs on doubles only when every value it forms is a safe integer (checked by the caller).
 */
interface Arithmetic<T> {
  readonly zero: T
  readonly from: (value: bigint) => T
  readonly add: (a: T, b: T) => T
  readonly sub: (a: T, b: T) => T
  readonly mul: (a: T, density: number) => T
  readonly lt: (a: T, b: T) => boolean
}

const NUMBER: Arithmetic<number> = {
  zero: 0,
  from: (v) => Number(v),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, d) => a * d,
  lt: (a, b) => a < b,
}

const BIGINT: Arithmetic<bigint> = {
  zero: 0n,
  from: (v) => v,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, d) => a * BigInt(d),
  lt: (a, b) => a < b,
}

interface SearchResult {
  /** Items taken (indices into the sorted items), or undefined when nothing qualified. */
  readonly taken: boolean[] | undefined
  readonly nodes: number
  readonly exhausted: boolean
}

/**
 * Depth-first branch and bound over items sorted by density (decreasing), trying "take" first.
 * The bound is the LP relaxation: fill greedily by density, then the fractional part of the
 * first item that does not fit, which is remaining capacity × its density: an integer, so
 * bounds and values compare exactly. `accept` tells whether a complete set is a new incumbent;
 * `floor` is the value a subtree must be able to reach (strictly above the incumbent when
 * optimizing, at least the optimum when looking for another optimal set).
 */
function search<T>(
  A: Arithmetic<T>,
  items: readonly Item[],
  capacity: bigint,
  allowed: (taken: boolean[], i: number) => boolean,
  onTake: (i: number, take: boolean) => void,
  strictlyAbove: boolean,
  initialFloor: T,
  isCandidate: (taken: boolean[]) => boolean,
  nodeLimit: number,
): SearchResult & { value: T } {
  const n = items.length
  const costs = items.map((it) => A.from(it.cost))
  const values = items.map((it) => A.mul(A.from(it.cost), it.density))
  // suffix[i]: the cheapest item cost among i..n-1, to stop as soon as nothing else fits.
  const cheapest: T[] = new Array(n + 1)
  let minCost: T | undefined
  for (let i = n - 1; i >= 0; i--) {
    if (minCost === undefined || A.lt(costs[i]!, minCost)) minCost = costs[i]!
    cheapest[i] = minCost
  }
  const taken = new Array<boolean>(n).fill(false)
  let best: boolean[] | undefined
  let bestValue = initialFloor
  let nodes = 0
  let aborted = false

  const bound = (i: number, cap: T, value: T): T => {
    let c = cap
    let v = value
    for (let j = i; j < n; j++) {
      if (!allowed(taken, j)) continue
      const cost = costs[j]!
      if (A.lt(c, cost)) return A.add(v, A.mul(c, items[j]!.density))
      c = A.sub(c, cost)
      v = A.add(v, values[j]!)
    }
    return v
  }

  const good = (value: T): boolean => (strictlyAbove ? A.lt(bestValue, value) : !A.lt(value, bestValue))

  const visit = (i: number, cap: T, value: T): boolean => {
    if (++nodes > nodeLimit) {
      aborted = true
      return true
    }
    if (i === n || A.lt(cap, cheapest[i]!)) {
      if (good(value) && isCandidate(taken)) {
        best = taken.slice()
        bestValue = value
        if (!strictlyAbove) return true
      }
      return false
    }
    if (!good(bound(i, cap, value))) return false
    const cost = costs[i]!
    if (!A.lt(cap, cost) && allowed(taken, i)) {
      taken[i] = true
      onTake(i, true)
      const stop = visit(i + 1, A.sub(cap, cost), A.add(value, values[i]!))
      onTake(i, false)
      taken[i] = false
      if (stop) return true
    }
    return visit(i + 1, cap, value)
  }

  visit(0, A.from(capacity), A.zero)
  return { taken: best, value: bestValue, nodes, exhausted: !aborted }
}

/**
 * max_welfare_cost: a budget-feasible set maximizing Σ cost(p) × supporters(p), proven optimal by
 * an exact branch and bound (see `search`). A second search looks for a different feasible set
 * reaching the same welfare to report `uniqueOptimum` (null when it hits its node limit).
 * Options: minSupport, exclusionGroups and category maximums are constraints of the search;
 * category minimums and partial funding of a "next" project have no meaning here and are refused.
 */
export const maxWelfareCost: Rule = (election, context): Outcome => {
  const { tieRank, options } = context
  if (options.leftover === 'partial_next') {
    throw new RangeError('max_welfare_cost has no order of projects: leftover partial_next does not apply')
  }
  if (options.categoryQuotas?.some((q) => (q.minBps ?? 0) > 0)) {
    throw new RangeError('max_welfare_cost does not support category minimums')
  }
  const supporters = supportersOf(election)
  const constraints = new RoundConstraints(election, options, supporters)
  const projects = election.projects
  const unfunded: Unfunded[] = []
  const items: Item[] = []
  projects.forEach((p, i) => {
    if (!constraints.isEligible(i)) unfunded.push({ project: i, reason: 'below_min_support' })
    else if (p.cost > election.budget) unfunded.push({ project: i, reason: 'did_not_fit' })
    else items.push({ project: i, cost: p.cost, density: supporters[i]! })
  })
  items.sort(
    (a, b) =>
      b.density - a.density || compareCost(a.cost, b.cost) || tieRank[a.project]! - tieRank[b.project]!,
  )

  const hasConstraints =
    (options.exclusionGroups?.length ?? 0) > 0 || (options.categoryQuotas?.length ?? 0) > 0
  // With exclusion groups or category maximums, the constraint state follows the branch taken.
  const constrained = hasConstraints ? new BranchConstraints(election, options, supporters, items) : undefined
  const allowed = constrained ? (_: boolean[], i: number) => constrained.allows(i) : () => true
  const onTake = constrained ? (i: number, take: boolean) => constrained.set(i, take) : () => {}

  const totalValue = items.reduce((sum, it) => sum + it.cost * BigInt(it.density), 0n)
  const maxDensity = items.reduce((max, it) => Math.max(max, it.density), 0)
  const safe =
    totalValue <= BigInt(Number.MAX_SAFE_INTEGER) &&
    election.budget * BigInt(maxDensity) + totalValue <= BigInt(Number.MAX_SAFE_INTEGER)
  const A = (safe ? NUMBER : BIGINT) as Arithmetic<number | bigint>

  const first = search(
    A,
    items,
    election.budget,
    allowed,
    onTake,
    true,
    A.zero,
    () => true,
    Number.POSITIVE_INFINITY,
  )
  const taken = first.taken ?? items.map(() => false)
  const welfare = BigInt(first.value)

  const optimum = items.filter((_, i) => taken[i])
  const isOther = (set: boolean[]): boolean => set.some((t, i) => t !== taken[i])
  const second = search(
    A,
    items,
    election.budget,
    allowed,
    onTake,
    false,
    A.from(welfare),
    isOther,
    UNIQUENESS_NODE_LIMIT,
  )
  const uniqueOptimum = second.taken !== undefined ? false : second.exhausted ? true : null

  const funded = sortByRank(
    optimum.map((it) => it.project),
    tieRank,
  )
  const fundedSet = new Set(funded)
  const totalCost = funded.reduce((sum, p) => sum + projects[p]!.cost, 0n)
  for (const it of items) {
    if (fundedSet.has(it.project)) continue
    unfunded.push({
      project: it.project,
      reason: supporters[it.project] === 0 ? 'no_support' : 'not_optimal',
    })
  }
  const leftover = election.budget - totalCost
  const outcome: Outcome = {
    rule: 'max_welfare_cost',
    funded,
    totalCost,
    leftover,
    steps: funded.map((p) => ({
      project: p,
      cost: projects[p]!.cost,
      score: (projects[p]!.cost * BigInt(supporters[p]!)).toString(),
      detail: { supporters: supporters[p]! },
    })),
    unfunded,
    extras: {
      welfare: formatAmount(welfare, election.scale),
      uniqueOptimum,
      nodes: first.nodes,
      arithmetic: safe ? 'number' : 'bigint',
    },
  }
  return withLeftover(outcome, options, leftover, undefined)
}

function compareCost(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function sortByRank(projects: number[], tieRank: TieRank): number[] {
  return projects.sort((a, b) => tieRank[a]! - tieRank[b]!)
}

/** Exclusion groups and category maximums along the current branch of the search. */
class BranchConstraints {
  private readonly groupsOf: number[][]
  private readonly groupCount: number[]
  private readonly quotasOf: number[][]
  private readonly spent: bigint[]
  private readonly limits: bigint[]
  private readonly costs: bigint[]

  constructor(
    election: Election,
    options: Parameters<Rule>[1]['options'],
    supporters: readonly number[],
    items: readonly Item[],
  ) {
    // Validates the options the same way as the other rules.
    new RoundConstraints(election, options, supporters)
    const ids = new Map(election.projects.map((p, i) => [p.id, i]))
    const groups = options.exclusionGroups ?? []
    const quotas = (options.categoryQuotas ?? []).filter((q) => q.maxBps !== undefined)
    this.groupsOf = items.map((it) =>
      groups.flatMap((g, k) => (g.some((id) => ids.get(id) === it.project) ? [k] : [])),
    )
    this.groupCount = groups.map(() => 0)
    this.quotasOf = items.map((it) =>
      quotas.flatMap((q, k) => (election.projects[it.project]!.categories.includes(q.category) ? [k] : [])),
    )
    this.spent = quotas.map(() => 0n)
    this.limits = quotas.map((q) => BigInt(q.maxBps!) * election.budget)
    this.costs = items.map((it) => it.cost)
  }

  allows(i: number): boolean {
    if (this.groupsOf[i]!.some((g) => this.groupCount[g]! > 0)) return false
    const cost = this.costs[i]!
    return this.quotasOf[i]!.every((q) => (this.spent[q]! + cost) * 10000n <= this.limits[q]!)
  }

  set(i: number, take: boolean): void {
    const delta = take ? 1 : -1
    for (const g of this.groupsOf[i]!) this.groupCount[g]! += delta
    const cost = take ? this.costs[i]! : -this.costs[i]!
    for (const q of this.quotasOf[i]!) this.spent[q]! += cost
  }
}
