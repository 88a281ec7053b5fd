import fc from 'fast-check'
import t from 'tap'
import { compareCodePoints, type KeyOrder, orderFromRank } from '../../src/counting/apportion.js'
import {
  type Cut,
  isSavingsError,
  SavingsError,
  type SavingsInput,
  savingsGreedy,
  savingsMinObjection,
} from '../../src/counting/savings.js'

const readmeCuts: [string, bigint, number][] = [
  ['c1', 4000000n, 120],
  ['c2', 2500000n, 30],
  ['c3', 6000000n, 200],
  ['c4', 1000000n, 5],
  ['c5', 3500000n, 60],
  ['c6', 7000000n, 90],
]

/** Voter v objects to every cut with more than v objections: 250 voters, the last 50 accept everything. */
function readmeInput(without: string[] = []): SavingsInput {
  const rows = readmeCuts.filter(([id]) => !without.includes(id))
  return {
    cuts: rows.map(([id, saving]) => ({ id, saving })),
    target: 7000000n,
    ballots: Array.from({ length: 250 }, (_, voter) =>
      rows.filter(([, , objections]) => voter < objections).map(([id]) => id),
    ),
  }
}

function errorOf(fn: () => unknown): SavingsError | undefined {
  try {
    fn()
  } catch (error) {
    if (isSavingsError(error)) return error
    throw error
  }
  return undefined
}

t.test('when the README example is counted by minimum objection, then {c6} is selected', async (t) => {
  const result = savingsMinObjection(readmeInput())
  t.same(result.selected, ['c6'])
  t.equal(result.totalObjections, 90)
  t.equal(result.totalSaving, 7000000n)
  t.equal(result.overshoot, 0n)
  t.equal(result.targetReached, true)
  t.equal(result.shortfall, 0n)
  t.equal(result.voters, 250)
  t.same(
    result.cuts.map((cut) => [cut.id, cut.objections, cut.selected]),
    readmeCuts.map(([id, , objections]) => [id, objections, id === 'c6']),
  )
  t.match(result.steps[0], {
    kind: 'incumbent',
    source: 'greedy',
    selected: ['c2', 'c4', 'c6'],
    objections: 125,
  })
  t.match(result.steps.at(-2), { kind: 'incumbent', source: 'search', selected: ['c6'], objections: 90 })
  t.match(result.steps.at(-1), { kind: 'proven_optimal' })
})

t.test('when the README example is counted greedily, then it takes c4, c2, c6 in that order', async (t) => {
  const result = savingsGreedy(readmeInput())
  t.same(result.selected, ['c2', 'c4', 'c6'])
  t.equal(result.totalObjections, 125)
  t.equal(result.totalSaving, 10500000n)
  t.equal(result.overshoot, 3500000n)
  t.same(
    result.steps.map((step) => ('cut' in step ? [step.kind, step.cut] : [step.kind])),
    [
      ['take', 'c4'],
      ['take', 'c2'],
      ['take', 'c6'],
      ['not_needed', 'c5'],
      ['not_needed', 'c1'],
      ['not_needed', 'c3'],
    ],
  )
  t.same(result.steps[0], {
    kind: 'take',
    cut: 'c4',
    ratio: '1/200000',
    saving: 1000000n,
    objections: 5,
    totalSaving: 1000000n,
  })
})

t.test('when c6 is withdrawn, then both rules select {c2, c4, c5} with 95 objections', async (t) => {
  for (const rule of [savingsMinObjection, savingsGreedy]) {
    const result = rule(readmeInput(['c6']))
    t.same(result.selected, ['c2', 'c4', 'c5'])
    t.equal(result.totalObjections, 95)
    t.equal(result.totalSaving, 7000000n)
    t.equal(result.overshoot, 0n)
  }
})

t.test(
  'when all cuts together fall short, then every cut is selected and the shortfall reported',
  async (t) => {
    for (const rule of [savingsMinObjection, savingsGreedy]) {
      const result = rule({ ...readmeInput(), target: 30000000n })
      t.same(result.selected, ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'])
      t.equal(result.targetReached, false)
      t.equal(result.shortfall, 6000000n)
      t.equal(result.overshoot, 0n)
      t.same(result.steps, [{ kind: 'target_unreachable', totalSaving: 24000000n, shortfall: 6000000n }])
    }
    const exact = savingsMinObjection({ ...readmeInput(), target: 24000000n })
    t.equal(exact.targetReached, true)
    t.equal(exact.selected.length, 6)
    const none = savingsGreedy({ cuts: [], target: 1n, ballots: [[]] })
    t.same(none.selected, [])
    t.equal(none.shortfall, 1n)
  },
)

t.test('when ballots carry weights, then objections count each ballot weight times', async (t) => {
  const result = savingsMinObjection({
    cuts: [
      { id: 'a', saving: 10n },
      { id: 'b', saving: 10n },
    ],
    target: 10n,
    ballots: [{ objections: ['a'], weight: 3 }, ['b', 'a'], { objections: [] }],
  })
  t.same(
    result.cuts.map((cut) => cut.objections),
    [4, 1],
  )
  t.same(result.selected, ['b'])
  t.equal(result.voters, 5)
})

t.test(
  'when selections tie on objections, cuts and overshoot, then the tie-break on sorted ids decides',
  async (t) => {
    const input: SavingsInput = {
      cuts: ['d', 'a', 'c', 'b'].map((id) => ({ id, saving: 5n })),
      target: 10n,
      ballots: [],
    }
    t.same(savingsMinObjection(input).selected, ['a', 'b'])
    t.same(savingsGreedy(input).selected, ['a', 'b'])
    const ranked = { ...input, tieBreak: orderFromRank(['c', 'd', 'b', 'a']) }
    t.same(savingsMinObjection(ranked).selected, ['c', 'd'])
    t.same(savingsGreedy(ranked).selected, ['c', 'd'])
    const fewer = savingsMinObjection({
      cuts: [
        { id: 'a', saving: 5n },
        { id: 'b', saving: 5n },
        { id: 'z', saving: 12n },
      ],
      target: 10n,
      ballots: [],
    })
    t.same(fewer.selected, ['z'], 'fewer cuts beat the id order')
    const overshoot = savingsMinObjection({
      cuts: [
        { id: 'a', saving: 12n },
        { id: 'b', saving: 11n },
      ],
      target: 10n,
      ballots: [],
    })
    t.same(overshoot.selected, ['b'], 'a smaller overshoot beats the id order')
  },
)

t.test('when the input is invalid, then a typed error names the field and ballot', async (t) => {
  const cuts: Cut[] = [{ id: 'a', saving: 1n }]
  t.match(
    errorOf(() => savingsGreedy({ cuts, target: 0n, ballots: [] })),
    { code: 'savings_target_not_positive', field: 'target' },
  )
  t.match(
    errorOf(() => savingsGreedy({ cuts: [...cuts, ...cuts], target: 1n, ballots: [] })),
    { code: 'savings_duplicate_cut', field: 'cuts[1].id' },
  )
  t.match(
    errorOf(() => savingsGreedy({ cuts: [{ id: 'a', saving: 0n }], target: 1n, ballots: [] })),
    { code: 'savings_saving_not_positive', field: 'cuts[0].saving' },
  )
  t.match(
    errorOf(() => savingsMinObjection({ cuts, target: 1n, ballots: [[], ['x']] })),
    { code: 'savings_unknown_cut', field: 'ballots[1]', ballotIndex: 1 },
  )
  t.match(
    errorOf(() => savingsMinObjection({ cuts, target: 1n, ballots: [['a', 'a']] })),
    { code: 'savings_duplicate_objection', ballotIndex: 0 },
  )
  t.match(
    errorOf(() => savingsMinObjection({ cuts, target: 1n, ballots: [{ objections: [], weight: 0 }] })),
    { code: 'savings_invalid_weight', field: 'ballots[0].weight' },
  )
  t.match(
    errorOf(() => savingsMinObjection({ cuts: [{ id: 'a', saving: 2n ** 53n }], target: 1n, ballots: [] })),
    { code: 'savings_amounts_too_large' },
  )
  const many = Array.from({ length: 40 }, (_, index) => ({ id: `c${index}`, saving: 1000n + BigInt(index) }))
  const limited = errorOf(() =>
    savingsMinObjection({ cuts: many, target: 20000n, ballots: [] }, { maxNodes: 10 }),
  )
  t.ok(limited instanceof SavingsError)
  t.match(limited, { code: 'savings_search_limit' })
})

interface Instance {
  readonly savings: bigint[]
  readonly objections: number[]
  readonly target: bigint
}

function toInput(instance: Instance, tieBreak?: KeyOrder): SavingsInput {
  const ballots: string[][] = []
  const maxObjections = Math.max(0, ...instance.objections)
  for (let voter = 0; voter < maxObjections + 1; voter++) {
    ballots.push(instance.objections.flatMap((count, index) => (voter < count ? [`c${index}`] : [])))
  }
  return {
    cuts: instance.savings.map((saving, index) => ({ id: `c${index}`, saving })),
    target: instance.target,
    ballots,
    ...(tieBreak ? { tieBreak } : {}),
  }
}

/** Every subset, compared by (objections, cuts, overshoot, sorted ids under the order). */
function bruteForce(input: SavingsInput, objections: number[]) {
  const order = input.tieBreak ?? compareCodePoints
  const n = input.cuts.length
  let best: { objections: number; ids: string[]; saving: bigint } | undefined
  for (let mask = 1; mask < 1 << n; mask++) {
    let saving = 0n
    let count = 0
    const ids: string[] = []
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        saving += input.cuts[i]!.saving
        count += objections[i]!
        ids.push(input.cuts[i]!.id)
      }
    }
    if (saving < input.target) continue
    ids.sort(order)
    const better =
      !best ||
      count < best.objections ||
      (count === best.objections &&
        (ids.length < best.ids.length ||
          (ids.length === best.ids.length &&
            (saving < best.saving ||
              (saving === best.saving &&
                order(
                  ids[ids.findIndex((id, k) => id !== best!.ids[k])]!,
                  best.ids[ids.findIndex((id, k) => id !== best!.ids[k])]!,
                ) < 0)))))
    if (better) best = { objections: count, ids, saving }
  }
  return best
}

const instanceArbitrary = fc
  .record({
    savings: fc.array(fc.oneof(fc.bigInt({ min: 1n, max: 30n }), fc.constantFrom(5n, 10n)), {
      minLength: 1,
      maxLength: 12,
    }),
    objections: fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(1)), {
      minLength: 12,
      maxLength: 12,
    }),
    targetPercent: fc.integer({ min: 1, max: 110 }),
  })
  .map(({ savings, objections, targetPercent }) => {
    const total = savings.reduce((a, b) => a + b, 0n)
    const target = (total * BigInt(targetPercent)) / 100n
    return { savings, objections: objections.slice(0, savings.length), target: target > 0n ? target : 1n }
  })

t.test(
  'when small random instances are solved, then minimum objection equals brute-force enumeration',
  async (t) => {
    fc.assert(
      fc.property(instanceArbitrary, fc.boolean(), (instance, reversed) => {
        const tieBreak: KeyOrder | undefined = reversed ? (a, b) => compareCodePoints(b, a) : undefined
        const input = toInput(instance, tieBreak)
        const result = savingsMinObjection(input)
        const expected = bruteForce(input, instance.objections)
        if (!expected) return !result.targetReached && result.selected.length === input.cuts.length
        return (
          result.totalObjections === expected.objections &&
          result.totalSaving === expected.saving &&
          JSON.stringify(result.selected) === JSON.stringify(expected.ids)
        )
      }),
      { numRuns: 1000 },
    )
    t.pass()
  },
)

t.test('when random instances are solved, then minimum objection is never worse than greedy', async (t) => {
  fc.assert(
    fc.property(instanceArbitrary, (instance) => {
      const input = toInput(instance)
      const exact = savingsMinObjection(input)
      const greedy = savingsGreedy(input)
      return (
        exact.targetReached === greedy.targetReached &&
        exact.totalObjections <= greedy.totalObjections &&
        (!greedy.targetReached || exact.totalSaving >= input.target)
      )
    }),
    { numRuns: 300 },
  )
  t.pass()
})

t.test(
  'when 200 cuts with savings up to 10^10 cents are counted, then the exact search finishes quickly',
  async (t) => {
    let seed = 12345
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const cuts = Array.from({ length: 200 }, (_, index) => ({
      id: `cut-${String(index).padStart(3, '0')}`,
      saving: BigInt(Math.floor(1e5 + random() * 1e10)),
    }))
    const ballots = Array.from({ length: 2000 }, () => cuts.filter(() => random() < 0.3).map((cut) => cut.id))
    const total = cuts.reduce((sum, cut) => sum + cut.saving, 0n)
    const input = { cuts, target: total / 4n, ballots }
    const started = performance.now()
    const exact = savingsMinObjection(input)
    const elapsed = performance.now() - started
    const greedy = savingsGreedy(input)
    t.ok(exact.targetReached)
    t.ok(exact.totalObjections <= greedy.totalObjections)
    t.ok(elapsed < 5000, `took ${elapsed.toFixed(0)} ms`)
  },
)
