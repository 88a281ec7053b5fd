import fc from 'fast-check'
import t from 'tap'
import { count } from '../../src/counting/index.js'
import { compareCodePoints } from '../../src/counting/tie-break.js'
import type { Election } from '../../src/counting/types.js'
import { approvalElection } from './fixtures/arbitraries.js'
import { election } from './fixtures/elections.js'

const abc = [
  { id: 'a', cost: 4 },
  { id: 'b', cost: 3 },
  { id: 'c', cost: 3 },
]
const abcBallots = [['a'], ['a', 'b'], ['b'], ['c']]

t.test('when loads spread, then projects are funded by smallest t with exact fractions', async (t) => {
  // Round 1: t(a) = 4/2, t(b) = 3/2, t(c) = 3/1 -> b; voters 2 and 3 carry 3/2.
  // Round 2: t(a) = (0 + 3/2 + 4)/2 = 11/4, t(c) = 3 -> a (left 3). Round 3: c fits exactly.
  const r = count(election(10, abc, abcBallots), 'phragmen')
  t.same(r.winners, ['a', 'b', 'c'])
  t.same(
    r.explanation.steps.map((s) => [s.project, s.score]),
    [
      ['b', '3/2'],
      ['a', '11/4'],
      ['c', '3'],
    ],
  )
})

t.test('when the project with minimal t does not fit, then the rule stops (no skipping)', async (t) => {
  // Budget 6: b (left 3), then a has the minimal t 11/4 but costs 4 > 3: stop, although c fits.
  const r = count(election(6, abc, abcBallots), 'phragmen')
  t.same(r.winners, ['b'])
  t.same(
    r.explanation.unfunded.map((u) => [u.project, u.reason]),
    [
      ['a', 'did_not_fit'],
      ['c', 'rule_stopped'],
    ],
  )
  t.same(count(election(6, abc, abcBallots), 'greedy_cardinality').winners, ['b', 'c'])
})

t.test(
  'when any project of the minimal tie does not fit, then the rule stops even if the id winner fits',
  async (t) => {
    // Round 1: w has t = 2/3 (left 3). Round 2: t(x) = 2/1 = t(y) = 4/2, and y costs 4 > 3.
    const e = election(
      5,
      [
        { id: 'w', cost: 2 },
        { id: 'x', cost: 2 },
        { id: 'y', cost: 4 },
      ],
      [['w'], ['w'], ['w'], ['x'], ['y'], ['y']],
    )
    t.same(count(e, 'phragmen').winners, ['w'])
  },
)

t.test('when a project costs more than the budget, then it is discarded up front', async (t) => {
  const e = election(
    10,
    [
      { id: 'big', cost: 11 },
      { id: 'a', cost: 4 },
    ],
    [['big'], ['big'], ['a']],
  )
  const r = count(e, 'phragmen')
  t.same(r.winners, ['a'])
  t.same(r.explanation.unfunded[0], {
    project: 'big',
    reason: 'did_not_fit',
    detail: { cost_exceeds_budget: 'true' },
  })
})

t.test(
  'when only zero-support projects remain, then they are funded in id order while all of them fit',
  async (t) => {
    const projects = [
      { id: 'a', cost: 4 },
      { id: 'z1', cost: 3 },
      { id: 'z2', cost: 2 },
    ]
    t.same(count(election(10, projects, [['a']]), 'phragmen').winners, ['a', 'z1', 'z2'])
    // Budget 8: a (left 4), z1 (left 1), then the tie {z2} does not fit.
    t.same(count(election(8, projects, [['a']]), 'phragmen').winners, ['a', 'z1'])
    // Budget 6: a (left 2); the tie {z1, z2} holds z1 (3 > 2): stop before z2.
    t.same(count(election(6, projects, [['a']]), 'phragmen').winners, ['a'])
  },
)

type Fraction = readonly [bigint, bigint]

/** Sequential Phragmén straight from the definition, one voter at a time, for comparison. */
function naivePhragmen(e: Election): string[] {
  const voters = e.ballots.flatMap((b) => Array.from({ length: b.weight }, () => b.projects))
  const loads: Fraction[] = voters.map(() => [0n, 1n])
  let left = e.budget
  let remaining = e.projects.map((_, i) => i).filter((p) => e.projects[p]!.cost <= e.budget)
  const funded: string[] = []
  while (remaining.length > 0) {
    const ts = remaining.map((p): Fraction | undefined => {
      const supporters = voters.flatMap((v, i) => (v.includes(p) ? [i] : []))
      if (supporters.length === 0) return undefined
      let [num, den] = [e.projects[p]!.cost, 1n]
      for (const i of supporters) [num, den] = [num * loads[i]![1] + loads[i]![0] * den, den * loads[i]![1]]
      return [num, den * BigInt(supporters.length)]
    })
    const less = (x: Fraction | undefined, y: Fraction | undefined) =>
      x !== undefined && (y === undefined || x[0] * y[1] < y[0] * x[1])
    let min = ts[0]
    for (const x of ts) if (less(x, min)) min = x
    const tie = remaining.filter((_, i) => !less(min, ts[i]) && !less(ts[i], min))
    if (tie.some((p) => e.projects[p]!.cost > left)) break
    const chosen = tie.sort((x, y) => compareCodePoints(e.projects[x]!.id, e.projects[y]!.id))[0]!
    funded.push(e.projects[chosen]!.id)
    left -= e.projects[chosen]!.cost
    remaining = remaining.filter((p) => p !== chosen)
    voters.forEach((v, i) => {
      if (v.includes(chosen) && min !== undefined) loads[i] = min
    })
  }
  return funded.sort(compareCodePoints)
}

t.test('when elections are random, then phragmen equals the definition computed naively', async (t) => {
  fc.assert(
    fc.property(approvalElection(), (e) => {
      const first = count(e, 'phragmen')
      t.same(first.winners, naivePhragmen(e))
      // Counted again, the election's arrays are reset rather than new: the same count.
      t.same(count(e, 'phragmen').explanation, first.explanation)
    }),
    { numRuns: 300 },
  )
})
