import t from 'tap'
import { count } from '../../src/counting/index.js'
import {
  buildTieBreak,
  compareCodePoints,
  lotteryKey,
  normalizeTieBreak,
} from '../../src/counting/tie-break.js'
import { election } from './fixtures/elections.js'

t.test('when ids are compared, then the order is code-point order, not numeric', async (t) => {
  const sorted = ['9', 'L9', 'BO.D16.5/23', '10', 'L010', 'BO.D16.10/23', 'a', 'ab', 'B'].sort(
    compareCodePoints,
  )
  t.same(sorted, ['10', '9', 'B', 'BO.D16.10/23', 'BO.D16.5/23', 'L010', 'L9', 'a', 'ab'])
})

t.test(
  'when an id has a character above U+FFFF, then it sorts after U+E000–U+FFFF (unlike JS <)',
  async (t) => {
    const astral = 'x\u{1F600}'
    const bmp = 'x\uFF5E'
    t.ok(astral < bmp, 'JS compares UTF-16 units: the surrogate 0xD83D is below 0xFF5E')
    t.ok(compareCodePoints(bmp, astral) < 0, 'U+FF5E < U+1F600')
    t.ok(compareCodePoints('x\uD7FF', astral) < 0, 'U+D7FF < U+1F600')
    t.equal(compareCodePoints(astral, astral), 0)
  },
)

t.test('when criteria are given, then duplicates go, the list stops at id, and id ends it', async (t) => {
  t.same(normalizeTieBreak([]), ['id'])
  t.same(normalizeTieBreak(['cost_asc']), ['cost_asc', 'id'])
  t.same(normalizeTieBreak(['votes_desc', 'votes_desc', 'cost_desc']), ['votes_desc', 'cost_desc', 'id'])
  t.same(normalizeTieBreak(['id', 'cost_asc']), ['id'])
  t.throws(() => normalizeTieBreak(['cheapest' as never]), /unknown tie-break criterion "cheapest"/)
})

t.test('when ranks are built, then each criterion orders as named and id settles the rest', async (t) => {
  const e = election(
    100,
    [
      { id: 'c', cost: 10 },
      { id: 'a', cost: 30 },
      { id: 'b', cost: 10 },
    ],
    [],
  )
  const order = (rank: Int32Array) =>
    Array.from(rank)
      .map((r, p) => [r, e.projects[p]!.id] as const)
      .sort((x, y) => x[0] - y[0])
      .map(([, id]) => id)
  t.same(order(buildTieBreak(e).rank), ['a', 'b', 'c'])
  t.same(order(buildTieBreak(e, ['cost_asc']).rank), ['b', 'c', 'a'])
  t.same(order(buildTieBreak(e, ['cost_desc']).rank), ['a', 'b', 'c'])
  // supporters: c 5, a 1, b 5 -> b and c first (id between them), then a.
  t.same(order(buildTieBreak(e, ['votes_desc'], { supporters: [5, 1, 5] }).rank), ['b', 'c', 'a'])
  t.throws(() => buildTieBreak(e, ['votes_desc']), /needs the supporters/)
})

t.test(
  'when the lottery is used, then the order follows SHA-256 of seed:id and is reproducible',
  async (t) => {
    // printf '%s' 'seed-1:a' | sha256sum, and likewise for b and c.
    t.equal(lotteryKey('seed-1', 'a'), 'b635069d2fa237137d17b3c3080e47ebc77a509cee8376ab076b85d0998927e6')
    t.equal(lotteryKey('seed-1', 'b'), 'a62692d0451ac9de6200a721c320145a3ab1dbcbb10b623eb2a5e4f534edeed1')
    t.equal(lotteryKey('seed-1', 'c'), 'a98f32b6db666cf20b9d87a1667ffbb762ea7a05b976f407e0f2022bf4cb9b0f')
    const e = election(
      10,
      ['a', 'b', 'c'].map((id) => ({ id, cost: 10 })),
      [['a'], ['b'], ['c']],
    )
    const tie = buildTieBreak(e, ['lottery'], { seed: 'seed-1' })
    t.same(tie.criteria, ['lottery', 'id'])
    t.equal(tie.seed, 'seed-1')
    t.same(Array.from(tie.rank), [2, 0, 1], 'b, then c, then a')
    const r = count(e, 'greedy_cost', { tieBreak: ['lottery'], lotterySeed: 'seed-1' })
    t.same(r.winners, ['b'])
    t.same(r.tieBreak, { criteria: ['lottery', 'id'], seed: 'seed-1' })
    t.throws(() => buildTieBreak(e, ['lottery']), /needs a seed/)
  },
)

t.test('when count gets a tie-break list, then the rule uses it and the result records it', async (t) => {
  // a and b both have one vote; budget 10 funds a (cost 10) by id, or b (cost 5) by cost_asc.
  const e = election(
    10,
    [
      { id: 'a', cost: 10 },
      { id: 'b', cost: 5 },
    ],
    [['a'], ['b']],
  )
  const byId = count(e, 'greedy_cost')
  t.same(byId.winners, ['a'])
  t.same(byId.tieBreak, { criteria: ['id'] })
  const cheap = count(e, 'greedy_cost', { tieBreak: ['cost_asc'] })
  t.same(cheap.winners, ['b'])
  t.same(cheap.tieBreak, { criteria: ['cost_asc', 'id'] })
  t.same(count(e, 'phragmen', { tieBreak: ['cost_asc'] }).winners, ['b'])
})
