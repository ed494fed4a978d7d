import { describe, expect, it } from 'vitest';
import { fullJitter } from '../../../utils/lookup/backoff';

describe('fullJitter', () => {
  it('spreads the delay over [0, base·2^attempt)', () => {
    expect(fullJitter(0, 1000, 900_000, () => 0)).toBe(0);
    expect(fullJitter(0, 1000, 900_000, () => 0.5)).toBe(500);
    expect(fullJitter(3, 1000, 900_000, () => 0.5)).toBe(4000);
    expect(fullJitter(3, 1000, 900_000, () => 0.999_999)).toBe(7999);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(fullJitter(10, 1000, 900_000, () => 0.5)).toBe(450_000);
    expect(fullJitter(5000, 1000, 900_000, () => 0.999_999)).toBeLessThan(900_000);
    expect(Number.isFinite(fullJitter(Number.MAX_SAFE_INTEGER, 1000, 900_000, () => 0.5))).toBe(true);
  });

  it('stays inside the window even if random misbehaves', () => {
    expect(fullJitter(2, 1000, 900_000, () => 1)).toBe(3999);
    expect(fullJitter(2, 1000, 900_000, () => -3)).toBe(0);
    expect(fullJitter(-1, 1000, 900_000, () => 0.5)).toBe(500);
  });

  it('gives a spread, not one value, with a real random source', () => {
    const delays = new Set(Array.from({ length: 50 }, () => fullJitter(6, 1000, 900_000, Math.random)));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(64_000);
    }
  });
});
