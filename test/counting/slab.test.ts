import t from 'tap'
import { applicableRules, count } from '../../src/counting/index.js'
import { recycleSlabs, Slab } from '../../src/counting/slab.js'
import type { RuleId } from '../../src/counting/types.js'
import { loadInstance } from './fixtures/pabulib.js'

t.test('when a slab reuses a released buffer, then its views start at zero', async (t) => {
  const first = new Slab(20, 20, 80)
  first.f64(20).fill(1.5)
  first.i32(20).fill(-7)
  first.u8(80).fill(9)
  first.release()
  const second = new Slab(20, 20, 80)
  t.same([...second.f64(20)], new Array(20).fill(0))
  t.same([...second.i32(20)], new Array(20).fill(0))
  t.same([...second.u8(80)], new Array(80).fill(0))
})

t.test(
  'when a slab is asked for more than it was sized for, then it throws, reused buffer or not',
  async (t) => {
    const big = new Slab(64, 0, 0)
    big.f64(64)
    big.release()
    // The pooled buffer has room for 64 doubles; this slab was sized for 20 (and 2 for the small one).
    const slab = new Slab(20, 0, 0)
    slab.f64(20)
    t.throws(() => slab.f64(20), RangeError)
    const small = new Slab(2, 0, 0)
    small.f64(2)
    t.throws(() => small.f64(1), RangeError)
  },
)

t.test('when a slab carves views, then they share its buffer', async (t) => {
  const slab = new Slab(8, 0, 64)
  t.equal(slab.f64(8).buffer, slab.u8(64).buffer)
})

t.test(
  'when slabs of two sizes give their buffers back, then a slab of either size takes back its own, views and all',
  async (t) => {
    // Both fit in either buffer (blocks are at least 256 bytes): the smallest fit alone would give
    // the first slab taken either block, and views at other places.
    const small = new Slab(4, 0, 0)
    const smallView = small.f64(4)
    const large = new Slab(0, 16, 0)
    const largeView = large.i32(16)
    small.release()
    large.release()
    for (let round = 0; round < 3; round++) {
      const again = [new Slab(0, 16, 0), new Slab(4, 0, 0)]
      t.equal(again[0]!.i32(16), largeView)
      t.equal(again[1]!.f64(4), smallView)
      for (const slab of again.reverse()) slab.release()
    }
  },
)

t.test(
  'when a slab takes back a released buffer, then views of the same place and length are reused, zeroed, and others are new',
  async (t) => {
    const first = new Slab(24, 8, 0)
    const a = first.f64(16)
    const b = first.i32(8)
    a.fill(2.5)
    b.fill(3)
    first.release()
    const second = new Slab(24, 8, 0)
    const a2 = second.f64(16)
    t.equal(a2, a, 'same offset and length: the same view')
    t.same([...a2], new Array(16).fill(0))
    const b2 = second.i32(8)
    t.equal(b2, b, 'the i32 view at the same place and length is reused too')
    t.same([...b2], new Array(8).fill(0))
    second.release()
    // Another layout on the same buffer: views at other places or of other lengths are made anew.
    const third = new Slab(24, 8, 0)
    const d = third.f64(12)
    t.not(d, a)
    t.equal(d.length, 12)
    const e = third.i32(8)
    t.not(e, b, 'an i32 view at another place is new')
    t.equal(e.byteOffset, 96)
  },
)

t.test('when a retired slab is recycled, then a later slab may take its buffer, zeroed', async (t) => {
  const old = new Slab(16, 0, 0)
  old.f64(16).fill(3)
  old.retire()
  recycleSlabs()
  t.same([...new Slab(16, 0, 0).f64(16)], new Array(16).fill(0))
})

// Counts of other elections in between reuse the buffers of the profiles and runs they drop: the
// results of a count must not depend on what was counted before.
t.test(
  'when elections are counted in turn, then each count equals a count of that election alone',
  async (t) => {
    const files = [
      'Poland_Warszawa_2018_Pole_Mokotowskie.pb',
      'Netherlands_Amsterdam_643.pb',
      'Worldwide_Mechanical_Turk_Utilities_6.pb',
      'France_Toulouse_2022_17_-_Mirail-Universite_Reynerie_Bellefontaine.pb',
    ]
    const wanted: RuleId[] = [
      'mes_cost',
      'mes_cardinality',
      'mes_cost_add1_greedy',
      'mes_cardinal',
      'phragmen',
    ]
    const elections = files.map((f) => loadInstance(f).election)
    const rulesOf = elections.map((e) => wanted.filter((r) => applicableRules(e.voteType).includes(r)))
    const alone = elections.map((e, i) => rulesOf[i]!.map((r) => count({ ...e }, r)))
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < elections.length; i++) {
        const at = (i + round) % elections.length
        for (let j = 0; j < rulesOf[at]!.length; j++) {
          const again = count({ ...elections[at]! }, rulesOf[at]![j]!)
          t.same(again.explanation, alone[at]![j]!.explanation, `${files[at]} ${rulesOf[at]![j]}`)
        }
      }
    }
  },
)
