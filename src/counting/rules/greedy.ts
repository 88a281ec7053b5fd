import {
  bordaTotals,
  formatAmount,
  formatFraction,
  leftoverPolicy,
  pointTotals,
  RoundConstraints,
  supporterCounts,
} from '../profile.js'
import type {
  Election,
  Outcome,
  Rule,
  RuleContext,
  RuleId,
  Step,
  Unfunded,
  UnfundedReason,
} from '../types.js'

/** A project's greedy score num/den; den = 0 stands for +infinity (positive utility at cost 0). */
interface Score {
  readonly num: bigint
  readonly den: bigint
}

function scoreClass(s: Score): number {
  if (s.den === 0n) return 0
  return s.num === 0n ? 2 : 1
}

/** Negative when `a` comes first: higher score first, exact (cross-multiplied), infinity first, zero last. */
function compareScores(a: Score, b: Score): number {
  const ca = scoreClass(a)
  const cb = scoreClass(b)
  if (ca !== cb) return ca - cb
  if (ca !== 1) return 0
  const left = a.num * b.den
  const right = b.num * a.den
  return left > right ? -1 : left < right ? 1 : 0
}

function formatScore(s: Score): string {
  return s.den === 0n ? 'inf' : formatFraction(s.num, s.den)
}

/** utility / cost, with the README's conventions for zero utility and zero cost. */
function perCost(election: Election, utilities: readonly bigint[]): Score[] {
  return election.projects.map((p, i) => {
    const u = utilities[i]!
    if (u === 0n) return { num: 0n, den: 1n }
    return p.cost === 0n ? { num: u, den: 0n } : { num: u, den: p.cost }
  })
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
  scores: readonly Score[],
  supporters: readonly number[],
): Outcome {
  const { tieRank, options } = context
  const projects = election.projects
  const order = projects
    .map((_, i) => i)
    .sort((a, b) => compareScores(scores[a]!, scores[b]!) || tieRank[a]! - tieRank[b]!)
  const constraints = new RoundConstraints(election, options, supporters)
  const funded: number[] = []
  const isFunded = new Array<boolean>(projects.length).fill(false)
  const steps: Step[] = []
  let remaining = election.budget

  const tryFund = (p: number, pass?: string): void => {
    const cost = projects[p]!.cost
    if (isFunded[p] || cost > remaining || constraints.blocked(p) !== undefined) return
    isFunded[p] = true
    funded.push(p)
    remaining -= cost
    constraints.fund(p)
    const detail: Record<string, string> = { left: formatAmount(remaining, election.scale) }
    if (pass !== undefined) detail.pass = pass
    steps.push({ project: p, cost, score: formatScore(scores[p]!), detail })
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
    unfunded.push({
      project: p,
      reason,
      detail: { score: formatScore(scores[p]!), left: formatAmount(remaining, election.scale) },
    })
  }
  const totalCost = election.budget - remaining
  return {
    rule,
    funded,
    totalCost,
    leftover: remaining,
    steps,
    unfunded,
    ...leftoverPolicy(options, remaining, firstShort),
  }
}

/** greedy_cost: utility of a supporter = cost, so the score is the number of supporters. */
export const greedyCost: Rule = (election, context) => {
  const supporters = supporterCounts(election)
  const scores = supporters.map((s) => ({ num: BigInt(s), den: 1n }))
  return greedyByScore(election, context, 'greedy_cost', scores, supporters)
}

/** greedy_cardinality: supporters / cost. */
export const greedyCardinality: Rule = (election, context) => {
  const supporters = supporterCounts(election)
  const scores = perCost(
    election,
    supporters.map((s) => BigInt(s)),
  )
  return greedyByScore(election, context, 'greedy_cardinality', scores, supporters)
}

/** greedy_cardinal (cumulative ballots): total points / cost. */
export const greedyCardinal: Rule = (election, context) => {
  const supporters = supporterCounts(election)
  return greedyByScore(
    election,
    context,
    'greedy_cardinal',
    perCost(election, pointTotals(election)),
    supporters,
  )
}

/** greedy_borda (ordinal ballots): total Borda points / cost. */
export const greedyBorda: Rule = (election, context) => {
  const supporters = supporterCounts(election)
  return greedyByScore(
    election,
    context,
    'greedy_borda',
    perCost(election, bordaTotals(election)),
    supporters,
  )
}
