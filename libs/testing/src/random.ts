// Seeded randomness for tests, benchmarks and generated examples: the same seed, the same data.

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw (Knuth's method, in chunks of mean ≤ 30 so exp(−mean) never underflows). */
export function poisson(rand: () => number, mean: number): number {
  let total = 0;
  let left = mean;
  while (left > 0) {
    const m = Math.min(left, 30);
    left -= m;
    const limit = Math.exp(-m);
    let p = rand();
    while (p > limit) {
      total++;
      p *= rand();
    }
  }
  return total;
}

/** A gamma(shape, 1) draw (Marsaglia–Tsang), for over-dispersed (gamma–Poisson) streams. */
export function gamma(rand: () => number, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * rand() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // Box–Muller normal
      x = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
