/** Small BigInt helpers shared by the exact arithmetic. */

export function absBig(a: bigint): bigint {
  return a < 0n ? -a : a;
}

/** Greatest common divisor of |a| and |b| (gcd(0, 0) = 0). Euclid's algorithm. */
export function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Number of bits of |a| (0 for 0). */
export function bitLength(a: bigint): number {
  if (a < 0n) a = -a;
  if (a === 0n) return 0;
  if (a < 0x20000000000000n) {
    const x = Number(a);
    return x < 4294967296 ? 32 - Math.clz32(x) : 64 - Math.clz32(Math.floor(x / 4294967296));
  }
  const hex = a.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/** Number of trailing zero bits of a (a != 0); 0 for 0. */
export function ctz(a: bigint): number {
  if (a === 0n) return 0;
  if (a < 0n) a = -a;
  let n = 0;
  // Whole 32-bit words first, then the last word with Math.clz32.
  for (;;) {
    const lo = Number(BigInt.asUintN(32, a));
    if (lo !== 0) return n + 31 - Math.clz32(lo & -lo);
    a >>= 32n;
    n += 32;
  }
}

/** True when a > 0 is a power of two. */
export function isPow2(a: bigint): boolean {
  return a > 0n && (a & (a - 1n)) === 0n;
}
