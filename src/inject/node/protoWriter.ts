// A protocol buffers writer for the OTLP export (serializer.ts), in one pass over a growing Buffer.
// It runs on the app's thread for every batch of spans, and prompts are long: strings and ids are
// written by Node's native UTF-8 and hex encoders, never a character at a time in JavaScript. A
// nested message reserves one byte for its length and, when it turns out longer than 127 bytes,
// moves its content up (a native memmove) to make room for the length's other bytes, so every
// length is its minimal varint, as any other encoder writes it.

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;
/** Strings shorter than this (so their length is one varint byte) may take the ASCII copy. */
const SHORT = 64;

export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** The bytes written, copied out of the loosely sized working buffer. */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A non-negative integer below 2^53 as a varint. */
  varint(n: number): void {
    this.room(10);
    this.put(n);
  }

  /** A varint where the room is known to be there. */
  private put(n: number): void {
    while (n > 127) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  /** An int64 field: a negative value takes ten bytes (two's complement), as protobuf writes it. */
  int64Field(field: number, n: number): void {
    this.tag(field, WIRE.varint);
    if (n >= 0) return this.varint(n);
    this.room(10);
    let v = BigInt.asUintN(64, BigInt(n));
    while (v > 127n) {
      this.buf[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  varintField(field: number, n: number): void {
    this.tag(field, WIRE.varint);
    this.varint(n);
  }

  boolField(field: number, b: boolean): void {
    this.varintField(field, b ? 1 : 0);
  }

  doubleField(field: number, n: number): void {
    this.tag(field, WIRE.fixed64);
    this.room(8);
    this.pos = this.buf.writeDoubleLE(n, this.pos);
  }

  fixed32Field(field: number, n: number): void {
    this.tag(field, WIRE.fixed32);
    this.room(4);
    this.pos = this.buf.writeUInt32LE(n >>> 0, this.pos);
  }

  /** OpenTelemetry's [seconds, nanoseconds] as fixed64 nanoseconds since the epoch. */
  hrTimeField(field: number, [seconds, nanos]: readonly [number, number]): void {
    this.tag(field, WIRE.fixed64);
    this.room(8);
    this.pos = this.buf.writeBigUInt64LE(BigInt(seconds) * 1_000_000_000n + BigInt(nanos), this.pos);
  }

  stringField(field: number, s: string): void {
    this.tag(field, WIRE.bytes);
    // Most strings are short ASCII (attribute keys, ids, model names): copied here, they skip two
    // native calls that cost more than the copy. A longer or non-ASCII one goes to Node's encoder.
    if (s.length < SHORT) {
      this.room(s.length + 1);
      const at = this.pos + 1;
      let i = 0;
      for (let c; i < s.length && (c = s.charCodeAt(i)) < 128; i++) this.buf[at + i] = c;
      if (i === s.length) {
        this.buf[this.pos] = i;
        this.pos = at + i;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.room(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  bytesField(field: number, b: Uint8Array): void {
    this.tag(field, WIRE.bytes);
    this.varint(b.length);
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** An id given in hex (trace and span ids) as its bytes. */
  hexField(field: number, hex: string): void {
    this.tag(field, WIRE.bytes);
    const n = hex.length >> 1;
    this.varint(n);
    this.room(n);
    // Buffer stops at the first pair that is not hex: the rest stays zero, the length true.
    const written = this.buf.write(hex, this.pos, n, 'hex');
    if (written < n) this.buf.fill(0, this.pos + written, this.pos + n);
    this.pos += n;
  }

  /** Starts a nested message; `end` with what this returns closes it. */
  begin(field: number): number {
    this.tag(field, WIRE.bytes);
    this.room(1);
    return this.pos++;
  }

  end(start: number): void {
    const length = this.pos - start - 1;
    let extra = 0;
    for (let n = length; n > 127; n = Math.floor(n / 128)) extra++;
    if (extra) {
      this.room(extra);
      this.buf.copyWithin(start + 1 + extra, start + 1, this.pos);
    }
    const end = this.pos + extra;
    this.pos = start;
    this.put(length);
    this.pos = end;
  }
}
