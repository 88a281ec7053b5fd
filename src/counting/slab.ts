/**
 * Typed arrays carved out of one buffer, sized up front (element counts per type) and taken
 * largest elements first, so that every view is aligned: one backing store instead of one per
 * array. On small elections a MES run or profile takes a few µs, and a backing store costs 1–2 µs
 * to make (with its share of GC): buffers of small slabs are also reused (release, retire), which
 * halved a MES count of the smallest files (Pole Mokotowskie mes_cost 7 µs → 3.7).
 */
export class Slab {
  private buf: ArrayBuffer
  private at = 0
  /** Bytes this slab may carve: a reused buffer can be longer, and a miscount must still throw. */
  private readonly end: number
  constructor(f64: number, i32: number, u8: number) {
    this.end = 8 * f64 + 4 * i32 + u8
    this.buf = take(this.end)
  }
  f64(n: number): Float64Array<ArrayBuffer> {
    const a = new Float64Array(this.buf, this.at, n)
    this.carve(8 * n)
    return a
  }
  i32(n: number): Int32Array<ArrayBuffer> {
    const a = new Int32Array(this.buf, this.at, n)
    this.carve(4 * n)
    return a
  }
  u8(n: number): Uint8Array<ArrayBuffer> {
    const a = new Uint8Array(this.buf, this.at, n)
    this.carve(n)
    return a
  }
  /** Gives the buffer back for the next slabs at once: no view taken from this slab may be used again. */
  release(): void {
    give(this.buf)
    this.buf = NO_BUFFER
  }
  /**
   * Gives the buffer back once no count is running (recycleSlabs): for slabs of cached figures
   * dropped by the cache, which the count that dropped them cannot be using, but which the rule
   * of a count in progress might still hold if a future caller nested counts.
   */
  retire(): void {
    if (retired.length < POOL_SIZE && this.buf.byteLength <= POOL_MAX_BYTES) retired.push(this.buf)
    this.buf = NO_BUFFER
  }
  private carve(bytes: number): void {
    this.at += bytes
    if (this.at > this.end) throw new RangeError(`slab overrun: ${this.at} of ${this.end} bytes`)
  }
}

/** Buffers kept for reuse: a few small ones (a count of a small election makes two to four slabs). */
const POOL_SIZE = 8
const POOL_MAX_BYTES = 1 << 16
const pool: ArrayBuffer[] = []
const retired: ArrayBuffer[] = []
const NO_BUFFER = new ArrayBuffer(0)

/** The smallest pooled buffer of at least `bytes`, zeroed up to them, or a new one (rounded up to a power of two when small). */
function take(bytes: number): ArrayBuffer {
  let best = -1
  for (let i = 0; i < pool.length; i++) {
    const length = pool[i]!.byteLength
    if (length >= bytes && (best < 0 || length < pool[best]!.byteLength)) best = i
  }
  if (best < 0)
    return new ArrayBuffer(bytes > POOL_MAX_BYTES ? bytes : Math.max(256, 2 ** Math.ceil(Math.log2(bytes))))
  const buffer = pool[best]!
  pool[best] = pool[pool.length - 1]!
  pool.pop()
  new Uint8Array(buffer, 0, bytes).fill(0)
  return buffer
}

function give(buffer: ArrayBuffer): void {
  if (buffer.byteLength > 0 && buffer.byteLength <= POOL_MAX_BYTES && pool.length < POOL_SIZE)
    pool.push(buffer)
}

/** Makes the retired slabs' buffers reusable: count() calls it when no count is running any more. */
export function recycleSlabs(): void {
  for (const buffer of retired) give(buffer)
  retired.length = 0
}
