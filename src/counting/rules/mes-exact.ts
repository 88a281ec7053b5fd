/** Small exact helpers over bigint used by the MES engine. */

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a
  let y = b < 0n ? -b : b
  while (y !== 0n) {
    const t = x % y
    x = y
    y = t
  }
  return x
}

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
