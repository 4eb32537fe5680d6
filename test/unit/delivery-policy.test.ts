import { nextAttempt, type RetryPolicy } from '../../src/domain/delivery/delivery-policy';

const policy: RetryPolicy = { baseMs: 1_000, maxMs: 60_000, maxAgeMs: 3_600_000, disableAfterMs: 3_600_000 };

describe('nextAttempt', () => {
  it('waits about twice as long after each failure, within the upper half of the step (jitter)', () => {
    const low = (n: number) => nextAttempt(policy, { created: 0 }, n, 0, () => 0);
    const high = (n: number) => nextAttempt(policy, { created: 0 }, n, 0, () => 0.999999);
    expect([1, 2, 3, 4].map(low)).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map(high)).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never waits longer than maxMs, however many attempts failed', () => {
    expect(nextAttempt(policy, { created: 0 }, 60, 0, () => 0.999999)).toBe(60_000);
    expect(nextAttempt(policy, { created: 0 }, 2_000, 0, () => 0)).toBe(30_000);
  });

  it('makes a last attempt when the max age is reached, then gives up', () => {
    const created = 0;
    const now = policy.maxAgeMs - 10_000;
    expect(nextAttempt(policy, { created }, 30, now, () => 0.999999)).toBe(policy.maxAgeMs);
    expect(nextAttempt(policy, { created }, 31, policy.maxAgeMs, () => 0.5)).toBeNull();
  });
});
