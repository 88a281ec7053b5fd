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
