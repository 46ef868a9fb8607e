import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  logGamma,
  logNegBinomialUpperTail,
  logPoissonUpperTail,
  negBinomialUpperTail,
  poissonUpperTail,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
} from './stats';

// Reference values from mpmath at 40 digits (gammainc / betainc, regularized; tails also by direct summation).
function close(actual: number, expected: number, relative = 1e-11): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  assert.ok(error <= relative, `${actual} vs ${expected} (relative error ${error})`);
}

describe('logGamma', () => {
  it('matches known values', () => {
    close(logGamma(0.5), 0.5723649429247);
    close(logGamma(5), 3.17805383034795);
    close(logGamma(10.5), 13.9406252194038);
    close(logGamma(100), 359.134205369575);
    close(logGamma(1e5), 1051287.70897366);
    assert.ok(Math.abs(logGamma(1)) < 1e-14);
  });
  it('rejects x ≤ 0', () => {
    assert.throws(() => logGamma(0), RangeError);
  });
});

describe('regularized incomplete gamma', () => {
  it('matches known values of P and Q on both sides of a + 1', () => {
    close(regularizedGammaP(0.5, 2), 0.954499736103642);
    close(regularizedGammaP(3, 1), 0.0803013970713942);
    close(regularizedGammaP(10, 12), 0.757607838329488);
    close(regularizedGammaP(100, 90), 0.15822098918643);
    close(regularizedGammaQ(10, 12), 1 - 0.757607838329488);
    assert.equal(regularizedGammaP(2, 0), 0);
  });
});

describe('regularized incomplete beta', () => {
  it('matches known values', () => {
    close(regularizedBeta(0.4, 2, 3), 0.5248);
    close(regularizedBeta(0.2, 0.5, 0.5), 0.295167235300867);
    close(regularizedBeta(0.3, 10, 20), 0.364004081071944);
    close(regularizedBeta(0.95, 50, 5), 0.867951343773713);
    assert.equal(regularizedBeta(0, 2, 3), 0);
    assert.equal(regularizedBeta(1, 2, 3), 1);
  });
});

describe('poissonUpperTail P(X ≥ k)', () => {
  it('matches known values', () => {
    close(poissonUpperTail(1, 1), 0.632120558828558);
    close(poissonUpperTail(5, 1), 0.00365984682734371);
    close(poissonUpperTail(5, 0.05), 2.49795133600651e-09);
    close(poissonUpperTail(10, 2), 4.64980750172638e-05);
    close(poissonUpperTail(20, 10), 0.00345434197585681);
    close(poissonUpperTail(14, 4), 7.63284153433307e-05);
    close(poissonUpperTail(150, 100), 1.88421046603867e-6);
    close(poissonUpperTail(1100, 1000), 0.000962630405866557);
  });
  it('stays accurate deep in the tail, in log space', () => {
    close(poissonUpperTail(30, 0.5), 2.16446729814986e-42);
    close(logPoissonUpperTail(30, 0.5), Math.log(2.16446729814986e-42));
    // Far below double range: the log is still finite and ordered.
    const a = logPoissonUpperTail(2000, 1);
    const b = logPoissonUpperTail(2001, 1);
    assert.ok(Number.isFinite(a) && a < -10000 && b < a);
  });
  it('handles the edges', () => {
    assert.equal(poissonUpperTail(0, 3), 1);
    assert.equal(poissonUpperTail(-2, 3), 1);
    assert.equal(poissonUpperTail(1, 0), 0);
    assert.throws(() => poissonUpperTail(1, -1), RangeError);
  });
  it('is decreasing in k and increasing in the mean', () => {
    for (const mean of [0.1, 1, 7.5, 60]) {
      let previous = 1;
      for (let k = 1; k < 200; k++) {
        const p = poissonUpperTail(k, mean);
        assert.ok(p <= previous, `k=${k} mean=${mean}`);
        previous = p;
      }
      assert.ok(poissonUpperTail(10, mean) < poissonUpperTail(10, mean * 1.1));
    }
  });
});

describe('negBinomialUpperTail P(X ≥ k), Var = μ + αμ²', () => {
  // (mean, size r = 1/α, k, expected)
  const cases: Array<[number, number, number, number]> = [
    [5, 2, 15, 0.0339768528165212],
    [50, 10, 125, 0.000552931856137891],
    [0.05, 0.1, 5, 0.000135406344633471],
    [2, 50, 10, 7.89017096804758e-05],
    [20, 1, 100, 0.00760448999787351],
    [1, 1, 14, 6.103515625e-5], // geometric: (1/2)^14
  ];
  it('matches known values', () => {
    for (const [mean, r, k, expected] of cases) close(negBinomialUpperTail(k, mean, 1 / r), expected);
  });
  it('tends to the Poisson tail as α → 0 and has a heavier tail as α grows', () => {
    close(negBinomialUpperTail(10, 2, 0), poissonUpperTail(10, 2));
    close(negBinomialUpperTail(10, 2, 1e-7), poissonUpperTail(10, 2), 1e-5);
    assert.ok(negBinomialUpperTail(10, 2, 0.5) > negBinomialUpperTail(10, 2, 0.1));
    assert.ok(negBinomialUpperTail(10, 2, 0.1) > poissonUpperTail(10, 2));
  });
  it('stays finite in log space far in the tail', () => {
    const lp = logNegBinomialUpperTail(5000, 10, 0.01);
    assert.ok(Number.isFinite(lp) && lp < -1000);
  });
});
