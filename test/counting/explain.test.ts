import fc from 'fast-check'
import t, { type Test } from 'tap'
import { applicableRules, type CountRequest, type CountResult, count } from '../../src/counting/index.js'
import type { Election, TieBreakCriterion } from '../../src/counting/types.js'
import { approvalElection, asCumulative, asOrdinal } from './fixtures/arbitraries.js'
import { loadInstance } from './fixtures/pabulib.js'

/** Everything a result says about the outcome (all but the support figures and the explanation). */
function outcomeOf(r: CountResult) {
  return {
    rule: r.rule,
    winners: r.winners,
    totalCost: r.totalCost,
    leftover: r.leftover,
    budget: r.budget,
    numVoters: r.numVoters,
    tieBreak: r.tieBreak,
    extras: r.extras,
    partial: r.partial,
    carryOver: r.carryOver,
    funded: r.outcome.funded,
  }
}

/** Counts with and without the explanation: the outcome must not change, and nothing explained is returned. */
function sameOutcome(t: Test, e: Election, request: CountRequest, label: string): void {
  for (const rule of applicableRules(e.voteType)) {
    let full: CountResult
    try {
      full = count(e, rule, request)
    } catch (error) {
      // An option the rule does not take (max_welfare_cost has no order to part-fund): the same refusal.
      t.throws(
        () => count(e, rule, { ...request, explain: false }),
        error as Error,
        `${label} ${rule}: same error`,
      )
      continue
    }
    const bare = count(e, rule, { ...request, explain: false })
    t.same(outcomeOf(bare), outcomeOf(full), `${label} ${rule}: same outcome`)
    t.notOk(
      'support' in bare || 'explanation' in bare,
      `${label} ${rule}: no support figures nor explanation`,
    )
    t.ok(
      full.explanation !== undefined && full.support !== undefined,
      `${label} ${rule}: explained by default`,
    )
  }
}

const requests: fc.Arbitrary<CountRequest> = fc
  .record(
    {
      tieBreak: fc.shuffledSubarray<TieBreakCriterion>(['cost_asc', 'cost_desc', 'votes_desc', 'lottery']),
      leftover: fc.constantFrom('none', 'partial_next', 'carry_over'),
      minSupport: fc.record({ votes: fc.integer({ min: 0, max: 4 }) }),
    },
    { requiredKeys: [] },
  )
  .map((r) => (r.tieBreak?.includes('lottery') ? { ...r, lotterySeed: 'seed' } : r))

t.test('when a count asks for the outcome only, then every rule funds the same projects', async (t) => {
  fc.assert(
    fc.property(
      fc.oneof(approvalElection(), approvalElection().map(asOrdinal), approvalElection().map(asCumulative)),
      requests,
      (e, request) => sameOutcome(t, e, request, e.voteType),
    ),
    { numRuns: 60 },
  )
})

t.test(
  'when real elections are counted for the outcome only, then it equals the explained count',
  async (t) => {
    for (const file of [
      'Poland_Warszawa_2018_Pole_Mokotowskie.pb',
      'Worldwide_Mechanical_Turk_Utilities_6.pb',
      'Worldwide_Mechanical_Turk_Ranking_value_8.pb',
    ]) {
      sameOutcome(t, loadInstance(file).election, {}, file)
    }
  },
)
