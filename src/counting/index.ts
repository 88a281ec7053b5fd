import {
  bordaTotalsOf,
  formatAmount,
  formatFraction,
  perElection,
  pointTotalsOf,
  supportersOf,
  votersOf,
} from './profile.js'
import { greedyBorda, greedyCardinal, greedyCardinality, greedyCost } from './rules/greedy.js'
import { maxWelfareCost } from './rules/max-welfare.js'
import {
  mesBorda,
  mesCardinal,
  mesCardinality,
  mesCost,
  mesCostAdd1,
  mesCostAdd1Greedy,
} from './rules/mes.js'
import { phragmen } from './rules/phragmen.js'
import { enterCount, leaveCount } from './slab.js'
import { buildTieBreak, DEFAULT_TIE_BREAK, idTieRank } from './tie-break.js'
import type {
  CountOptions,
  Election,
  Outcome,
  Rule,
  RuleId,
  TieBreakCriterion,
  UnfundedReason,
  VoteType,
} from './types.js'

export { compareCodePoints, lotteryKey } from './tie-break.js'
export type * from './types.js'
export { formatAmount, formatFraction }

/** Every rule by id. */
export const RULES: Readonly<Record<RuleId, Rule>> = {
  greedy_cost: greedyCost,
  greedy_cardinality: greedyCardinality,
  greedy_cardinal: greedyCardinal,
  greedy_borda: greedyBorda,
  mes_cost: mesCost,
  mes_cost_add1: mesCostAdd1,
  mes_cost_add1_greedy: mesCostAdd1Greedy,
  mes_cardinality: mesCardinality,
  mes_cardinal: mesCardinal,
  mes_borda: mesBorda,
  phragmen,
  max_welfare_cost: maxWelfareCost,
}

export const RULE_IDS = Object.keys(RULES) as RuleId[]

const FOR_ALL_BALLOTS: readonly RuleId[] = [
  'greedy_cost',
  'greedy_cardinality',
  'mes_cost',
  'mes_cost_add1',
  'mes_cost_add1_greedy',
  'mes_cardinality',
  'max_welfare_cost',
]

const APPLICABLE: Readonly<Record<VoteType, readonly RuleId[]>> = {
  approval: [...FOR_ALL_BALLOTS, 'phragmen'],
  'choose-1': [...FOR_ALL_BALLOTS, 'phragmen'],
  cumulative: [...FOR_ALL_BALLOTS, 'greedy_cardinal', 'mes_cardinal'],
  ordinal: [...FOR_ALL_BALLOTS, 'greedy_borda', 'mes_borda'],
}

/** APPLICABLE as a lookup table, for count(). */
const APPLIES: Readonly<Record<VoteType, Readonly<Partial<Record<RuleId, true>>>>> = {
  approval: Object.fromEntries(APPLICABLE.approval.map((r) => [r, true])),
  'choose-1': Object.fromEntries(APPLICABLE['choose-1'].map((r) => [r, true])),
  cumulative: Object.fromEntries(APPLICABLE.cumulative.map((r) => [r, true])),
  ordinal: Object.fromEntries(APPLICABLE.ordinal.map((r) => [r, true])),
}

/** The rules defined for a ballot type, in the order of ../shared/pabulib/README.md. */
export function applicableRules(voteType: VoteType): RuleId[] {
  return [...APPLICABLE[voteType]]
}

export function isRuleId(value: string): value is RuleId {
  return Object.hasOwn(RULES, value)
}

/** A rule asked for a ballot type it is not defined on (e.g. phragmen on ordinal ballots). */
export class RuleNotApplicableError extends Error {
  override readonly name = 'RuleNotApplicableError'
  constructor(
    readonly rule: RuleId,
    readonly voteType: VoteType,
  ) {
    super(
      `rule ${rule} does not apply to ${voteType} ballots (applicable: ${APPLICABLE[voteType].join(', ')})`,
    )
  }
}

export interface CountRequest extends CountOptions {
  /** Tie-break criteria in order; 'id' is appended. Default: ['id'] (pabutools' order). */
  readonly tieBreak?: readonly TieBreakCriterion[]
  /** Seed of the 'lottery' criterion. */
  readonly lotterySeed?: string
  /**
   * False: the outcome only (winners, costs, leftover, extras, partial funding, tie-break): the
   * result has no `support` nor `explanation`, and the rules skip the work they take (MES: the exact
   * score of each step and the supporters' remaining budget of each unfunded project, a fifth of a
   * count of a small election). The CLI asks for them with --explain only. Default true.
   */
  readonly explain?: boolean
}

export interface ProjectSupport {
  readonly id: string
  readonly cost: string
  readonly supporters: number
  /** Cumulative ballots: total points. */
  readonly points?: string
  /** Ordinal ballots: total Borda points. */
  readonly borda?: string
}

export interface ExplainedStep {
  readonly project: string
  readonly cost: string
  readonly score: string
  readonly detail?: Readonly<Record<string, string | number>>
}

export interface ExplainedUnfunded {
  readonly project: string
  readonly reason: UnfundedReason
  readonly detail?: Readonly<Record<string, string | number>>
}

export interface CountResult {
  readonly rule: RuleId
  /** Funded project ids in code-point order. */
  readonly winners: readonly string[]
  readonly totalCost: bigint
  readonly leftover: bigint
  readonly budget: bigint
  /** Decimal places of the amounts (see Election.scale); formatAmount(x, scale) renders them. */
  readonly scale: number
  readonly numVoters: number
  readonly tieBreak: { readonly criteria: readonly TieBreakCriterion[]; readonly seed?: string }
  /** Per project, in the election's order. Absent when the request said `explain: false`. */
  readonly support?: readonly ProjectSupport[]
  /** Absent when the request said `explain: false`. */
  readonly explanation?: {
    /** Funding decisions in the order the rule took them. */
    readonly steps: readonly ExplainedStep[]
    /** Every project not funded, with its reason. */
    readonly unfunded: readonly ExplainedUnfunded[]
  }
  readonly partial?: { readonly project: string; readonly amount: bigint }
  readonly carryOver?: bigint
  readonly extras: Readonly<Record<string, string | number | boolean | null>>
  /** The rule's raw outcome (project indices). */
  readonly outcome: Outcome
}

/** A result with its support figures and explanation: what a request that does not say `explain: false` gets. */
export type ExplainedCountResult = CountResult & Required<Pick<CountResult, 'support' | 'explanation'>>

/** Runs one rule on an election and explains the outcome with project ids (unless `explain: false`). */
export function count(
  election: Election,
  rule: RuleId,
  request?: CountRequest & { readonly explain?: true },
): ExplainedCountResult
export function count(election: Election, rule: RuleId, request: CountRequest): CountResult
export function count(election: Election, rule: RuleId, request: CountRequest = {}): CountResult {
  // Slabs are recycled when no count is running any more (slab.ts).
  enterCount()
  try {
    return countOnce(canonical(election), rule, request)
  } finally {
    leaveCount()
  }
}

let lastInput: Election | undefined
let lastCanonical: Election | undefined

/**
 * The election as an object made here, the same for the same input object (so that perElection
 * caches still serve repeated counts of it). Elections come from the parser, from the service's
 * rows, from spreads of either…, each with its own hidden class: once the rules had seen more than
 * four, V8 looked every `election.projects`, `.budget`, … up the slow (megamorphic) way, which made
 * a count of a small election up to 1.8x slower in a process that had counted others. With one
 * object shape the rules' property loads stay monomorphic.
 */
function canonical(election: Election): Election {
  if (election === lastInput) return lastCanonical!
  lastInput = election
  lastCanonical = {
    voteType: election.voteType,
    projects: election.projects,
    budget: election.budget,
    scale: election.scale,
    ballots: election.ballots,
  }
  return lastCanonical
}

function countOnce(election: Election, rule: RuleId, request: CountRequest): CountResult {
  // An own property that is true: a known rule (isRuleId, a slower test, only tells the errors apart).
  if (APPLIES[election.voteType][rule] !== true) {
    if (!isRuleId(rule)) throw new RangeError(`unknown rule "${String(rule)}"`)
    throw new RuleNotApplicableError(rule, election.voteType)
  }
  const { tieBreak: criteria = DEFAULT_TIE_BREAK, lotterySeed } = request
  const explain = request.explain !== false
  // Supporter counts: for the support figures and the votes_desc criterion only.
  const supporters = explain || criteria.includes('votes_desc') ? supportersOf(election) : undefined
  const tieBreak = buildTieBreak(
    election,
    criteria,
    lotterySeed === undefined ? { supporters } : { supporters, seed: lotterySeed },
  )
  // The request serves as the rules' CountOptions: they read those fields by name only (a copy
  // without the other fields, an object rest, was 2% of a count of the smallest files).
  const outcome = RULES[rule](election, { tieRank: tieBreak.rank, options: request, explain })
  const ids = idsOf(election)
  const funded = inIdOrder(election, outcome.funded)
  const winners: string[] = new Array(funded.length)
  for (let i = 0; i < funded.length; i++) winners[i] = ids[funded[i]!]!
  const tie =
    tieBreak.seed === undefined
      ? { criteria: tieBreak.criteria }
      : { criteria: tieBreak.criteria, seed: tieBreak.seed }
  const { totalCost, leftover } = outcome
  const { budget, scale } = election
  const numVoters = votersOf(election)
  const extras = outcome.extras ?? {}
  // Two literals rather than a spread of the explained fields (a copy of the whole result).
  const result: CountResult = explain
    ? {
        rule,
        winners,
        totalCost,
        leftover,
        budget,
        scale,
        numVoters,
        tieBreak: tie,
        support: supportList(election, supporters!),
        explanation: explanationOf(election, outcome),
        extras,
        outcome,
      }
    : { rule, winners, totalCost, leftover, budget, scale, numVoters, tieBreak: tie, extras, outcome }
  // (Spreads of empty objects here cost a few % of a count of the smallest files.)
  if (outcome.partial === undefined && outcome.carryOver === undefined) return result
  return {
    ...result,
    ...(outcome.partial === undefined
      ? {}
      : { partial: { project: ids[outcome.partial.project]!, amount: outcome.partial.amount } }),
    ...(outcome.carryOver === undefined ? {} : { carryOver: outcome.carryOver }),
  }
}

/** The outcome's steps and unfunded projects with project ids and formatted amounts. */
function explanationOf(election: Election, outcome: Outcome): NonNullable<CountResult['explanation']> {
  const { ids, costs } = explainedProjects(election)
  const scale = election.scale
  const projects = election.projects

  const steps: ExplainedStep[] = new Array(outcome.steps.length)
  for (let i = 0; i < steps.length; i++) {
    const s = outcome.steps[i]!
    const cost = s.cost === projects[s.project]!.cost ? costs[s.project]! : formatAmount(s.cost, scale)
    steps[i] =
      s.detail === undefined
        ? { project: ids[s.project]!, cost, score: s.score }
        : { project: ids[s.project]!, cost, score: s.score, detail: s.detail }
  }
  const unfunded: ExplainedUnfunded[] = new Array(outcome.unfunded.length)
  for (let i = 0; i < unfunded.length; i++) {
    const u = outcome.unfunded[i]!
    unfunded[i] =
      u.detail === undefined
        ? { project: ids[u.project]!, reason: u.reason }
        : { project: ids[u.project]!, reason: u.reason, detail: u.detail }
  }
  return { steps, unfunded }
}

/** The project ids, in the election's order, built once per election. */
const idsOf = perElection((election: Election): readonly string[] => {
  const projects = election.projects
  const ids: string[] = new Array(projects.length)
  for (let p = 0; p < projects.length; p++) ids[p] = projects[p]!.id
  return ids
})

/** The per-project texts of explained results, built once per election: ids, formatted costs, point or Borda totals. */
const explainedProjects = perElection((election: Election) => {
  const projects = election.projects
  const ids = idsOf(election)
  const costs: string[] = new Array(projects.length)
  for (let p = 0; p < projects.length; p++) costs[p] = formatAmount(projects[p]!.cost, election.scale)
  const totals =
    election.voteType === 'cumulative'
      ? pointTotalsOf(election)
      : election.voteType === 'ordinal'
        ? bordaTotalsOf(election)
        : undefined
  const totalTexts = totals?.map((t) => t.toString())
  return { ids, costs, totalTexts }
})

/**
 * The `support` list, new for each result: shared objects would have to be frozen, and freezing
 * a few dozen objects costs more than creating them.
 */
function supportList(election: Election, supporters: readonly number[]): ProjectSupport[] {
  const { ids, costs, totalTexts } = explainedProjects(election)
  const support: ProjectSupport[] = new Array(ids.length)
  const key = election.voteType === 'cumulative' ? 'points' : 'borda'
  for (let p = 0; p < ids.length; p++) {
    support[p] =
      totalTexts === undefined
        ? { id: ids[p]!, cost: costs[p]!, supporters: supporters[p]! }
        : key === 'points'
          ? { id: ids[p]!, cost: costs[p]!, supporters: supporters[p]!, points: totalTexts[p]! }
          : { id: ids[p]!, cost: costs[p]!, supporters: supporters[p]!, borda: totalTexts[p]! }
  }
  return support
}

/** Project indices in code-point order of their ids (the id tie rank). */
function inIdOrder(election: Election, projects: readonly number[]): readonly number[] {
  if (projects.length < 2) return projects
  const rank = idTieRank(election)
  return projects.slice().sort((a, b) => rank[a]! - rank[b]!)
}
