/** Small exact helpers over bigint used by the MES engine. */
import { gcd } from '../profile.js'

function bitLength(x: bigint): number {
  return (x < 0n ? -x : x).toString(16).length * 4
}

/** num / den as the nearest-ish double (relative error below 2^-50), for den > 0. */
export function ratio(num: bigint, den: bigint): number {
  const a = Number(num)
  const b = Number(den)
  if (Number.isFinite(a) && Number.isFinite(b) && b !== 0) return a / b
  const shift = BigInt(Math.max(bitLength(num), bitLength(den)) - 900)
  return Number(num >> shift) / Number(den >> shift)
}

/** The canonical ExactString of num / den ("42", "7/40"), den > 0. */
export function fractionString(num: bigint, den: bigint): string {
  const g = gcd(num, den)
  const n = g > 1n ? num / g : num
  const d = g > 1n ? den / g : den
  return d === 1n ? n.toString() : `${n}/${d}`
}
