import fc from 'fast-check'
import t from 'tap'
import { Fraction } from '../../src/counting/fraction.js'
import { gcd, gcdOfSafe } from '../../src/counting/profile.js'

t.test('when a fraction is built, then it is normalized with a positive denominator', async (t) => {
  t.equal(Fraction.of(6n, -8n).toString(), '-3/4')
  t.equal(Fraction.of(0n, -5n).toString(), '0')
  t.equal(Fraction.of(10, 5).toString(), '2')
  t.equal(JSON.stringify({ x: Fraction.of(7n, 40n) }), '{"x":"7/40"}')
  t.throws(() => Fraction.of(1n, 0n), RangeError)
})

t.test('when fractions are combined, then the results are exact', async (t) => {
  const a = Fraction.of(1n, 3n)
  const b = Fraction.of(1n, 6n)
  t.equal(a.add(b).toString(), '1/2')
  t.equal(a.sub(b).toString(), '1/6')
  t.equal(a.mul(b).toString(), '1/18')
  t.equal(a.div(b).toString(), '2')
  t.equal(a.compare(b), 1)
  t.equal(b.compare(a), -1)
  t.equal(a.compare(Fraction.of(2n, 6n)), 0)
  t.ok(a.equals(Fraction.of(3n, 9n)))
  t.throws(() => a.div(Fraction.ZERO), RangeError)
})

t.test('when a fraction is floored, then it rounds towards minus infinity', async (t) => {
  t.equal(Fraction.of(7n, 2n).floor(), 3n)
  t.equal(Fraction.of(-7n, 2n).floor(), -4n)
  t.equal(Fraction.of(-6n, 2n).floor(), -3n)
  t.equal(Fraction.ZERO.floor(), 0n)
})

t.test('when random fractions are floored, then floor ≤ x < floor + 1', async (t) => {
  fc.assert(
    fc.property(fc.bigInt(), fc.bigInt({ min: 1n, max: 10n ** 12n }), (n, d) => {
      const x = Fraction.of(n, d)
      const f = Fraction.of(x.floor())
      return f.compare(x) <= 0 && x.compare(f.add(Fraction.ONE)) < 0
    }),
  )
  t.pass()
})

t.test('when gcds of safe integers are taken in doubles, then they equal the BigInt gcd', async () => {
  // Both sides of 2^31, where gcdOfSafe switches from doubles to int32.
  const safe = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 31 + 5 }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER),
  )
  fc.assert(
    fc.property(safe, safe, fc.integer({ min: 1, max: 2 ** 20 }), (a, b, m) => {
      // Also with a common factor, so that the gcd is not almost always 1.
      const x = Math.min(a * m, Number.MAX_SAFE_INTEGER)
      const y = Math.min(b * m, Number.MAX_SAFE_INTEGER)
      return (
        gcdOfSafe(x, y) === Number(gcd(BigInt(x), BigInt(y))) &&
        gcdOfSafe(a, b) === Number(gcd(BigInt(a), BigInt(b)))
      )
    }),
    { numRuns: 2000 },
  )
})
