import {
  bordaTotalsOf,
  formatAmount,
  formatFraction,
  gcdOfSafe,
  pointTotalsOf,
  RoundConstraints,
  supportersOf,
  withLeftover,
} from '../profile.js'
import type {
  Election,
  Outcome,
  Rule,
  RuleContext,
  RuleId,
  Step,
  TieRank,
  Unfunded,
  UnfundedReason,
} from '../types.js'

/**
 * The greedy order: projects by decreasing utility / cost (greedy_cost: by utility), ties by the
 * tie rank, with the README's conventions: positive utility at cost 0 scores +infinity and comes
 * first, zero utility scores 0 and comes last. Scores are compared exactly by cross-multiplication,
 * in doubles when every product utility × cost is a safe integer (then exact), else in BigInt.
 * Also returns each project's exact score as text ("7/40", "inf").
 */
function greedyOrder(
  election: Election,
  utilities: readonly (number | bigint)[],
  perCost: boolean,
  tieRank: TieRank,
): { order: number[]; scores: string[] } {
  const projects = election.projects
  const m = projects.length
  // 0: +infinity, 1: positive and finite, 2: zero.
  const kind = new Array<number>(m)
  const u = new Array<number>(m)
  const c = new Array<number>(m)
  const order = new Array<number>(m)
  let maxUtility = 0
  let maxCost = 1
  for (let p = 0; p < m; p++) {
    u[p] = Number(utilities[p]!)
    c[p] = perCost ? Number(projects[p]!.cost) : 1
    kind[p] = u[p] === 0 ? 2 : c[p] === 0 ? 0 : 1
    if (u[p]! > maxUtility) maxUtility = u[p]!
    if (c[p]! > maxCost) maxCost = c[p]!
    order[p] = p
  }
  const scores = new Array<string>(m)
  if (maxUtility * maxCost <= Number.MAX_SAFE_INTEGER) {
    order.sort((a, b) => {
      if (kind[a] !== kind[b]) return kind[a]! - kind[b]!
      if (kind[a] === 1) {
        const d = u[b]! * c[a]! - u[a]! * c[b]!
        if (d !== 0) return d
      }
      return tieRank[a]! - tieRank[b]!
    })
    for (let p = 0; p < m; p++) scores[p] = scoreText(kind[p]!) ?? ratioText(u[p]!, c[p]!)
  } else {
    const exactU = utilities.map(BigInt)
    const exactC = perCost ? projects.map((p) => p.cost) : new Array<bigint>(m).fill(1n)
    order.sort((a, b) => {
      if (kind[a] !== kind[b]) return kind[a]! - kind[b]!
      if (kind[a] === 1) {
        const left = exactU[a]! * exactC[b]!
        const right = exactU[b]! * exactC[a]!
        if (left !== right) return left > right ? -1 : 1
      }
      return tieRank[a]! - tieRank[b]!
    })
    for (let p = 0; p < m; p++) scores[p] = scoreText(kind[p]!) ?? formatFraction(exactU[p]!, exactC[p]!)
  }
  return { order, scores }
}

function scoreText(kind: number): string | undefined {
  return kind === 0 ? 'inf' : kind === 2 ? '0' : undefined
}

/** num / den in lowest terms ("7/40", or "3" when integral) for safe integers, den > 0. */
function ratioText(num: number, den: number): string {
  if (den === 1) return String(num)
  const a = gcdOfSafe(num, den)
  return a === den ? String(num / den) : `${num / a}/${den / a}`
}

/**
 * Funds projects in decreasing score (ties by the tie rank), skipping those that do not fit.
 * With category minimums, a first pass over the same order funds only projects of categories
 * still below their minimum share; the normal pass then continues with what is left.
 */
export function greedyByScore(
  election: Election,
  context: RuleContext,
  rule: RuleId,
  utilities: readonly (number | bigint)[],
  perCost: boolean,
): Outcome {
  const { tieRank, options } = context
  const projects = election.projects
  const supporters = supportersOf(election)
  const { order, scores } = greedyOrder(election, utilities, perCost, tieRank)
  const constraints = new RoundConstraints(election, options, supporters)
  const funded: number[] = []
  const isFunded = new Array<boolean>(projects.length).fill(false)
  const steps: Step[] = []
  let remaining = election.budget
  // The text of `remaining`, which only changes when a project is funded.
  let left = formatAmount(remaining, election.scale)

  const tryFund = (p: number, pass?: string): void => {
    const cost = projects[p]!.cost
    if (isFunded[p] || cost > remaining || constraints.blocked(p) !== undefined) return
    isFunded[p] = true
    funded.push(p)
    remaining -= cost
    constraints.fund(p)
    left = formatAmount(remaining, election.scale)
    const detail: Record<string, string> = pass === undefined ? { left } : { left, pass }
    steps.push({ project: p, cost, score: scores[p]!, detail })
  }

  if (constraints.hasMinimums) {
    for (const p of order) if (constraints.fillsMinimum(p)) tryFund(p, 'category_minimum')
  }
  const unfunded: Unfunded[] = []
  let firstShort: number | undefined
  for (const p of order) {
    if (isFunded[p]) continue
    const blocked = constraints.blocked(p)
    if (blocked === undefined && projects[p]!.cost <= remaining) {
      tryFund(p)
      continue
    }
    let reason: UnfundedReason = blocked ?? 'did_not_fit'
    if (reason === 'did_not_fit') {
      firstShort ??= p
      if (supporters[p] === 0) reason = 'no_support'
    }
    unfunded.push({ project: p, reason, detail: { score: scores[p]!, left } })
  }
  const totalCost = election.budget - remaining
  return withLeftover(
    { rule, funded, totalCost, leftover: remaining, steps, unfunded },
    options,
    remaining,
    firstShort,
  )
}

/** greedy_cost: utility of a supporter = cost, so the score is the number of supporters. */
export const greedyCost: Rule = (election, context) =>
  greedyByScore(election, context, 'greedy_cost', supportersOf(election), false)

/** greedy_cardinality: supporters / cost. */
export const greedyCardinality: Rule = (election, context) =>
  greedyByScore(election, context, 'greedy_cardinality', supportersOf(election), true)

/** greedy_cardinal (cumulative ballots): total points / cost. */
export const greedyCardinal: Rule = (election, context) =>
  greedyByScore(election, context, 'greedy_cardinal', pointTotalsOf(election), true)

/** greedy_borda (ordinal ballots): total Borda points / cost. */
export const greedyBorda: Rule = (election, context) =>
  greedyByScore(election, context, 'greedy_borda', bordaTotalsOf(election), true)
