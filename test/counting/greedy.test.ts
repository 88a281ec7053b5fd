import t from 'tap'
import { count, type RuleId } from '../../src/counting/index.js'
import { election, times } from './fixtures/elections.js'

t.test('when the most-voted project that fits is taken, then greedy_cost skips and continues', async (t) => {
  // a(3 votes, 60) funded, left 40; b(2, 50) skipped; c(2, 40) funded (ties b by id), left 0; d skipped.
  const e = election(
    100,
    [
      { id: 'a', cost: 60 },
      { id: 'b', cost: 50 },
      { id: 'c', cost: 40 },
      { id: 'd', cost: 30 },
    ],
    [['a', 'b'], ['a', 'c'], ['a', 'b', 'c'], ['d']],
  )
  const r = count(e, 'greedy_cost')
  t.same(r.winners, ['a', 'c'])
  t.equal(r.totalCost, 100n)
  t.equal(r.leftover, 0n)
  t.same(
    r.explanation.steps.map((s) => [s.project, s.score]),
    [
      ['a', '3'],
      ['c', '2'],
    ],
  )
  t.same(
    r.explanation.unfunded.map((u) => [u.project, u.reason, u.detail?.left]),
    [
      ['b', 'did_not_fit', '40'],
      ['d', 'did_not_fit', '0'],
    ],
  )
})

t.test('when two projects tie, then the smaller id in code-point order wins ("10" < "9")', async (t) => {
  const e = election(
    50,
    [
      { id: '9', cost: 50 },
      { id: '10', cost: 50 },
    ],
    [['9'], ['10']],
  )
  t.same(count(e, 'greedy_cost').winners, ['10'])
  t.same(count(e, 'greedy_cardinality').winners, ['10'])
})

t.test(
  'when budget is left after every supported project, then zero-support projects are funded if they fit',
  async (t) => {
    const projects = [
      { id: 'a', cost: 10 },
      { id: 'z', cost: 5 },
    ]
    t.same(count(election(20, projects, [['a']]), 'greedy_cost').winners, ['a', 'z'])
    const short = count(election(12, projects, [['a']]), 'greedy_cardinality')
    t.same(short.winners, ['a'])
    t.same(short.explanation.unfunded, [
      { project: 'z', reason: 'no_support', detail: { score: '0', left: '2' } },
    ])
  },
)

t.test(
  'when scores differ below double precision, then greedy_cardinality still orders them exactly',
  async (t) => {
    // 1/(2^53+1) > 1/(2^53+2), but both costs round to the same double 2^53.
    const e = election(
      9007199254740994n,
      [
        { id: 'a', cost: 9007199254740994n },
        { id: 'b', cost: 9007199254740993n },
      ],
      [['a'], ['b']],
    )
    t.same(count(e, 'greedy_cardinality').winners, ['b'])
  },
)

t.test(
  'when a project costs nothing and has support, then it comes first with an infinite score',
  async (t) => {
    const e = election(
      10,
      [
        { id: 'a', cost: 10 },
        { id: 'free', cost: 0 },
      ],
      [['a', 'free'], ['a']],
    )
    const r = count(e, 'greedy_cardinality')
    t.same(r.winners, ['a', 'free'])
    t.same(
      r.explanation.steps.map((s) => [s.project, s.score]),
      [
        ['free', 'inf'],
        ['a', '1/5'],
      ],
    )
  },
)

t.test('when ballots are cumulative, then greedy_cardinal orders by points per cost', async (t) => {
  // a: 5 points / 10 = 1/2; b: 3 points / 4 = 3/4 -> b first (left 6), a does not fit.
  // greedy_cost orders by supporters instead: a has 2, b has 1 -> a.
  const e = election(
    10,
    [
      { id: 'a', cost: 10 },
      { id: 'b', cost: 4 },
    ],
    [
      { ids: ['a', 'b'], points: [1, 3] },
      { ids: ['a'], points: [4] },
    ],
    'cumulative',
  )
  t.same(count(e, 'greedy_cardinal').winners, ['b'])
  t.same(count(e, 'greedy_cost').winners, ['a'])
  t.same(
    count(e, 'greedy_cardinal').support.map((s) => [s.id, s.supporters, s.points]),
    [
      ['a', 2, '5'],
      ['b', 1, '3'],
    ],
  )
})

t.test('when ballots are rankings, then greedy_borda gives L-1-i points', async (t) => {
  // [a,b,c] x2: a 2, b 1, c 0 each; [c,a]: c 1, a 0. Totals a 4, b 2, c 1.
  // Scores a 4/40, b 2/10, c 1/10: b (left 40), then a and c tie at 1/10, a by id (left 0).
  const e = election(
    50,
    [
      { id: 'a', cost: 40 },
      { id: 'b', cost: 10 },
      { id: 'c', cost: 10 },
    ],
    [times(2, ['a', 'b', 'c']), ['c', 'a']],
    'ordinal',
  )
  const r = count(e, 'greedy_borda')
  t.same(r.winners, ['a', 'b'])
  t.same(
    r.support.map((s) => s.borda),
    ['4', '2', '1'],
  )
  t.same(
    r.explanation.steps.map((s) => s.project),
    ['b', 'a'],
  )
})

t.test('when a rule does not apply to the ballot type, then count refuses it', async (t) => {
  const e = election(10, [{ id: 'a', cost: 1 }], [['a']], 'ordinal')
  t.throws(() => count(e, 'greedy_cardinal'), { name: 'RuleNotApplicableError' })
  t.throws(() => count(e, 'phragmen'), /does not apply to ordinal ballots/)
})

t.test('when a rule id is unknown, even a name every object has, then count says so', async (t) => {
  const e = election(10, [{ id: 'a', cost: 1 }], [['a']])
  for (const rule of ['nope', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    t.throws(() => count(e, rule as RuleId), { name: 'RangeError', message: `unknown rule "${rule}"` })
  }
})
