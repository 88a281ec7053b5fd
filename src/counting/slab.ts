/**
 * Typed arrays carved out of one buffer, sized up front (element counts per type) and taken
 * largest elements first, so that every view is aligned: one backing store instead of one per
 * array. On small elections a MES run or profile takes a few µs, and a backing store costs 1–2 µs
 * to make (with its share of GC): buffers of small slabs are also reused (release, retire), which
 * halved a MES count of the smallest files (Pole Mokotowskie mes_cost 7 µs → 4), and with them
 * the views made of them (Block).
 */
export class Slab {
  /** Taken from the pool when the first view is asked for. */
  private block: Block | undefined
  private at = 0
  /** Views handed out so far, per element type (a reused block's views are matched by these counts). */
  private nF = 0
  private nI = 0
  private nU = 0
  /** Bytes this slab may carve: a reused buffer can be longer, and a miscount must still throw. */
  private readonly end: number
  constructor(f64: number, i32: number, u8: number) {
    this.end = 8 * f64 + 4 * i32 + u8
  }
  f64(n: number): Float64Array<ArrayBuffer> {
    const at = this.carve(8 * n)
    const block = this.blockOf()
    const k = this.nF++
    // The typed arrays' byteOffset and length getters cost more than these numbers.
    if (block.fKey[k] === at * KEY + n) return block.f[k]!
    const view = new Float64Array(block.buffer, at, n)
    block.f[k] = view
    block.fKey[k] = at * KEY + n
    return view
  }
  i32(n: number): Int32Array<ArrayBuffer> {
    const at = this.carve(4 * n)
    const block = this.blockOf()
    const k = this.nI++
    if (block.iKey[k] === at * KEY + n) return block.i[k]!
    const view = new Int32Array(block.buffer, at, n)
    block.i[k] = view
    block.iKey[k] = at * KEY + n
    return view
  }
  u8(n: number): Uint8Array<ArrayBuffer> {
    const at = this.carve(n)
    const block = this.blockOf()
    const k = this.nU++
    if (block.uKey[k] === at * KEY + n) return block.u[k]!
    const view = new Uint8Array(block.buffer, at, n)
    block.u[k] = view
    block.uKey[k] = at * KEY + n
    return view
  }
  /** Gives the buffer back for the next slabs at once: no view taken from this slab may be used again. */
  release(): void {
    if (this.block !== undefined) give(this.block)
    this.block = NO_BLOCK
  }
  /**
   * Gives the buffer back once no count is running (recycleSlabs): for slabs of cached figures
   * dropped by the cache, which the count that dropped them cannot be using, but which the rule
   * of a count in progress might still hold if a future caller nested counts.
   */
  retire(): void {
    const block = this.block
    if (block !== undefined && retired.length < POOL_SIZE && block.buffer.byteLength <= POOL_MAX_BYTES)
      retired.push(block)
    this.block = NO_BLOCK
  }
  private blockOf(): Block {
    if (this.block === undefined) this.block = take(this.end)
    return this.block
  }
  /** The offset of the next `bytes` (a miscount throws). */
  private carve(bytes: number): number {
    const at = this.at
    this.at = at + bytes
    if (this.at > this.end) throw new RangeError(`slab overrun: ${this.at} of ${this.end} bytes`)
    return at
  }
}

/**
 * A buffer with the views slabs have made of it: a slab that takes a pooled block reuses the
 * views at the same offsets and lengths (a MES run of a small election makes about twenty, at
 * ~50 ns each, and counting the same election again makes the same ones).
 */
interface Block {
  readonly buffer: ArrayBuffer
  /** The whole buffer, to zero it. */
  readonly bytes: Uint8Array
  readonly f: Float64Array<ArrayBuffer>[]
  readonly i: Int32Array<ArrayBuffer>[]
  readonly u: Uint8Array<ArrayBuffer>[]
  /** offset · KEY + length of each view above. */
  readonly fKey: number[]
  readonly iKey: number[]
  readonly uKey: number[]
  /** The byte count of the slab that took it last: take() prefers a block to a slab of the same size, whose views it holds. */
  wanted: number
}

/**
 * Above any length of a view of a pooled block: those are at most POOL_MAX_BYTES long, so keys are
 * exact and distinct. (Longer blocks are never reused: their views are never looked up again.)
 */
const KEY = 2 ** 20

function newBlock(bytes: number): Block {
  const buffer = new ArrayBuffer(bytes)
  return {
    buffer,
    bytes: new Uint8Array(buffer),
    f: [],
    i: [],
    u: [],
    fKey: [],
    iKey: [],
    uKey: [],
    wanted: -1,
  }
}

/** Buffers kept for reuse: a few small ones (a count of a small election makes two to four slabs). */
const POOL_SIZE = 8
const POOL_MAX_BYTES = 1 << 16
const pool: Block[] = []
const retired: Block[] = []
const NO_BLOCK = newBlock(0)

/**
 * A pooled block last taken by a slab of the same size (its views fit again), else the smallest
 * pooled block of at least `bytes`, zeroed up to them, or a new one (rounded up to a power of two
 * when small).
 */
function take(bytes: number): Block {
  let best = -1
  for (let i = 0; i < pool.length; i++) {
    const block = pool[i]!
    if (block.wanted === bytes) {
      best = i
      break
    }
    const length = block.buffer.byteLength
    if (length >= bytes && (best < 0 || length < pool[best]!.buffer.byteLength)) best = i
  }
  if (best < 0) {
    const block = newBlock(bytes > POOL_MAX_BYTES ? bytes : Math.max(256, 2 ** Math.ceil(Math.log2(bytes))))
    block.wanted = bytes
    return block
  }
  const block = pool[best]!
  block.wanted = bytes
  pool[best] = pool[pool.length - 1]!
  pool.pop()
  block.bytes.fill(0, 0, bytes)
  return block
}

function give(block: Block): void {
  if (block.buffer.byteLength > 0 && block.buffer.byteLength <= POOL_MAX_BYTES && pool.length < POOL_SIZE)
    pool.push(block)
}

/** Counts in progress (count() calls enterCount and leaveCount; a rule could call count()). */
let counting = 0
/** Slabs whose arrays nothing reads once no count is running (retireAfterCount). */
const afterCount: Slab[] = []

export function enterCount(): void {
  counting++
}

/** Makes the retired slabs' buffers reusable once no count is running any more. */
export function leaveCount(): void {
  if (--counting > 0) return
  // (Pops: setting an array's length calls a builtin, 2–4% of a count of the smallest files.)
  while (afterCount.length > 0) afterCount.pop()!.retire()
  recycleSlabs()
}

/** Makes the retired slabs' buffers reusable (leaveCount, when no count is running). */
export function recycleSlabs(): void {
  while (retired.length > 0) give(retired.pop()!)
}

/**
 * Retires `slab` once no count is running, when a count is running now (its arrays must not be
 * read after that count: a MES run's, whose result the count has turned into its outcome by
 * then); otherwise it is left to the GC. Without this, every count of a small election made a
 * new buffer (Pole Mokotowskie's mes_cardinality took 5 µs, now 2.6).
 */
export function retireAfterCount(slab: Slab): void {
  if (counting > 0 && afterCount.length < POOL_SIZE) afterCount.push(slab)
}

/**
 * `array.fill(value)`, by a loop when the array is short: a call of the builtin costs more than a
 * dozen writes (it was ~10% of a MES count of the smallest files, over a dozen arrays).
 */
export function filled<A extends Int32Array | Float64Array | Uint8Array>(array: A, value: number): A {
  const n = array.length
  if (n > 16) return array.fill(value) as A
  for (let i = 0; i < n; i++) array[i] = value
  return array
}
