import fc from 'fast-check'
import t from 'tap'
import { orderFromRank } from '../../src/counting/apportion.js'
import { Fraction } from '../../src/counting/fraction.js'
import {
  isSharesError,
  type SharesError,
  type SharesInput,
  type SharesOutcome,
  sharesIndependentMarkets,
  sharesMean,
} from '../../src/counting/shares.js'

const components = ['culture', 'sports', 'youth']

function errorOf(fn: () => unknown): SharesError | undefined {
  try {
    fn()
  } catch (error) {
    if (isSharesError(error)) return error
    throw error
  }
  return undefined
}

function summary(outcome: SharesOutcome) {
  return {
    tStar: outcome.tStar?.toString(),
    shares: outcome.components.map((component) => component.share.toString()),
    bps: outcome.components.map((component) => component.bps),
  }
}

const caseA: SharesInput = {
  components,
  ballots: [
    [10000, 0, 0],
    [0, 10000, 0],
    [0, 10000, 0],
  ],
  amount: 1000000n,
}
const caseB: SharesInput = {
  components,
  ballots: [
    [5000, 5000, 0],
    [0, 3000, 7000],
    [2000, 2000, 6000],
    [10000, 0, 0],
  ],
  amount: 1000000n,
}
const caseC: SharesInput = {
  components: ['culture', 'sports'],
  ballots: [
    [8000, 2000],
    [3000, 7000],
    [4000, 6000],
  ],
  amount: 1000000n,
}

t.test('when case A (single-minded) is counted, then both rules give 1/3, 2/3, 0', async (t) => {
  const markets = sharesIndependentMarkets(caseA)
  t.same(summary(markets), { tStar: '1/3', shares: ['1/3', '2/3', '0'], bps: [3333, 6667, 0] })
  t.same(
    markets.components.map((component) => component.amount),
    [333333n, 666667n, 0n],
  )
  t.equal(markets.voters, 3)
  t.same(summary(sharesMean(caseA)), { tStar: undefined, shares: ['1/3', '2/3', '0'], bps: [3333, 6667, 0] })
  t.same(
    sharesMean(caseA).components.map((component) => component.amount),
    [333333n, 666667n, 0n],
  )
})

t.test('when case B (mixed, 4 voters) is counted, then independent markets has t* = 7/40', async (t) => {
  const markets = sharesIndependentMarkets(caseB)
  t.same(summary(markets), { tStar: '7/40', shares: ['7/20', '3/10', '7/20'], bps: [3500, 3000, 3500] })
  t.same(
    markets.components.map((component) => component.amount),
    [350000n, 300000n, 350000n],
  )
  t.same(summary(sharesMean(caseB)), {
    tStar: undefined,
    shares: ['17/40', '1/4', '13/40'],
    bps: [4250, 2500, 3250],
  })
})

t.test(
  'when case C (exaggeration) is counted, then independent markets follows the middle voter',
  async (t) => {
    const markets = sharesIndependentMarkets(caseC)
    t.same(summary(markets), { tStar: '3/10', shares: ['2/5', '3/5'], bps: [4000, 6000] })
    t.same(
      markets.components.map((component) => component.median),
      [{ source: 'report' }, { source: 'report' }],
    )
    t.same(summary(sharesMean(caseC)), { tStar: undefined, shares: ['1/2', '1/2'], bps: [5000, 5000] })
  },
)

t.test('when floating point is switched off, then the README cases come out the same', async (t) => {
  for (const input of [caseA, caseB, caseC]) {
    t.same(
      summary(sharesIndependentMarkets(input, { floatBracket: false })),
      summary(sharesIndependentMarkets(input)),
    )
  }
})

t.test('when a median is a phantom, then the explanation names it', async (t) => {
  const markets = sharesIndependentMarkets(caseA)
  t.same(
    markets.components.map((component) => component.median),
    [{ source: 'phantom', phantom: 2 }, { source: 'phantom', phantom: 1 }, { source: 'report' }],
  )
})

t.test('when remainders tie, then the tie-break order of component ids decides', async (t) => {
  const input: SharesInput = {
    components: ['b', 'a', 'c'],
    ballots: [
      [10000, 0, 0],
      [0, 10000, 0],
      [0, 0, 10000],
    ],
    amount: 100n,
  }
  t.same(
    sharesMean(input).components.map((component) => [component.bps, component.amount]),
    [
      [3333, 33n],
      [3334, 34n],
      [3333, 33n],
    ],
  )
  const ranked = sharesIndependentMarkets({ ...input, tieBreak: orderFromRank(['c', 'b', 'a']) })
  t.same(
    ranked.components.map((component) => [component.bps, component.amount]),
    [
      [3333, 33n],
      [3333, 33n],
      [3334, 34n],
    ],
  )
})

t.test('when money is rounded, then it comes from the exact shares, not from the basis points', async (t) => {
  const outcome = sharesMean({
    components: ['x', 'y'],
    ballots: [
      [3333, 6667],
      [3334, 6666],
      [3334, 6666],
    ],
    amount: 1000000000n,
  })
  t.same(
    outcome.components.map((component) => component.share.toString()),
    ['10001/30000', '19999/30000'],
  )
  t.same(
    outcome.components.map((component) => component.amount),
    [333366667n, 666633333n],
  )
})

t.test('when ballots are invalid, then a typed error names the ballot and the problem', async (t) => {
  t.match(
    errorOf(() => sharesMean({ ...caseA, ballots: [[10000, 0]] })),
    { code: 'shares_ballot_length', field: 'ballots[0]', ballotIndex: 0 },
  )
  t.match(
    errorOf(() =>
      sharesIndependentMarkets({
        ...caseA,
        ballots: [
          [10000, 0, 0],
          [5000, 5000.5, -0.5],
        ],
      }),
    ),
    { code: 'shares_ballot_entry', field: 'ballots[1][1]', ballotIndex: 1 },
  )
  t.match(
    errorOf(() => sharesMean({ ...caseA, ballots: [[10001, -1, 0]] })),
    { code: 'shares_ballot_entry', field: 'ballots[0][0]' },
  )
  t.match(
    errorOf(() => sharesMean({ ...caseA, ballots: [[5000, 4000, 0]] })),
    { code: 'shares_ballot_sum', field: 'ballots[0]', ballotIndex: 0 },
  )
  t.match(
    errorOf(() => sharesMean({ ...caseA, ballots: [] })),
    { code: 'shares_no_ballots', field: 'ballots' },
  )
  t.match(
    errorOf(() => sharesMean({ ...caseA, components: [], ballots: [[]] })),
    { code: 'shares_no_components' },
  )
  t.match(
    errorOf(() => sharesMean({ ...caseA, components: ['a', 'b', 'a'] })),
    {
      code: 'shares_duplicate_component',
      field: 'components[2]',
    },
  )
  t.match(
    errorOf(() => sharesMean({ ...caseA, amount: -1n })),
    { code: 'shares_amount_negative', field: 'amount' },
  )
})

/** The README's definition taken literally: medians of 2n + 1 exact numbers, S linear between breakpoints v/l. */
function referenceMarkets(ballots: readonly (readonly number[])[]) {
  const n = ballots.length
  const m = ballots[0]!.length
  const q = ballots.map((ballot) => ballot.map((points) => Fraction.of(points, 10000)))
  const median = (j: number, time: Fraction) => {
    const values = q.map((row) => row[j]!)
    for (let k = 0; k <= n; k++) {
      const phantom = time.mul(Fraction.of(n - k))
      values.push(phantom.compare(Fraction.ONE) < 0 ? phantom : Fraction.ONE)
    }
    values.sort((x, y) => x.compare(y))
    return values[n]!
  }
  const total = (time: Fraction) => {
    let sum = Fraction.ZERO
    for (let j = 0; j < m; j++) sum = sum.add(median(j, time))
    return sum
  }
  const points = new Map<string, Fraction>()
  for (const value of [...new Set(ballots.flat()), 10000]) {
    for (let l = 1; l <= n; l++) {
      const point = Fraction.of(value, 10000 * l)
      if (point.compare(Fraction.ONE) <= 0) points.set(point.toString(), point)
    }
  }
  points.set('0', Fraction.ZERO)
  points.set('1', Fraction.ONE)
  const sorted = [...points.values()].sort((x, y) => x.compare(y))
  for (let k = 0; k + 1 < sorted.length; k++) {
    const left = sorted[k]!
    const right = sorted[k + 1]!
    const atLeft = total(left)
    const atRight = total(right)
    if (atLeft.compare(Fraction.ONE) < 0 && atRight.compare(Fraction.ONE) >= 0) {
      const tStar = left.add(Fraction.ONE.sub(atLeft).mul(right.sub(left)).div(atRight.sub(atLeft)))
      return { tStar, shares: Array.from({ length: m }, (_, j) => median(j, tStar)) }
    }
  }
  throw new Error('no crossing')
}

function ballotArbitrary(m: number, step: number) {
  return fc
    .array(fc.integer({ min: 0, max: 10000 / step }), { minLength: m - 1, maxLength: m - 1 })
    .map((cuts) => {
      const sorted = [0, ...cuts.map((cut) => cut * step).sort((a, b) => a - b), 10000]
      return sorted.slice(1).map((value, index) => value - sorted[index]!)
    })
}

const profileArbitrary = (maxVoters: number, step: number) =>
  fc
    .integer({ min: 1, max: 5 })
    .chain((m) => fc.array(ballotArbitrary(m, step), { minLength: 1, maxLength: maxVoters }))

t.test(
  'when small random profiles are counted, then independent markets equals the literal definition',
  async (t) => {
    fc.assert(
      fc.property(
        fc.oneof(profileArbitrary(6, 1), profileArbitrary(6, 1000)),
        fc.boolean(),
        (ballots, floatBracket) => {
          const outcome = sharesIndependentMarkets(
            { components: ballots[0]!.map((_, j) => `c${j}`), ballots, amount: 0n },
            { floatBracket },
          )
          const expected = referenceMarkets(ballots)
          return (
            outcome.tStar!.equals(expected.tStar) &&
            outcome.components.every((component, j) => component.share.equals(expected.shares[j]!))
          )
        },
      ),
      { numRuns: 300 },
    )
    t.pass()
  },
)

t.test('when random profiles are counted, then bps sum to 10000 and money to the amount', async (t) => {
  fc.assert(
    fc.property(
      fc.oneof(profileArbitrary(40, 1), profileArbitrary(40, 2500)),
      fc.bigInt({ min: 0n, max: 10n ** 12n }),
      (ballots, amount) => {
        const input = { components: ballots[0]!.map((_, j) => `c${j}`), ballots, amount }
        return [sharesMean(input), sharesIndependentMarkets(input)].every((outcome) => {
          const shareSum = outcome.components.reduce(
            (sum, component) => sum.add(component.share),
            Fraction.ZERO,
          )
          return (
            shareSum.equals(Fraction.ONE) &&
            outcome.components.reduce((sum, component) => sum + component.bps, 0) === 10000 &&
            outcome.components.reduce((sum, component) => sum + component.amount, 0n) === amount
          )
        })
      },
    ),
    { numRuns: 300 },
  )
  t.pass()
})

t.test(
  'when every voter is single-minded, then independent markets gives each component its voters’ fraction',
  async (t) => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((m) =>
            fc.tuple(
              fc.constant(m),
              fc.array(fc.integer({ min: 0, max: m - 1 }), { minLength: 1, maxLength: 60 }),
            ),
          ),
        ([m, favourites]) => {
          const ballots = favourites.map((favourite) =>
            Array.from({ length: m }, (_, j) => (j === favourite ? 10000 : 0)),
          )
          const outcome = sharesIndependentMarkets({
            components: Array.from({ length: m }, (_, j) => `c${j}`),
            ballots,
            amount: 1000n,
          })
          return outcome.components.every((component, j) =>
            component.share.equals(
              Fraction.of(favourites.filter((favourite) => favourite === j).length, favourites.length),
            ),
          )
        },
      ),
    )
    t.pass()
  },
)

function distance(outcome: SharesOutcome, ballot: readonly number[]) {
  return outcome.components.reduce((sum, component, j) => {
    const gap = component.share.sub(Fraction.of(ballot[j]!, 10000))
    return sum.add(gap.num < 0n ? Fraction.of(-gap.num, gap.den) : gap)
  }, Fraction.ZERO)
}

t.test(
  'when a voter misreports, then the outcome never moves closer to their true ballot (L1)',
  async (t) => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 4 })
          .chain((m) =>
            fc.tuple(
              fc.array(ballotArbitrary(m, 500), { minLength: 1, maxLength: 6 }),
              ballotArbitrary(m, 500),
              fc.nat(),
            ),
          ),
        ([ballots, misreport, who]) => {
          const voter = who % ballots.length
          const components = ballots[0]!.map((_, j) => `c${j}`)
          const truthful = sharesIndependentMarkets({ components, ballots, amount: 0n })
          const lied = sharesIndependentMarkets({
            components,
            ballots: ballots.map((ballot, i) => (i === voter ? misreport : ballot)),
            amount: 0n,
          })
          return distance(lied, ballots[voter]!).compare(distance(truthful, ballots[voter]!)) >= 0
        },
      ),
      { numRuns: 500 },
    )
    t.pass()
  },
)

t.test(
  'when 10,000 voters divide 20 components, then independent markets runs well under a second',
  async (t) => {
    let seed = 2024
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const m = 20
    const ballots = Array.from({ length: 10000 }, () => {
      const weights = Array.from({ length: m }, () => (random() < 0.4 ? 0 : random() ** 2))
      weights[Math.floor(random() * m)]! += 0.1
      const sum = weights.reduce((a, b) => a + b, 0)
      const points = weights.map((weight) => Math.floor((weight / sum) * 10000))
      points[0]! += 10000 - points.reduce((a, b) => a + b, 0)
      return points
    })
    const input = {
      components: Array.from({ length: m }, (_, j) => `sector-${j}`),
      ballots,
      amount: 123456789n,
    }
    const started = performance.now()
    const outcome = sharesIndependentMarkets(input)
    const elapsed = performance.now() - started
    t.ok(elapsed < 1000, `took ${elapsed.toFixed(1)} ms, t* = ${outcome.tStar}`)
    t.equal(
      outcome.components.reduce((sum, component) => sum + component.amount, 0n),
      123456789n,
    )
  },
)
