import { gcd } from './profile.js'

/**
 * Exact rational numbers over bigint, always normalized: the denominator is positive and
 * coprime with the numerator, so equal values have equal fields and `toString` is canonical.
 * JSON serialization gives the ExactString form ("42", "7/40").
 */
export class Fraction {
  static readonly ZERO = new Fraction(0n, 1n)
  static readonly ONE = new Fraction(1n, 1n)

  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  static of(num: bigint | number, den: bigint | number = 1n): Fraction {
    let n = BigInt(num)
    let d = BigInt(den)
    if (d === 0n) throw new RangeError('Fraction with a zero denominator')
    if (d < 0n) {
      n = -n
      d = -d
    }
    const g = gcd(n < 0n ? -n : n, d)
    return g === 1n ? new Fraction(n, d) : new Fraction(n / g, d / g)
  }

  add(other: Fraction): Fraction {
    if (this.den === other.den) return Fraction.of(this.num + other.num, this.den)
    return Fraction.of(this.num * other.den + other.num * this.den, this.den * other.den)
  }

  sub(other: Fraction): Fraction {
    if (this.den === other.den) return Fraction.of(this.num - other.num, this.den)
    return Fraction.of(this.num * other.den - other.num * this.den, this.den * other.den)
  }

  mul(other: Fraction): Fraction {
    return Fraction.of(this.num * other.num, this.den * other.den)
  }

  div(other: Fraction): Fraction {
    if (other.num === 0n) throw new RangeError('Fraction division by zero')
    return Fraction.of(this.num * other.den, this.den * other.num)
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  compare(other: Fraction): -1 | 0 | 1 {
    const left = this.num * other.den
    const right = other.num * this.den
    return left < right ? -1 : left > right ? 1 : 0
  }

  equals(other: Fraction): boolean {
    return this.num === other.num && this.den === other.den
  }

  /** The largest integer not above this value (bigint division truncates towards zero). */
  floor(): bigint {
    const q = this.num / this.den
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q
  }

  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`
  }

  toJSON(): string {
    return this.toString()
  }
}
