// Tail probabilities for count data, computed in log space so that the tiny p-values of a real
// spike (1e-40 and below) neither underflow nor lose precision to cancellation.
// Algorithms: Lanczos log-gamma; series / continued fraction for the regularized incomplete gamma
// and a continued fraction for the regularized incomplete beta (Numerical Recipes, ch. 6).

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln P(a, x), P the regularized lower incomplete gamma, by its power series (converges fast for x < a + 1). */
function logGammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * EPS) break;
  }
  return Math.log(sum) - x + a * Math.log(x) - logGamma(a);
}

/** ln Q(a, x), Q the regularized upper incomplete gamma, by its continued fraction (converges fast for x ≥ a + 1). */
function logGammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.log(h) - x + a * Math.log(x) - logGamma(a);
}

/** ln of the regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a). */
export function logRegularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regularized gamma needs a > 0, x ≥ 0 (a=${a}, x=${x})`);
  if (x === 0) return -Infinity;
  if (x < a + 1) return logGammaPSeries(a, x);
  return Math.log1p(-Math.exp(logGammaQContinuedFraction(a, x)));
}

/** ln of the regularized upper incomplete gamma Q(a, x) = 1 − P(a, x). */
export function logRegularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regularized gamma needs a > 0, x ≥ 0 (a=${a}, x=${x})`);
  if (x === 0) return 0;
  if (x < a + 1) return Math.log1p(-Math.exp(logGammaPSeries(a, x)));
  return logGammaQContinuedFraction(a, x);
}

export function regularizedGammaP(a: number, x: number): number {
  return Math.exp(logRegularizedGammaP(a, x));
}

export function regularizedGammaQ(a: number, x: number): number {
  return Math.exp(logRegularizedGammaQ(a, x));
}

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** ln of the regularized incomplete beta I_x(a, b). */
export function logRegularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) {
    throw new RangeError(`regularized beta needs a, b > 0 and 0 ≤ x ≤ 1 (x=${x}, a=${a}, b=${b})`);
  }
  if (x === 0) return -Infinity;
  if (x === 1) return 0;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The fraction converges fast on the side of the mean; the other side goes through the symmetry I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return logFront + Math.log(betaContinuedFraction(a, b, x)) - Math.log(a);
  return Math.log1p(-Math.exp(logFront + Math.log(betaContinuedFraction(b, a, 1 - x)) - Math.log(b)));
}

export function regularizedBeta(x: number, a: number, b: number): number {
  return Math.exp(logRegularizedBeta(x, a, b));
}

/** ln P(X ≥ k) for X ~ Poisson(mean). Uses P(X ≥ k) = P(k, mean), the regularized lower incomplete gamma. */
export function logPoissonUpperTail(k: number, mean: number): number {
  if (!(mean >= 0)) throw new RangeError(`Poisson mean must be ≥ 0, got ${mean}`);
  const n = Math.ceil(k);
  if (n <= 0) return 0;
  if (mean === 0) return -Infinity;
  return logRegularizedGammaP(n, mean);
}

/** P(X ≥ k) for X ~ Poisson(mean). */
export function poissonUpperTail(k: number, mean: number): number {
  return Math.exp(logPoissonUpperTail(k, mean));
}

/**
 * ln P(X ≥ k) for a negative binomial with the given mean and dispersion α, where Var = mean + α·mean²
 * (the gamma–Poisson mixture with shape r = 1/α). α = 0 is the Poisson case.
 * Uses P(X ≥ k) = I_q(k, r) with q = mean / (r + mean).
 */
export function logNegBinomialUpperTail(k: number, mean: number, dispersion: number): number {
  if (!(mean >= 0)) throw new RangeError(`negative binomial mean must be ≥ 0, got ${mean}`);
  if (!(dispersion >= 0)) throw new RangeError(`dispersion must be ≥ 0, got ${dispersion}`);
  const n = Math.ceil(k);
  if (n <= 0) return 0;
  if (mean === 0) return -Infinity;
  // Below this the mixture is indistinguishable from a Poisson, and a huge shape r only slows the fraction down.
  if (dispersion * mean < 1e-9) return logPoissonUpperTail(n, mean);
  const r = 1 / dispersion;
  return logRegularizedBeta(mean / (r + mean), n, r);
}

/** P(X ≥ k) for a negative binomial with Var = mean + dispersion·mean². */
export function negBinomialUpperTail(k: number, mean: number, dispersion: number): number {
  return Math.exp(logNegBinomialUpperTail(k, mean, dispersion));
}
