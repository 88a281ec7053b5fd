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
