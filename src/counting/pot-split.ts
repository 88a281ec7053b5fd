/**
 * Splitting a round's money into area pots (method `area`), exactly in minor units.
 *
 * `splitIntoPots(input)` takes the total T (bigint minor units), an optional municipality-wide
 * pot taken from T first, and one of three splits of what is left:
 * - `fixed`: `amounts` per area, which must sum to what is left;
 * - `equal`: the listed `areas` share it equally;
 * - `population`: in proportion to `populations`, with a minimum guarantee `floor` per area (an
 *   area whose proportional share falls below the floor is fixed at exactly the floor and leaves;
 *   the rest is re-divided among the others, until no share is below the floor).
 * Exact amounts are rounded by largest remainder, ties by area code in code-point order, so the
 * pots always sum to exactly T. The result lists each pot (in input order) with its exact amount
 * and share of T, and the steps taken, for finance to check. Invalid input throws a
 * PotSplitError with a stable `code` and the offending `field` (a path into the input).
 * Definition and worked examples: shared/rules/README.md, "Splitting a total into area pots".
 */
import { apportion, compareCodePoints } from './apportion.js'
import { Fraction } from './fraction.js'
import type { ExactString } from './types.js'

export interface AreaAmount {
  readonly area: string
  readonly amount: bigint
}

export interface AreaPopulation {
  readonly area: string
  /** Residents in the year the round names; a non-negative integer. */
  readonly population: bigint | number
}

/** A municipality-wide pot: a fixed amount, or a share of T in basis points (an integer 0..10000). */
export type MunicipalityWidePot = { readonly amount: bigint } | { readonly bps: number }

export type SplitIntoPotsInput = {
  /** T, in minor units. */
  readonly total: bigint
  readonly municipalityWide?: MunicipalityWidePot
} & (
  | { readonly method: 'fixed'; readonly amounts: readonly AreaAmount[] }
  | { readonly method: 'equal'; readonly areas: readonly string[] }
  | { readonly method: 'population'; readonly floor: bigint; readonly populations: readonly AreaPopulation[] }
)

export interface AreaPot {
  readonly area: string
  readonly amount: bigint
  /** The exact amount before rounding. */
  readonly exact: Fraction
  /** exact / T (zero when T is zero). */
  readonly share: Fraction
  /** Population split only: the area was fixed at the floor. */
  readonly atFloor: boolean
}

export interface RoundingLine {
  readonly area: string
  readonly exact: ExactString
  readonly floor: bigint
  readonly remainder: ExactString
  readonly extraUnit: boolean
  readonly amount: bigint
}

export type PotSplitStep =
  | {
      readonly kind: 'municipality_wide'
      readonly bps: number | null
      readonly exact: ExactString
      readonly amount: bigint
      readonly left: bigint
    }
  | { readonly kind: 'fixed'; readonly sum: bigint }
  | { readonly kind: 'equal'; readonly areas: number; readonly exactEach: ExactString }
  | {
      readonly kind: 'population_round'
      /** 1, 2, … */
      readonly round: number
      /** Money not yet fixed, divided among the remaining areas in this round. */
      readonly money: bigint
      readonly population: bigint
      readonly shares: readonly {
        readonly area: string
        readonly population: bigint
        readonly exact: ExactString
        readonly belowFloor: boolean
      }[]
      readonly fixedAtFloor: readonly string[]
    }
  | { readonly kind: 'rounding'; readonly total: bigint; readonly lines: readonly RoundingLine[] }

export interface PotSplit {
  readonly total: bigint
  readonly method: SplitIntoPotsInput['method']
  readonly municipalityWide: { readonly amount: bigint; readonly exact: Fraction } | null
  /** One per area, in input order. */
  readonly pots: readonly AreaPot[]
  readonly steps: readonly PotSplitStep[]
}

export type PotSplitErrorCode =
  | 'split_total_negative'
  | 'split_no_areas'
  | 'split_duplicate_area'
  | 'split_amount_negative'
  | 'split_fixed_sum_mismatch'
  | 'split_population_invalid'
  | 'split_population_zero'
  | 'split_floor_negative'
  | 'split_floor_exceeds_total'
  | 'split_municipality_amount_out_of_range'
  | 'split_municipality_bps_out_of_range'

export class PotSplitError extends Error {
  override readonly name = 'PotSplitError'

  constructor(
    readonly code: PotSplitErrorCode,
    /** Path of the offending input field, e.g. `amounts` or `populations[2].population`. */
    readonly field: string,
    message: string,
    /** `split_fixed_sum_mismatch`: Σ amounts − money to split (positive when the amounts exceed it). */
    readonly difference?: bigint,
  ) {
    super(message)
  }
}

export function isPotSplitError(error: unknown): error is PotSplitError {
  return error instanceof PotSplitError
}

export function splitIntoPots(input: SplitIntoPotsInput): PotSplit {
  const total = input.total
  if (total < 0n) throw new PotSplitError('split_total_negative', 'total', 'the total is negative')
  const steps: PotSplitStep[] = []

  let municipalityWide: PotSplit['municipalityWide'] = null
  let left = total
  if (input.municipalityWide !== undefined) {
    municipalityWide = takeMunicipalityWide(input.municipalityWide, total)
    left = total - municipalityWide.amount
    steps.push({
      kind: 'municipality_wide',
      bps: 'bps' in input.municipalityWide ? input.municipalityWide.bps : null,
      exact: municipalityWide.exact.toString(),
      amount: municipalityWide.amount,
      left,
    })
  }

  let lines: { area: string; exact: Fraction; atFloor: boolean; amount?: bigint }[]
  switch (input.method) {
    case 'fixed':
      lines = splitFixed(input.amounts, left, steps)
      break
    case 'equal':
      lines = splitEqual(input.areas, left, steps)
      break
    case 'population':
      lines = splitByPopulation(input.populations, input.floor, left, steps)
      break
  }

  const toRound = lines.filter((line) => line.amount === undefined)
  const roundedTotal = left - lines.reduce((sum, line) => sum + (line.amount ?? 0n), 0n)
  if (toRound.length > 0) {
    const rounded = apportion(
      toRound.map((line) => ({ key: line.area, weight: line.exact })),
      roundedTotal,
      compareCodePoints,
    )
    rounded.forEach((item, index) => {
      toRound[index]!.amount = item.amount
    })
    steps.push({
      kind: 'rounding',
      total: roundedTotal,
      lines: rounded.map((item) => ({
        area: item.key,
        exact: item.quota.toString(),
        floor: item.floor,
        remainder: item.remainder.toString(),
        extraUnit: item.extraUnit,
        amount: item.amount,
      })),
    })
  }

  const totalFraction = Fraction.of(total)
  return {
    total,
    method: input.method,
    municipalityWide,
    pots: lines.map((line) => ({
      area: line.area,
      amount: line.amount!,
      exact: line.exact,
      share: total === 0n ? Fraction.ZERO : line.exact.div(totalFraction),
      atFloor: line.atFloor,
    })),
    steps,
  }
}

/** Rounded to the nearest unit, halves to the municipality-wide pot: largest remainder over the two parts. */
function takeMunicipalityWide(pot: MunicipalityWidePot, total: bigint) {
  if ('amount' in pot) {
    if (pot.amount < 0n || pot.amount > total) {
      throw new PotSplitError(
        'split_municipality_amount_out_of_range',
        'municipalityWide.amount',
        `the municipality-wide amount must lie between 0 and the total ${total}`,
      )
    }
    return { amount: pot.amount, exact: Fraction.of(pot.amount) }
  }
  if (!Number.isInteger(pot.bps) || pot.bps < 0 || pot.bps > 10000) {
    throw new PotSplitError(
      'split_municipality_bps_out_of_range',
      'municipalityWide.bps',
      'the municipality-wide share must be an integer number of basis points between 0 and 10000',
    )
  }
  const exact = Fraction.of(total * BigInt(pot.bps), 10000n)
  const floor = exact.floor()
  const amount = exact.sub(Fraction.of(floor)).compare(Fraction.of(1n, 2n)) >= 0 ? floor + 1n : floor
  return { amount, exact }
}

function checkAreaCodes(codes: readonly string[], listField: string, suffix: string): void {
  if (codes.length === 0) throw new PotSplitError('split_no_areas', listField, 'no areas to split into')
  const seen = new Set<string>()
  codes.forEach((code, index) => {
    if (seen.has(code)) {
      throw new PotSplitError(
        'split_duplicate_area',
        `${listField}[${index}]${suffix}`,
        `area ${code} is listed twice`,
      )
    }
    seen.add(code)
  })
}

function splitFixed(amounts: readonly AreaAmount[], left: bigint, steps: PotSplitStep[]) {
  checkAreaCodes(
    amounts.map((entry) => entry.area),
    'amounts',
    '.area',
  )
  let sum = 0n
  amounts.forEach((entry, index) => {
    if (entry.amount < 0n) {
      throw new PotSplitError('split_amount_negative', `amounts[${index}].amount`, 'an amount is negative')
    }
    sum += entry.amount
  })
  if (sum !== left) {
    const difference = sum - left
    throw new PotSplitError(
      'split_fixed_sum_mismatch',
      'amounts',
      `the amounts sum to ${sum}, ${difference > 0n ? difference : -difference} ${difference > 0n ? 'more' : 'less'} than the ${left} to split`,
      difference,
    )
  }
  steps.push({ kind: 'fixed', sum })
  return amounts.map((entry) => ({
    area: entry.area,
    exact: Fraction.of(entry.amount),
    atFloor: false,
    amount: entry.amount,
  }))
}

function splitEqual(areas: readonly string[], left: bigint, steps: PotSplitStep[]) {
  checkAreaCodes(areas, 'areas', '')
  const each = Fraction.of(left, areas.length)
  steps.push({ kind: 'equal', areas: areas.length, exactEach: each.toString() })
  return areas.map((area) => ({ area, exact: each, atFloor: false }))
}

function splitByPopulation(
  populations: readonly AreaPopulation[],
  floor: bigint,
  left: bigint,
  steps: PotSplitStep[],
) {
  checkAreaCodes(
    populations.map((entry) => entry.area),
    'populations',
    '.area',
  )
  const people = populations.map((entry, index) => {
    const population = entry.population
    const valid =
      typeof population === 'bigint' ? population >= 0n : Number.isSafeInteger(population) && population >= 0
    if (!valid) {
      throw new PotSplitError(
        'split_population_invalid',
        `populations[${index}].population`,
        'a population must be a non-negative integer',
      )
    }
    return BigInt(population)
  })
  if (floor < 0n) throw new PotSplitError('split_floor_negative', 'floor', 'the floor is negative')
  const guaranteed = floor * BigInt(populations.length)
  if (guaranteed > left) {
    throw new PotSplitError(
      'split_floor_exceeds_total',
      'floor',
      `${populations.length} areas × floor ${floor} = ${guaranteed} exceeds the ${left} to split`,
    )
  }

  const floorFraction = Fraction.of(floor)
  const atFloor = new Array<boolean>(populations.length).fill(false)
  let remaining = populations.map((_, index) => index)
  let money = left
  let exact: Fraction[] = []
  for (let round = 1; ; round++) {
    const population = remaining.reduce((sum, index) => sum + people[index]!, 0n)
    if (population === 0n) {
      // Shares of no one are undefined; only the floor itself can then be given out.
      if (money !== floor * BigInt(remaining.length)) {
        throw new PotSplitError(
          'split_population_zero',
          'populations',
          'the areas left to share the money have no population',
        )
      }
      steps.push({
        kind: 'population_round',
        round,
        money,
        population,
        shares: remaining.map((index) => ({
          area: populations[index]!.area,
          population: 0n,
          exact: floorFraction.toString(),
          belowFloor: false,
        })),
        fixedAtFloor: remaining.map((index) => populations[index]!.area),
      })
      for (const index of remaining) atFloor[index] = true
      exact = populations.map(() => floorFraction)
      break
    }
    const shares = remaining.map((index) => Fraction.of(money * people[index]!, population))
    const below = remaining.filter((_, position) => shares[position]!.compare(floorFraction) < 0)
    steps.push({
      kind: 'population_round',
      round,
      money,
      population,
      shares: remaining.map((index, position) => ({
        area: populations[index]!.area,
        population: people[index]!,
        exact: shares[position]!.toString(),
        belowFloor: shares[position]!.compare(floorFraction) < 0,
      })),
      fixedAtFloor: below.map((index) => populations[index]!.area),
    })
    if (below.length === 0) {
      exact = populations.map((_, index) => (atFloor[index] ? floorFraction : Fraction.ZERO))
      remaining.forEach((index, position) => {
        exact[index] = shares[position]!
      })
      break
    }
    // At least one area stays: money ≥ |remaining| × floor holds throughout, so not all can be below it.
    for (const index of below) atFloor[index] = true
    money -= floor * BigInt(below.length)
    remaining = remaining.filter((index) => !atFloor[index])
  }

  return populations.map((entry, index) => ({
    area: entry.area,
    exact: exact[index]!,
    atFloor: atFloor[index]!,
    ...(atFloor[index] ? { amount: floor } : {}),
  }))
}
