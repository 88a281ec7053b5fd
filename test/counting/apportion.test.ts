import fc from 'fast-check'
import t from 'tap'
import { ApportionError, apportion, compareCodePoints, orderFromRank } from '../../src/counting/apportion.js'
import { Fraction } from '../../src/counting/fraction.js'

t.test('when three equal weights share 10000000, then the first code gets the extra unit', async (t) => {
  const result = apportion(
    ['C', 'A', 'B'].map((key) => ({ key, weight: 1n })),
    10000000n,
  )
  t.same(
    result.map((item) => [item.key, item.amount, item.extraUnit]),
    [
      ['C', 3333333n, false],
      ['A', 3333334n, true],
      ['B', 3333333n, false],
    ],
  )
  t.equal(result[0]!.quota.toString(), '10000000/3')
  t.equal(result[0]!.remainder.toString(), '1/3')
})

t.test('when shares are apportioned to basis points, then the largest remainder wins', async (t) => {
  const result = apportion(
    [
      { key: 'a', weight: Fraction.of(1n, 3n) },
      { key: 'b', weight: Fraction.of(2n, 3n) },
      { key: 'c', weight: 0n },
    ],
    10000n,
  )
  t.same(
    result.map((item) => item.amount),
    [3333n, 6667n, 0n],
  )
})

t.test('when a rank is supplied, then it breaks ties instead of code-point order', async (t) => {
  const result = apportion(
    ['a', 'b', 'c'].map((key) => ({ key, weight: 1n })),
    2n,
    orderFromRank(['c', 'b', 'a']),
  )
  t.same(
    result.map((item) => item.amount),
    [0n, 1n, 1n],
  )
})

t.test('when ids contain astral characters, then ties follow code points, not UTF-16 units', async (t) => {
  t.ok(compareCodePoints('\u{1F600}', '\uFF61') > 0)
  t.ok(compareCodePoints('\uFF61', '\u{1F600}') < 0)
  t.ok('\u{1F600}' < '\uFF61')
  t.ok(compareCodePoints('a', 'ab') < 0)
  t.equal(compareCodePoints('x', 'x'), 0)
})

t.test('when the input is invalid, then a typed error names the problem', async (t) => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn()
    } catch (error) {
      return error instanceof ApportionError ? error.code : 'other'
    }
    return 'none'
  }
  t.equal(
    codeOf(() => apportion([{ key: 'a', weight: 1n }], -1n)),
    'apportion_negative_total',
  )
  t.equal(
    codeOf(() => apportion([{ key: 'a', weight: -1n }], 1n)),
    'apportion_negative_weight',
  )
  t.equal(
    codeOf(() => apportion([{ key: 'a', weight: 0n }], 1n)),
    'apportion_zero_weights',
  )
  t.equal(
    codeOf(() =>
      apportion(
        [
          { key: 'a', weight: 1n },
          { key: 'a', weight: 1n },
        ],
        1n,
      ),
    ),
    'apportion_duplicate_key',
  )
  t.equal(
    codeOf(() =>
      apportion(
        [
          { key: 'a', weight: 1n },
          { key: 'b', weight: 1n },
        ],
        1n,
        orderFromRank(['a']),
      ),
    ),
    'apportion_key_not_ranked',
  )
  t.same(apportion([{ key: 'a', weight: 0n }], 0n)[0]!.amount, 0n)
})

t.test(
  'when random weights are apportioned, then the amounts sum to the total and stay within one of the quota',
  async (t) => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { minLength: 1, maxLength: 12 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (weights, total) => {
          fc.pre(weights.some((weight) => weight > 0n))
          const result = apportion(
            weights.map((weight, index) => ({ key: `k${index}`, weight })),
            total,
          )
          const sum = result.reduce((acc, item) => acc + item.amount, 0n)
          return (
            sum === total &&
            result.every((item) => item.amount === item.floor || item.amount === item.floor + 1n) &&
            result.every((item) => item.quota.compare(Fraction.of(item.amount + 1n)) < 0)
          )
        },
      ),
    )
    t.pass()
  },
)
