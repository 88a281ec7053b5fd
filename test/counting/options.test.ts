import t from 'tap'
import { count } from '../../src/counting/index.js'
import { election } from './fixtures/elections.js'

// a: 3 votes, cost 60; b: 2 votes, 50; c: 1 vote, 30. Budget 100, four voters (one empty ballot).
// Without options greedy_cost funds a (left 40), skips b, funds c (left 10).
const abc = election(
  100,
  [
    { id: 'a', cost: 60, categories: ['X'] },
    { id: 'b', cost: 50, categories: ['Y'] },
    { id: 'c', cost: 30, categories: ['Y'] },
  ],
  [['a', 'b'], ['a', 'b', 'c'], ['a'], []],
)

t.test('when no option is given, then greedy_cost funds a and c', async (t) => {
  const r = count(abc, 'greedy_cost')
  t.same(r.winners, ['a', 'c'])
  t.equal(r.leftover, 10n)
  t.equal(r.partial, undefined)
  t.equal(r.carryOver, undefined)
})

t.test('when a minimum number of votes is set, then projects below it are out from the start', async (t) => {
  // c has 1 vote < 2: out; b still does not fit after a.
  const r = count(abc, 'greedy_cost', { minSupport: { votes: 2 } })
  t.same(r.winners, ['a'])
  t.same(
    r.explanation.unfunded.map((u) => [u.project, u.reason]),
    [
      ['b', 'did_not_fit'],
      ['c', 'below_min_support'],
    ],
  )
  t.same(count(abc, 'phragmen', { minSupport: { votes: 3 } }).winners, ['a'])
})

t.test(
  'when a minimum share of voters is set, then it counts every voter, empty ballots included',
  async (t) => {
    // 4 voters: 50 % needs 2 supporters (c has 1); 75 % needs 3 (only a).
    t.same(count(abc, 'greedy_cost', { minSupport: { shareBps: 5000 } }).winners, ['a'])
    t.same(count(abc, 'greedy_cardinality', { minSupport: { shareBps: 7500 } }).winners, ['a'])
    // 25 % needs 1: nothing is excluded.
    t.same(count(abc, 'greedy_cost', { minSupport: { shareBps: 2500 } }).winners, ['a', 'c'])
  },
)

t.test('when projects are in an exclusion group, then funding one excludes the others', async (t) => {
  // Budget 130: a (left 70), b (left 20). With {a, b} exclusive: a, b excluded, c (left 40).
  const roomy = { ...abc, budget: 130n }
  t.same(count(roomy, 'greedy_cost').winners, ['a', 'b'])
  const r = count(roomy, 'greedy_cost', { exclusionGroups: [['a', 'b']] })
  t.same(r.winners, ['a', 'c'])
  t.same(r.explanation.unfunded[0]?.reason, 'excluded_by_conflict')
  t.notOk(count(roomy, 'phragmen', { exclusionGroups: [['a', 'b']] }).winners.includes('b'))
  t.throws(() => count(abc, 'greedy_cost', { exclusionGroups: [['a', 'nope']] }), /unknown project "nope"/)
})

t.test('when a category has a maximum share, then a project that would exceed it is skipped', async (t) => {
  // Budget 130, Y at most 50 % = 65: a (X, left 70), b (Y, 50 <= 65, left 20), c (Y, 80 > 65) skipped.
  const roomy = { ...abc, budget: 130n }
  const r = count(roomy, 'greedy_cost', { categoryQuotas: [{ category: 'Y', maxBps: 5000 }] })
  t.same(r.winners, ['a', 'b'])
  t.same(
    r.explanation.unfunded.map((u) => [u.project, u.reason]),
    [['c', 'category_max_reached']],
  )
  // Y at most 30 % = 39: b (50) never fits the quota, c (30) does: a, then c.
  t.same(count(roomy, 'greedy_cost', { categoryQuotas: [{ category: 'Y', maxBps: 3000 }] }).winners, [
    'a',
    'c',
  ])
})

t.test(
  'when a category has a minimum share, then a first pass funds its projects in rule order',
  async (t) => {
    // Y at least 50 % = 50: first pass b (Y, left 50), minimum met, c not needed. Normal pass:
    // a (60 > 50) does not fit, c fits (left 20).
    const r = count(abc, 'greedy_cost', { categoryQuotas: [{ category: 'Y', minBps: 5000 }] })
    t.same(r.winners, ['b', 'c'])
    t.same(
      r.explanation.steps.map((s) => [s.project, s.detail?.pass ?? 'normal']),
      [
        ['b', 'category_minimum'],
        ['c', 'normal'],
      ],
    )
    // X at least 10 %: a is first in order anyway; the outcome is unchanged.
    t.same(count(abc, 'greedy_cost', { categoryQuotas: [{ category: 'X', minBps: 1000 }] }).winners, [
      'a',
      'c',
    ])
    // Y at least 90 % = 90: first pass b (left 50), c (left 20), still below; a does not fit.
    t.same(count(abc, 'greedy_cost', { categoryQuotas: [{ category: 'Y', minBps: 9000 }] }).winners, [
      'b',
      'c',
    ])
    t.throws(
      () => count(abc, 'phragmen', { categoryQuotas: [{ category: 'Y', minBps: 5000 }] }),
      /phragmen does not support category minimums/,
    )
    t.throws(
      () => count(abc, 'greedy_cost', { categoryQuotas: [{ category: 'X', minBps: 10001 }] }),
      /between 0 and 10000/,
    )
  },
)

t.test(
  'when leftover is partial_next, then the first project that did not fit gets what is left',
  async (t) => {
    // a (left 40), b does not fit, c (left 10): b, first in order among those that did not fit, gets 10.
    const r = count(abc, 'greedy_cost', { leftover: 'partial_next' })
    t.same(r.winners, ['a', 'c'])
    t.same(r.partial, { project: 'b', amount: 10n })
    t.equal(r.leftover, 10n, 'leftover is reported before the policy')
    // Excluded projects are passed over: b is excluded by the group, so c is next... but c is funded;
    // with budget 80 and {a, b} exclusive: a (left 20), b excluded, c does not fit -> c gets 20.
    const tight = { ...abc, budget: 80n }
    t.same(count(tight, 'greedy_cost', { leftover: 'partial_next', exclusionGroups: [['a', 'b']] }).partial, {
      project: 'c',
      amount: 20n,
    })
    // Phragmén: the project at which the rule stopped gets the leftover.
    const stopped = count(abc, 'phragmen', { leftover: 'partial_next' })
    t.equal(stopped.partial?.amount, stopped.leftover)
    t.throws(
      () => count(abc, 'max_welfare_cost', { leftover: 'partial_next' }),
      /partial_next does not apply/,
    )
  },
)

t.test('when leftover is carry_over, then the outcome reports the amount carried', async (t) => {
  t.equal(count(abc, 'greedy_cost', { leftover: 'carry_over' }).carryOver, 10n)
  const welfare = count(abc, 'max_welfare_cost', { leftover: 'carry_over' })
  t.equal(welfare.carryOver, welfare.leftover)
})

t.test('when max_welfare_cost has constraints, then the optimum respects them', async (t) => {
  // Budget 130 without options: a + b = 60*3 + 50*2 = 280 (a + c = 210, b + c = 160).
  const roomy = { ...abc, budget: 130n }
  t.same(count(roomy, 'max_welfare_cost').winners, ['a', 'b'])
  t.same(count(roomy, 'max_welfare_cost', { exclusionGroups: [['a', 'b']] }).winners, ['a', 'c'])
  // X at most 40 % = 52: a (60) can never be funded.
  t.same(count(roomy, 'max_welfare_cost', { categoryQuotas: [{ category: 'X', maxBps: 4000 }] }).winners, [
    'b',
    'c',
  ])
  t.same(count(roomy, 'max_welfare_cost', { minSupport: { votes: 3 } }).winners, ['a'])
  t.throws(
    () => count(roomy, 'max_welfare_cost', { categoryQuotas: [{ category: 'X', minBps: 1000 }] }),
    /does not support category minimums/,
  )
})
