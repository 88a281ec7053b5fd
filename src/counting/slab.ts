/**
 * Typed arrays carved out of one buffer, sized up front (element counts per type) and taken
 * largest elements first, so that every view is aligned: one backing store instead of one per
 * array. On small elections a MES run or profile takes a few µs, and each backing store costs
 * ~0.3 µs to make and more to collect.
 */
export class Slab {
  private readonly buf: ArrayBuffer
  private at = 0
  constructor(f64: number, i32: number, u8: number) {
    this.buf = new ArrayBuffer(8 * f64 + 4 * i32 + u8)
  }
  f64(n: number): Float64Array<ArrayBuffer> {
    const a = new Float64Array(this.buf, this.at, n)
    this.at += 8 * n
    return a
  }
  i32(n: number): Int32Array<ArrayBuffer> {
    const a = new Int32Array(this.buf, this.at, n)
    this.at += 4 * n
    return a
  }
  u8(n: number): Uint8Array<ArrayBuffer> {
    const a = new Uint8Array(this.buf, this.at, n)
    this.at += n
    return a
  }
}
