import t from 'tap'
import { buildMesProfile, restrictProfile } from '../../src/counting/rules/mes-profile.js'
import { election, times } from './fixtures/elections.js'

// Supporters: a, b and e 9 each, c 7, d 4: ranks a, b, e, c, d (ties by id). The restriction drops e.
const e = election(
  100,
  [
    { id: 'a', cost: 10 },
    { id: 'b', cost: 10 },
    { id: 'c', cost: 10 },
    { id: 'd', cost: 10 },
    { id: 'e', cost: 10 },
  ],
  [
    times(2, ['d', 'c']),
    times(3, ['b', 'e']),
    times(1, ['c', 'a', 'e']),
    times(4, ['a']),
    times(2, ['e', 'b', 'c']),
    times(2, ['a', 'b', 'c', 'd', 'e']),
    times(2, ['a', 'b']),
    ['e'],
  ],
)

const ids = ['a', 'b', 'c', 'd', 'e']
const keep = Uint8Array.from([1, 1, 1, 1, 0])

t.test('when a profile is restricted, then every class keeps its voters and its kept projects', async (t) => {
  const pr = buildMesProfile(e, 'cost')
  const { profile: r, classOf } = restrictProfile(pr, keep)
  const setOf = (p: typeof pr, c: number) =>
    Array.from(p.classProject.subarray(p.classStart[c]!, p.classStart[c + 1]!), (x) => ids[x])
      .sort()
      .join('')
  const weight = new Array<number>(r.nClasses).fill(0)
  for (let c = 0; c < pr.nClasses; c++) {
    const kept = setOf(pr, c).replace('e', '')
    if (kept === '') {
      t.equal(classOf[c], -1, `class ${c} has no project left`)
      continue
    }
    t.equal(setOf(r, classOf[c]!), kept, `class ${c}'s projects`)
    weight[classOf[c]!]! += pr.classWeight[c]!
  }
  t.same(Array.from(r.classWeight), weight, 'each restricted class weighs what its classes weigh')
  t.equal(
    r.nClasses,
    new Set(Array.from({ length: pr.nClasses }, (_, c) => setOf(pr, c).replace('e', ''))).size - 1,
  )
  t.equal(r.nVoters, pr.nVoters)
  for (let p = 0; p < 5; p++) {
    const supporters = Array.from(r.projectClass.subarray(r.projectStart[p]!, r.projectStart[p + 1]!))
    const expected = [...Array(r.nClasses).keys()].filter((c) => setOf(r, c).includes(ids[p]!))
    t.same(supporters, expected, `${ids[p]}'s supporter classes`)
  }
})

t.test(
  'when a profile is restricted, then its classes come in the order of their best-supported projects',
  async (t) => {
    const pr = buildMesProfile(e, 'cost')
    const { profile: r } = restrictProfile(pr, keep)
    // Each class lists its projects by rank; classes are sorted by the ranks of their first four
    // projects (over the whole ballots, e included), a list's end ranking after every project.
    const lists = Array.from({ length: r.nClasses }, (_, c) =>
      Array.from(r.classProject.subarray(r.classStart[c]!, r.classStart[c + 1]!), (x) => ids[x]).join(''),
    )
    t.same(lists, ['abcd', 'ab', 'ac', 'a', 'bc', 'b', 'cd'])
  },
)

t.test(
  'when ranked or cumulative ballots name the same set in another order, then a unit profile keeps one class per set',
  async (t) => {
    const projects = [
      { id: 'a', cost: 10 },
      { id: 'b', cost: 10 },
      { id: 'c', cost: 10 },
    ]
    const ballots = [
      { ids: ['a', 'b'], points: [3, 1], weight: 2 },
      { ids: ['b', 'a'], points: [2, 2], weight: 3 },
      { ids: ['c'], points: [4] },
      { ids: ['a', 'b', 'c'], points: [1, 1, 2] },
      { ids: ['a', 'c', 'b'], points: [2, 1, 1], weight: 4 },
    ]
    for (const voteType of ['ordinal', 'cumulative'] as const) {
      const pr = buildMesProfile(election(100, projects, ballots, voteType), 'cardinality')
      const classes = Array.from({ length: pr.nClasses }, (_, c) => [
        Array.from(pr.classProject.subarray(pr.classStart[c]!, pr.classStart[c + 1]!), (x) => ids[x])
          .sort()
          .join(''),
        pr.classWeight[c],
      ])
      t.same(
        classes,
        [
          ['ab', 5],
          ['c', 1],
          ['abc', 5],
        ],
        voteType,
      )
      t.same(Array.from(pr.projectStart), [0, 2, 4, 6], `${voteType}: each set once per project`)
      t.same(Array.from(pr.supporters), [10, 10, 6], `${voteType}: supporters count every voter`)
      // Utilities (points, Borda scores) keep the ballots apart; a Borda score of 0 (last of a
      // ranking, or alone) is no support: ['c'] supports nothing, ['b', 'a'] only b.
      const byUtility = buildMesProfile(
        election(100, projects, ballots, voteType),
        voteType === 'ordinal' ? 'borda' : 'cardinal',
      )
      t.equal(
        byUtility.nClasses,
        voteType === 'ordinal' ? 4 : 5,
        `${voteType}: non-unit utilities are not merged`,
      )
    }
  },
)
