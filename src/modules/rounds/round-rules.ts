import { isDeepStrictEqual } from 'node:util'
import type { ProblemField } from '../../lib/problems.js'
import {
  type BallotConfig,
  type CountingConfig,
  PHASES,
  type Phase,
  SAVINGS_RULES,
  SHARES_RULES,
} from './rounds.schemas.js'

/** The configuration whose fields must agree with each other. */
export interface RoundConfig {
  purpose: string
  method: string
  phases: readonly Phase[]
  ballot: BallotConfig
  counting: CountingConfig
  savingsTarget: number | null | undefined
  themeIds: readonly string[]
}

const APPROVAL_LIKE = new Set(['approval', 'k_approval', 'knapsack'])
/** Rules that score projects by support and cost: any ballot that lists proposals. */
const LISTING = new Set([...APPROVAL_LIKE, 'cumulative', 'ranking'])
const RULE_BALLOTS: Record<string, ReadonlySet<string>> = {
  phragmen: APPROVAL_LIKE,
  greedy_cardinal: new Set(['cumulative']),
  mes_cardinal: new Set(['cumulative']),
  greedy_borda: new Set(['ranking']),
  mes_borda: new Set(['ranking']),
  savings_min_objection: new Set(['objection']),
  savings_greedy: new Set(['objection']),
  shares_mean: new Set(['shares']),
  shares_independent_markets: new Set(['shares']),
}
const ballotsFor = (rule: string): ReadonlySet<string> => RULE_BALLOTS[rule] ?? LISTING

const field = (pointer: string, detail: string): ProblemField => ({ in: 'body', pointer, detail })

/** Every way the fields of a round contradict each other; empty when the round is consistent. */
export function configurationClashes(config: RoundConfig): ProblemField[] {
  const clashes: ProblemField[] = []
  const { purpose, method, ballot, counting } = config
  const rule = counting.rule
  const isSavingsRule = (SAVINGS_RULES as readonly string[]).includes(rule)
  const isSharesRule = (SHARES_RULES as readonly string[]).includes(rule)

  if (!ballotsFor(rule).has(ballot.format)) {
    clashes.push(
      field(
        '/counting/rule',
        `${rule} cannot count ${ballot.format} ballots (needs ${[...ballotsFor(rule)].join(' or ')})`,
      ),
    )
  }
  if (purpose === 'savings') {
    if (ballot.format !== 'objection')
      clashes.push(field('/ballot/format', 'a savings round needs an objection ballot'))
    if (!isSavingsRule) clashes.push(field('/counting/rule', 'a savings round needs a savings rule'))
    if (!config.savingsTarget)
      clashes.push(field('/savingsTarget', 'a savings round needs a positive savings target'))
  } else {
    if (ballot.format === 'objection')
      clashes.push(field('/ballot/format', 'objection ballots are for savings rounds'))
    if (isSavingsRule) clashes.push(field('/counting/rule', 'savings rules are for savings rounds'))
    if (config.savingsTarget != null)
      clashes.push(field('/savingsTarget', 'only savings rounds have a savings target'))
  }
  if (ballot.format === 'shares' && method !== 'sector' && method !== 'project') {
    clashes.push(field('/ballot/format', 'shares ballots divide a pot among sectors or project components'))
  }
  if (isSharesRule && ballot.format !== 'shares') {
    clashes.push(field('/counting/rule', 'shares rules need a shares ballot'))
  }
  if (
    'minChoices' in ballot &&
    'maxChoices' in ballot &&
    ballot.minChoices !== undefined &&
    ballot.maxChoices !== undefined
  ) {
    if (ballot.minChoices > ballot.maxChoices)
      clashes.push(field('/ballot/minChoices', 'must not exceed maxChoices'))
  }
  if (ballot.format === 'k_approval' && ballot.minChoices !== undefined && ballot.minChoices > ballot.k) {
    clashes.push(field('/ballot/minChoices', 'must not exceed k'))
  }
  if (
    ballot.format === 'cumulative' &&
    ballot.maxPointsPerProposal &&
    ballot.maxPointsPerProposal > ballot.points
  ) {
    clashes.push(field('/ballot/maxPointsPerProposal', 'must not exceed points'))
  }
  if (
    ballot.format === 'ranking' &&
    ballot.minRanked &&
    ballot.maxRanked &&
    ballot.minRanked > ballot.maxRanked
  ) {
    clashes.push(field('/ballot/minRanked', 'must not exceed maxRanked'))
  }
  if (counting.tieBreak.includes('lottery') && !counting.lotterySeed) {
    clashes.push(field('/counting/lotterySeed', 'a lottery tie-break needs a public seed'))
  }
  if (new Set(counting.tieBreak).size !== counting.tieBreak.length) {
    clashes.push(field('/counting/tieBreak', 'must not repeat a criterion'))
  }
  counting.categoryQuotas?.forEach((quota, index) => {
    if (!config.themeIds.includes(quota.themeId)) {
      clashes.push(field(`/counting/categoryQuotas/${index}/themeId`, 'is not one of the round’s themes'))
    }
    if (quota.minBps !== undefined && quota.maxBps !== undefined && quota.minBps > quota.maxBps) {
      clashes.push(field(`/counting/categoryQuotas/${index}/minBps`, 'must not exceed maxBps'))
    }
  })
  clashes.push(...phaseClashes(config.phases))
  return clashes
}

/** Phases come in the model's order, each ending after it starts, without overlaps. */
export function phaseClashes(phases: readonly Phase[]): ProblemField[] {
  const clashes: ProblemField[] = []
  const seen = new Set<string>()
  phases.forEach((phase, index) => {
    if (seen.has(phase.phase)) clashes.push(field(`/phases/${index}/phase`, `${phase.phase} appears twice`))
    seen.add(phase.phase)
    if (Date.parse(phase.endsAt) <= Date.parse(phase.startsAt)) {
      clashes.push(field(`/phases/${index}/endsAt`, 'must be after startsAt'))
    }
    const previous = phases[index - 1]
    if (!previous) return
    if (PHASES.indexOf(phase.phase) < PHASES.indexOf(previous.phase)) {
      clashes.push(field(`/phases/${index}/phase`, `${phase.phase} cannot come after ${previous.phase}`))
    }
    if (Date.parse(phase.startsAt) < Date.parse(previous.endsAt)) {
      clashes.push(
        field(`/phases/${index}/startsAt`, `overlaps ${previous.phase}, which ends ${previous.endsAt}`),
      )
    }
  })
  return clashes
}

/** The phase open at `now`: start inclusive, end exclusive. */
export function currentPhase(phases: readonly Phase[], now: Date): Phase['phase'] | null {
  const at = now.getTime()
  return (
    phases.find((phase) => Date.parse(phase.startsAt) <= at && at < Date.parse(phase.endsAt))?.phase ?? null
  )
}

/** When voting opened (or opens) for a published round; null for drafts and rounds without voting. */
export function votingStart(round: { status: string; phases: readonly Phase[] }): Date | null {
  if (round.status === 'draft') return null
  const voting = round.phases.find((phase) => phase.phase === 'voting')
  return voting ? new Date(voting.startsAt) : null
}

export function votingOpened(round: { status: string; phases: readonly Phase[] }, now: Date): boolean {
  if (round.status === 'closed' || round.status === 'archived') return true
  const start = votingStart(round)
  return start !== null && start.getTime() <= now.getTime()
}

/** Fields that decide an outcome: frozen from the moment voting opens. */
export const FROZEN_FIELDS = [
  'purpose',
  'method',
  'currency',
  'themeIds',
  'ballot',
  'counting',
  'eligibility',
  'savingsTarget',
] as const

/**
 * The frozen parts a change would alter once voting has opened. In `phases`, only the voting
 * end may move, and only later; phases after voting may change (they decide nothing).
 */
export function frozenChanges(
  before: Record<string, unknown> & { phases: readonly Phase[] },
  after: Record<string, unknown> & { phases: readonly Phase[] },
): ProblemField[] {
  const changes: ProblemField[] = []
  for (const name of FROZEN_FIELDS) {
    if (!isDeepStrictEqual(before[name] ?? null, after[name] ?? null)) {
      changes.push(field(`/${name}`, 'is frozen since voting opened'))
    }
  }
  const votingIndex = PHASES.indexOf('voting')
  const decisive = (phases: readonly Phase[]) =>
    phases.filter((phase) => PHASES.indexOf(phase.phase) <= votingIndex)
  const oldDecisive = decisive(before.phases)
  const newDecisive = decisive(after.phases)
  const oldVoting = oldDecisive.find((phase) => phase.phase === 'voting')
  const newVoting = newDecisive.find((phase) => phase.phase === 'voting')
  const withoutVotingEnd = (phases: Phase[]) =>
    phases.map((phase) => ({
      phase: phase.phase,
      startsAt: Date.parse(phase.startsAt),
      endsAt: phase.phase === 'voting' ? 0 : Date.parse(phase.endsAt),
    }))
  if (!isDeepStrictEqual(withoutVotingEnd(oldDecisive), withoutVotingEnd(newDecisive))) {
    changes.push(
      field('/phases', 'phases up to and including the voting start are frozen since voting opened'),
    )
  } else if (oldVoting && newVoting && Date.parse(newVoting.endsAt) < Date.parse(oldVoting.endsAt)) {
    changes.push(
      field('/phases', 'the voting end can be extended but not brought forward once voting opened'),
    )
  }
  return changes
}
