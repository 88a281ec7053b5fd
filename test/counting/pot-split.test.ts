import fc from 'fast-check'
import t from 'tap'
import {
  isPotSplitError,
  PotSplitError,
  type SplitIntoPotsInput,
  splitIntoPots,
} from '../../src/counting/pot-split.js'

function errorOf(input: SplitIntoPotsInput): PotSplitError | undefined {
  try {
    splitIntoPots(input)
  } catch (error) {
    if (isPotSplitError(error)) return error
    throw error
  }
  return undefined
}

const readmePopulations = [
  { area: 'A', population: 12000 },
  { area: 'B', population: 5000 },
  { area: 'C', population: 1500 },
  { area: 'D', population: 800 },
  { area: 'E', population: 700 },
]

t.test(
  'when 10000000 is split equally over A, B, C, then the pots are 3333334, 3333333, 3333333',
  async (t) => {
    const split = splitIntoPots({ total: 10000000n, method: 'equal', areas: ['A', 'B', 'C'] })
    t.same(
      split.pots.map((pot) => [pot.area, pot.amount]),
      [
        ['A', 3333334n],
        ['B', 3333333n],
        ['C', 3333333n],
      ],
    )
    t.equal(split.pots[0]!.exact.toString(), '10000000/3')
    t.equal(split.pots[0]!.share.toString(), '1/3')
    t.same(split.steps[0], { kind: 'equal', areas: 3, exactEach: '10000000/3' })
  },
)

t.test('when the README population example is split, then every step matches it', async (t) => {
  const split = splitIntoPots({
    total: 10000000n,
    method: 'population',
    floor: 1000000n,
    populations: readmePopulations,
  })
  t.same(split.steps, [
    {
      kind: 'population_round',
      round: 1,
      money: 10000000n,
      population: 20000n,
      shares: [
        { area: 'A', population: 12000n, exact: '6000000', belowFloor: false },
        { area: 'B', population: 5000n, exact: '2500000', belowFloor: false },
        { area: 'C', population: 1500n, exact: '750000', belowFloor: true },
        { area: 'D', population: 800n, exact: '400000', belowFloor: true },
        { area: 'E', population: 700n, exact: '350000', belowFloor: true },
      ],
      fixedAtFloor: ['C', 'D', 'E'],
    },
    {
      kind: 'population_round',
      round: 2,
      money: 7000000n,
      population: 17000n,
      shares: [
        { area: 'A', population: 12000n, exact: '84000000/17', belowFloor: false },
        { area: 'B', population: 5000n, exact: '35000000/17', belowFloor: false },
      ],
      fixedAtFloor: [],
    },
    {
      kind: 'rounding',
      total: 7000000n,
      lines: [
        {
          area: 'A',
          exact: '84000000/17',
          floor: 4941176n,
          remainder: '8/17',
          extraUnit: false,
          amount: 4941176n,
        },
        {
          area: 'B',
          exact: '35000000/17',
          floor: 2058823n,
          remainder: '9/17',
          extraUnit: true,
          amount: 2058824n,
        },
      ],
    },
  ])
  t.same(
    split.pots.map((pot) => [pot.area, pot.amount, pot.atFloor]),
    [
      ['A', 4941176n, false],
      ['B', 2058824n, false],
      ['C', 1000000n, true],
      ['D', 1000000n, true],
      ['E', 1000000n, true],
    ],
  )
  t.equal(
    split.pots.reduce((sum, pot) => sum + pot.amount, 0n),
    10000000n,
  )
})

t.test('when fixed amounts sum to the total, then they are the pots', async (t) => {
  const split = splitIntoPots({
    total: 100n,
    method: 'fixed',
    amounts: [
      { area: 'N', amount: 60n },
      { area: 'S', amount: 40n },
    ],
  })
  t.same(
    split.pots.map((pot) => pot.amount),
    [60n, 40n],
  )
  t.same(split.steps, [{ kind: 'fixed', sum: 100n }])
})

t.test('when fixed amounts do not sum to the total, then the error names the difference', async (t) => {
  const error = errorOf({
    total: 100n,
    method: 'fixed',
    amounts: [
      { area: 'N', amount: 70n },
      { area: 'S', amount: 40n },
    ],
  })
  t.match(error, { code: 'split_fixed_sum_mismatch', field: 'amounts', difference: 10n })
  t.ok(error instanceof PotSplitError)
  const short = errorOf({ total: 100n, method: 'fixed', amounts: [{ area: 'N', amount: 70n }] })
  t.match(short, { code: 'split_fixed_sum_mismatch', difference: -30n })
})

t.test('when a municipality-wide pot is given, then it is taken from the total first', async (t) => {
  const byAmount = splitIntoPots({
    total: 1000n,
    municipalityWide: { amount: 400n },
    method: 'equal',
    areas: ['A', 'B'],
  })
  t.same(byAmount.municipalityWide?.amount, 400n)
  t.same(
    byAmount.pots.map((pot) => pot.amount),
    [300n, 300n],
  )
  const byBps = splitIntoPots({
    total: 1001n,
    municipalityWide: { bps: 2500 },
    method: 'fixed',
    amounts: [{ area: 'A', amount: 751n }],
  })
  t.equal(byBps.municipalityWide?.exact.toString(), '1001/4')
  t.equal(byBps.municipalityWide?.amount, 250n)
  t.same(byBps.steps[0], { kind: 'municipality_wide', bps: 2500, exact: '1001/4', amount: 250n, left: 751n })
  const half = splitIntoPots({ total: 2n, municipalityWide: { bps: 2500 }, method: 'equal', areas: ['A'] })
  t.equal(half.municipalityWide?.amount, 1n, 'a half unit goes to the municipality-wide pot')
})

t.test('when the input is invalid, then a typed error names the field', async (t) => {
  t.match(errorOf({ total: -1n, method: 'equal', areas: ['A'] }), {
    code: 'split_total_negative',
    field: 'total',
  })
  t.match(errorOf({ total: 1n, method: 'equal', areas: [] }), { code: 'split_no_areas', field: 'areas' })
  t.match(errorOf({ total: 1n, method: 'equal', areas: ['A', 'A'] }), {
    code: 'split_duplicate_area',
    field: 'areas[1]',
  })
  t.match(
    errorOf({
      total: 1n,
      method: 'fixed',
      amounts: [
        { area: 'A', amount: 2n },
        { area: 'B', amount: -1n },
      ],
    }),
    { code: 'split_amount_negative', field: 'amounts[1].amount' },
  )
  t.match(
    errorOf({ total: 10n, method: 'population', floor: 4n, populations: readmePopulations.slice(0, 3) }),
    {
      code: 'split_floor_exceeds_total',
      field: 'floor',
    },
  )
  t.match(errorOf({ total: 10n, method: 'population', floor: -1n, populations: readmePopulations }), {
    code: 'split_floor_negative',
  })
  t.match(
    errorOf({ total: 10n, method: 'population', floor: 0n, populations: [{ area: 'A', population: 1.5 }] }),
    { code: 'split_population_invalid', field: 'populations[0].population' },
  )
  t.match(
    errorOf({ total: 10n, method: 'population', floor: 0n, populations: [{ area: 'A', population: -1n }] }),
    { code: 'split_population_invalid' },
  )
  t.match(
    errorOf({
      total: 10n,
      method: 'population',
      floor: 0n,
      populations: [
        { area: 'A', population: 0 },
        { area: 'B', population: 0n },
      ],
    }),
    { code: 'split_population_zero', field: 'populations' },
  )
  t.match(errorOf({ total: 10n, municipalityWide: { amount: 11n }, method: 'equal', areas: ['A'] }), {
    code: 'split_municipality_amount_out_of_range',
    field: 'municipalityWide.amount',
  })
  t.match(errorOf({ total: 10n, municipalityWide: { bps: 10001 }, method: 'equal', areas: ['A'] }), {
    code: 'split_municipality_bps_out_of_range',
    field: 'municipalityWide.bps',
  })
  t.match(errorOf({ total: 10n, municipalityWide: { bps: 1.5 }, method: 'equal', areas: ['A'] }), {
    code: 'split_municipality_bps_out_of_range',
  })
})

t.test(
  'when areas have no population and the floor takes all the money, then the split still sums',
  async (t) => {
    const split = splitIntoPots({
      total: 20n,
      method: 'population',
      floor: 10n,
      populations: [
        { area: 'A', population: 0 },
        { area: 'B', population: 0 },
      ],
    })
    t.same(
      split.pots.map((pot) => [pot.amount, pot.atFloor]),
      [
        [10n, true],
        [10n, true],
      ],
    )
    const zero = splitIntoPots({
      total: 0n,
      method: 'population',
      floor: 0n,
      populations: [{ area: 'A', population: 0 }],
    })
    t.same(zero.pots[0]!.amount, 0n)
    t.same(zero.pots[0]!.share.toString(), '0')
  },
)

t.test('when random population splits are made, then they sum to T and respect the floor', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 100000 }), { minLength: 1, maxLength: 10 }),
      fc.bigInt({ min: 0n, max: 10n ** 10n }),
      fc.integer({ min: 0, max: 100 }),
      fc.option(fc.integer({ min: 0, max: 10000 }), { nil: undefined }),
      (populations, total, floorPercent, bps) => {
        fc.pre(populations.some((population) => population > 0))
        const left = bps === undefined ? total : total - (total * BigInt(bps) + 5000n) / 10000n
        const floor = (left * BigInt(floorPercent)) / 100n / BigInt(populations.length)
        const split = splitIntoPots({
          total,
          ...(bps === undefined ? {} : { municipalityWide: { bps } }),
          method: 'population',
          floor,
          populations: populations.map((population, index) => ({ area: `a${index}`, population })),
        })
        const sum = split.pots.reduce((acc, pot) => acc + pot.amount, split.municipalityWide?.amount ?? 0n)
        return sum === total && split.pots.every((pot) => pot.amount >= floor)
      },
    ),
  )
  t.pass()
})

t.test('when random equal splits are made, then amounts differ by at most one and sum to T', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.bigInt({ min: 0n, max: 10n ** 15n }), (n, total) => {
      const split = splitIntoPots({
        total,
        method: 'equal',
        areas: Array.from({ length: n }, (_, index) => `area-${index}`),
      })
      const amounts = split.pots.map((pot) => pot.amount)
      const base = total / BigInt(n)
      return (
        amounts.reduce((a, b) => a + b, 0n) === total &&
        amounts.every((amount) => amount === base || amount === base + 1n)
      )
    }),
  )
  t.pass()
})
