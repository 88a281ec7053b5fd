import fc from 'fast-check'
import t from 'tap'
import { count } from '../../src/counting/index.js'
import { parsePabulib } from '../../src/counting/pabulib/parse.js'
import { pabulibFromElection, writePabulib } from '../../src/counting/pabulib/write.js'
import { supporterCounts } from '../../src/counting/profile.js'
import { compareCodePoints } from '../../src/counting/tie-break.js'
import type { Election, RuleId } from '../../src/counting/types.js'
import { approvalElection, asCumulative, asOrdinal } from './fixtures/arbitraries.js'

const APPROVAL_RULES: RuleId[] = ['greedy_cost', 'greedy_cardinality', 'phragmen', 'max_welfare_cost']
const RUNS = { numRuns: 200 }

const elections = fc.oneof(
  approvalElection().map((e) => ({ e, rules: APPROVAL_RULES })),
  approvalElection().map((e) => ({ e: asOrdinal(e), rules: ['greedy_borda', 'greedy_cost'] as RuleId[] })),
  approvalElection().map((e) => ({
    e: asCumulative(e),
    rules: ['greedy_cardinal', 'max_welfare_cost'] as RuleId[],
  })),
)

t.test(
  'when any rule runs, then the outcome fits the budget and accounts for every project once',
  async (t) => {
    fc.assert(
      fc.property(elections, ({ e, rules }) => {
        for (const rule of rules) {
          const r = count(e, rule)
          const funded = r.outcome.funded
          const cost = funded.reduce((sum, p) => sum + e.projects[p]!.cost, 0n)
          if (cost !== r.totalCost || r.totalCost > e.budget || r.leftover !== e.budget - r.totalCost) {
            t.fail(`${rule}: cost ${cost}, total ${r.totalCost}, budget ${e.budget}, leftover ${r.leftover}`)
          }
          const seen = [...funded, ...r.outcome.unfunded.map((u) => u.project)].sort((a, b) => a - b)
          t.same(
            seen,
            e.projects.map((_, i) => i),
            `${rule}: every project funded or explained once`,
          )
        }
      }),
      RUNS,
    )
  },
)

t.test('when ballots are reordered or ungrouped, then no outcome changes', async (t) => {
  fc.assert(
    fc.property(elections, ({ e, rules }) => {
      const reversed = { ...e, ballots: [...e.ballots].reverse() }
      const ungrouped = {
        ...e,
        ballots: e.ballots.flatMap((b) => Array.from({ length: b.weight }, () => ({ ...b, weight: 1 }))),
      }
      for (const rule of rules) {
        const winners = count(e, rule).winners
        t.same(count(reversed, rule).winners, winners, `${rule}: ballot order`)
        t.same(count(ungrouped, rule).winners, winners, `${rule}: grouping`)
      }
    }),
    RUNS,
  )
})

t.test('when approval ballots list projects in another order, then no outcome changes', async (t) => {
  fc.assert(
    fc.property(approvalElection(), (e) => {
      const shuffled = {
        ...e,
        ballots: e.ballots.map((b) => ({ ...b, projects: [...b.projects].reverse() })),
      }
      for (const rule of APPROVAL_RULES) t.same(count(shuffled, rule).winners, count(e, rule).winners, rule)
    }),
    RUNS,
  )
})

t.test(
  'when greedy_cost runs, then it funds a prefix of the vote order and skips only what does not fit',
  async (t) => {
    fc.assert(
      fc.property(approvalElection(), (e) => {
        const supporters = supporterCounts(e)
        const order = e.projects
          .map((_, i) => i)
          .sort(
            (a, b) =>
              supporters[b]! - supporters[a]! || compareCodePoints(e.projects[a]!.id, e.projects[b]!.id),
          )
        const r = count(e, 'greedy_cost')
        const funded = new Set(r.outcome.funded)
        const firstSkipped = order.findIndex((p) => !funded.has(p))
        const prefix = firstSkipped < 0 ? order : order.slice(0, firstSkipped)
        t.same(
          r.outcome.funded.slice(0, prefix.length),
          prefix,
          'the funded list starts with the whole prefix',
        )
        t.same(
          r.outcome.funded,
          order.filter((p) => funded.has(p)),
          'funded in vote order',
        )
        for (const p of order) {
          if (!funded.has(p))
            t.ok(e.projects[p]!.cost > r.leftover, 'an unfunded project does not fit the leftover')
        }
      }),
      RUNS,
    )
  },
)

t.test('when a random election is written as .pb and parsed, then it comes back identical', async (t) => {
  fc.assert(
    fc.property(elections, ({ e }) => {
      const back = parsePabulib(writePabulib(pabulibFromElection(e))).election
      // Parsing groups identical ballots, so compare per-voter lists.
      const voters = (x: Election) =>
        x.ballots
          .flatMap((b) =>
            Array.from({ length: b.weight }, () => JSON.stringify([b.projects, b.points ?? null])),
          )
          .sort()
      t.same(back.projects, e.projects)
      t.equal(back.budget, e.budget)
      t.same(voters(back), voters(e))
    }),
    RUNS,
  )
})
