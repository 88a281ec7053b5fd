import fc from 'fast-check'
import t from 'tap'
import { count } from '../../src/counting/index.js'
import { supporterCounts } from '../../src/counting/profile.js'
import type { Election } from '../../src/counting/types.js'
import { approvalElection } from './fixtures/arbitraries.js'
import { election } from './fixtures/elections.js'

t.test('when greedy by supporters is not optimal, then max_welfare_cost finds the optimum', async (t) => {
  // a: 6 x 3 = 18; b, c: 5 x 2 = 10 each. Greedy takes a (left 4); b + c give 20.
  const e = election(
    10,
    [
      { id: 'a', cost: 6 },
      { id: 'b', cost: 5 },
      { id: 'c', cost: 5 },
    ],
    [['a', 'b'], ['a', 'c'], ['a'], ['b', 'c']],
  )
  const r = count(e, 'max_welfare_cost')
  t.same(r.winners, ['b', 'c'])
  t.equal(r.extras.welfare, '20')
  t.equal(r.extras.uniqueOptimum, true)
  t.same(count(e, 'greedy_cost').winners, ['a'])
  t.same(
    r.explanation.unfunded.map((u) => [u.project, u.reason]),
    [['a', 'not_optimal']],
  )
})

t.test('when another set reaches the same welfare, then uniqueOptimum is false', async (t) => {
  const projects = ['b', 'c', 'd'].map((id) => ({ id, cost: 5 }))
  const e = election(10, projects, [
    ['b', 'c', 'd'],
    ['b', 'c', 'd'],
  ])
  const r = count(e, 'max_welfare_cost')
  t.equal(r.extras.welfare, '20')
  t.equal(r.winners.length, 2)
  t.equal(r.extras.uniqueOptimum, false)
  // A zero-support project that fits in the leftover also makes a second optimal set.
  const spare = election(
    12,
    [
      { id: 'a', cost: 10 },
      { id: 'z', cost: 2 },
    ],
    [['a']],
  )
  t.equal(count(spare, 'max_welfare_cost').extras.uniqueOptimum, false)
})

t.test('when values exceed 2^53, then the search runs in BigInt and stays exact', async (t) => {
  // Values 10^15 x 100 = 10^17 > 2^53. Optimum: b + c (2 x 60 x 10^15 = 1.2 x 10^17) over a (10^17 + 10^15).
  const q = 10n ** 15n
  const e = election(
    2n * q,
    [
      { id: 'a', cost: 2n * q - q / 2n },
      { id: 'b', cost: q },
      { id: 'c', cost: q },
    ],
    [
      { ids: ['a'], weight: 67 },
      { ids: ['b', 'c'], weight: 60 },
    ],
  )
  const r = count(e, 'max_welfare_cost')
  t.equal(r.extras.arithmetic, 'bigint')
  t.same(r.winners, ['b', 'c'])
  t.equal(r.extras.welfare, (2n * q * 60n).toString())
})

/** The best welfare and how many feasible sets reach it, by enumerating every subset. */
function bruteForce(e: Election): { welfare: bigint; optimalSets: number } {
  const supporters = supporterCounts(e)
  let welfare = -1n
  let optimalSets = 0
  for (let mask = 0; mask < 1 << e.projects.length; mask++) {
    let cost = 0n
    let value = 0n
    e.projects.forEach((p, i) => {
      if (mask & (1 << i)) {
        cost += p.cost
        value += p.cost * BigInt(supporters[i]!)
      }
    })
    if (cost > e.budget) continue
    if (value > welfare) [welfare, optimalSets] = [value, 1]
    else if (value === welfare) optimalSets++
  }
  return { welfare, optimalSets }
}

t.test(
  'when elections are random, then the welfare and its uniqueness match exhaustive search',
  async (t) => {
    fc.assert(
      fc.property(approvalElection({ maxProjects: 8, maxCost: 20 }), (e) => {
        const r = count(e, 'max_welfare_cost')
        const best = bruteForce(e)
        const cost = r.outcome.funded.reduce((sum, p) => sum + e.projects[p]!.cost, 0n)
        t.ok(cost <= e.budget && cost === r.totalCost, 'feasible')
        t.equal(r.extras.welfare, best.welfare.toString(), 'optimal welfare')
        t.equal(r.extras.uniqueOptimum, best.optimalSets === 1, 'uniqueness')
      }),
      { numRuns: 300 },
    )
  },
)

t.test('when the largest instance is solved, then the optimum is proven quickly', async (t) => {
  const { loadInstance } = await import('./fixtures/pabulib.js')
  const { election: lodz } = loadInstance('Poland_Lodz_2022.pb')
  const start = performance.now()
  const r = count(lodz, 'max_welfare_cost')
  const seconds = (performance.now() - start) / 1000
  t.equal(r.extras.welfare, '71229559320')
  t.equal(r.extras.uniqueOptimum, true)
  t.ok(seconds < 2, `solved in ${seconds.toFixed(3)} s (target 0.5 s, tracked by the bench)`)
})
