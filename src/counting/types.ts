/**
 * The shapes the counting library works on. Pure data: no I/O, no framework.
 *
 * Amounts are exact: integers (bigint) counting units of 10^-scale of the currency,
 * so a pabulib budget of "1331751.11" is 133175111n with scale 2. Rules never round.
 */

/** How a ballot expresses preferences (pabulib `vote_type`). */
export type VoteType = 'approval' | 'choose-1' | 'cumulative' | 'ordinal'

export interface Project {
  /** Opaque id; ties are broken on it in code-point order by default. */
  readonly id: string
  /** Exact cost in units of 10^-scale (see Election.scale). */
  readonly cost: bigint
  /** Categories (themes, sectors) the project belongs to; may be empty. */
  readonly categories: readonly string[]
}

export interface Ballot {
  /** Indices into Election.projects. For ordinal ballots: most preferred first. */
  readonly projects: readonly number[]
  /** Cumulative ballots only: the points given to each entry of `projects`, same order. */
  readonly points?: readonly number[]
  /** How many identical ballots this entry stands for (>= 1). */
  readonly weight: number
}

export interface Election {
  readonly voteType: VoteType
  readonly projects: readonly Project[]
  /** Exact budget in units of 10^-scale. */
  readonly budget: bigint
  /** Decimal places of every amount: amount = value / 10^scale currency units. */
  readonly scale: number
  readonly ballots: readonly Ballot[]
}

/** Ids of the rules, as in ../shared/pabulib/expected.json, plus our own. */
export type RuleId =
  | 'greedy_cost'
  | 'greedy_cardinality'
  | 'greedy_cardinal'
  | 'greedy_borda'
  | 'mes_cost'
  | 'mes_cost_add1'
  | 'mes_cost_add1_greedy'
  | 'mes_cardinality'
  | 'mes_cardinal'
  | 'mes_borda'
  | 'phragmen'
  | 'max_welfare_cost'

/** One criterion of the tie-break list, applied in order until two projects differ. */
export type TieBreakCriterion = 'id' | 'cost_asc' | 'cost_desc' | 'votes_desc' | 'lottery'

/**
 * A total order on the projects derived from the tie-break criteria: tieRank[p] is the
 * position of project p; among tied projects the one with the lower rank wins.
 */
export type TieRank = Int32Array

/** Round options the rules apply on top of their definition. With none, a rule is exactly pabutools'. */
export interface CountOptions {
  /** A project needs at least this many supporters, and/or this share of all voters (basis points). */
  readonly minSupport?: { readonly votes?: number; readonly shareBps?: number }
  /** Minimum / maximum share of the budget (basis points) spent on projects of a category. */
  readonly categoryQuotas?: readonly {
    readonly category: string
    readonly minBps?: number
    readonly maxBps?: number
  }[]
  /** Groups of project ids of which at most one may be funded (e.g. two uses of one site). */
  readonly exclusionGroups?: readonly (readonly string[])[]
  /** What happens to money left over: nothing, part-fund the next project in order, or carry it over. */
  readonly leftover?: 'none' | 'partial_next' | 'carry_over'
}

export interface RuleContext {
  readonly tieRank: TieRank
  readonly options: CountOptions
  /**
   * False: the caller wants the outcome only (count() with `explain: false`), and the rule may leave
   * out what only explains it: the steps' scores (then '') and details, and the unfunded list
   * (then empty). Funded projects, costs, leftover and extras are the same either way. Default true.
   */
  readonly explain?: boolean
}

/** Why a project was not funded. */
export type UnfundedReason =
  | 'no_support'
  | 'below_min_support'
  | 'did_not_fit'
  | 'supporters_budget_short'
  | 'excluded_by_conflict'
  | 'category_max_reached'
  | 'rule_stopped'
  | 'not_optimal'

/** Exact numbers in explanations are strings: integers ("42") or fractions ("7/40"). */
export type ExactString = string

/** One funding decision, in the order the rule took it. */
export interface Step {
  readonly project: number
  readonly cost: bigint
  /** The rule's figure for the project at this step: votes, votes per cost, rho, load, … */
  readonly score: ExactString
  /** Rule-specific details (e.g. number of payers, budget increment k). */
  readonly detail?: Readonly<Record<string, string | number>>
}

export interface Unfunded {
  readonly project: number
  readonly reason: UnfundedReason
  readonly detail?: Readonly<Record<string, string | number>>
}

export interface Outcome {
  readonly rule: RuleId
  /** Funded project indices, in funding order. */
  readonly funded: readonly number[]
  readonly totalCost: bigint
  /** budget - totalCost (before any leftover policy). */
  readonly leftover: bigint
  readonly steps: readonly Step[]
  /** One entry per project not funded. */
  readonly unfunded: readonly Unfunded[]
  /** leftover `partial_next`: the project part-funded with what was left, and the amount. */
  readonly partial?: { readonly project: number; readonly amount: bigint }
  /** leftover `carry_over`: the amount carried over. */
  readonly carryOver?: bigint
  /** Rule-specific results (welfare, uniqueOptimum, budget increment reached, …). */
  readonly extras?: Readonly<Record<string, string | number | boolean | null>>
}

/** Every rule has this signature. */
export type Rule = (election: Election, context: RuleContext) => Outcome
