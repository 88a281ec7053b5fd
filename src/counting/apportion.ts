/**
 * Largest-remainder rounding (Hamilton's method): exact quotas total × w / Σw are floored, and
 * the units still missing go one by one to the largest fractional parts; ties go to the key that
 * comes first in the given order. The integers always sum exactly to the total. Used for basis
 * points (total 10000) and for money (total in minor units).
 */
import { Fraction } from './fraction.js'

/** A total order on keys (ids, area codes): negative when `a` comes first. */
export type KeyOrder = (a: string, b: string) => number

/** Code-point order, the default tie-break on ids (`<` on strings compares UTF-16 units instead). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const surrogateX = x >= 0xd800 && x <= 0xdfff
    const surrogateY = y >= 0xd800 && y <= 0xdfff
    if (surrogateX === surrogateY) return x - y
    // A surrogate stands for a code point above U+FFFF, so it sorts after every other unit.
    return surrogateX ? 1 : -1
  }
  return a.length - b.length
}

/** The order given by a ranking: keys earlier in `ranked` come first. Every key compared must be ranked. */
export function orderFromRank(ranked: readonly string[]): KeyOrder {
  const position = new Map<string, number>()
  ranked.forEach((key, index) => {
    if (!position.has(key)) position.set(key, index)
  })
  return (a, b) => {
    const x = position.get(a)
    const y = position.get(b)
    if (x === undefined || y === undefined) {
      throw new ApportionError(
        'apportion_key_not_ranked',
        'rank',
        `key ${x === undefined ? a : b} is not ranked`,
      )
    }
    return x - y
  }
}

export type ApportionErrorCode =
  | 'apportion_negative_total'
  | 'apportion_negative_weight'
  | 'apportion_zero_weights'
  | 'apportion_duplicate_key'
  | 'apportion_key_not_ranked'

export class ApportionError extends Error {
  override readonly name = 'ApportionError'

  constructor(
    readonly code: ApportionErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

export interface ApportionItem {
  readonly key: string
  /** Any non-negative exact weight: a share, an exact amount, a population. */
  readonly weight: Fraction | bigint
}

export interface ApportionedItem {
  readonly key: string
  /** The exact amount total × weight / Σ weights. */
  readonly quota: Fraction
  readonly floor: bigint
  /** quota − floor, in [0, 1). */
  readonly remainder: Fraction
  /** Whether this item received one of the missing units. */
  readonly extraUnit: boolean
  /** floor + (extraUnit ? 1 : 0). */
  readonly amount: bigint
}

/** Integers proportional to the weights and summing exactly to `total`, in the order of `items`. */
export function apportion(
  items: readonly ApportionItem[],
  total: bigint,
  order: KeyOrder = compareCodePoints,
): ApportionedItem[] {
  if (total < 0n) throw new ApportionError('apportion_negative_total', 'total', 'the total is negative')
  const keys = new Set<string>()
  let weightSum = Fraction.ZERO
  const weights = items.map((item, index) => {
    if (keys.has(item.key)) {
      throw new ApportionError('apportion_duplicate_key', `items[${index}].key`, `duplicate key ${item.key}`)
    }
    keys.add(item.key)
    const weight = typeof item.weight === 'bigint' ? Fraction.of(item.weight) : item.weight
    if (weight.num < 0n) {
      throw new ApportionError('apportion_negative_weight', `items[${index}].weight`, 'negative weight')
    }
    weightSum = weightSum.add(weight)
    return weight
  })
  if (weightSum.num === 0n) {
    if (total !== 0n) throw new ApportionError('apportion_zero_weights', 'items', 'no weight to apportion by')
    return items.map((item) => ({
      key: item.key,
      quota: Fraction.ZERO,
      floor: 0n,
      remainder: Fraction.ZERO,
      extraUnit: false,
      amount: 0n,
    }))
  }

  const scale = Fraction.of(total).div(weightSum)
  const quotas = weights.map((weight) => weight.mul(scale))
  const floors = quotas.map((quota) => quota.floor())
  const remainders = quotas.map((quota, index) => quota.sub(Fraction.of(floors[index]!)))
  const missing = floors.reduce((sum, floor) => sum - floor, total)

  const byRemainder = items.map((_, index) => index)
  byRemainder.sort((a, b) => remainders[b]!.compare(remainders[a]!) || order(items[a]!.key, items[b]!.key))
  const extra = new Set(byRemainder.slice(0, Number(missing)))

  return items.map((item, index) => ({
    key: item.key,
    quota: quotas[index]!,
    floor: floors[index]!,
    remainder: remainders[index]!,
    extraUnit: extra.has(index),
    amount: floors[index]! + (extra.has(index) ? 1n : 0n),
  }))
}
