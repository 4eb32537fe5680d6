import { RateLimiterMemory } from 'rate-limiter-flexible';
import { BatchedCounter } from '../../src/adapters/http/rate-limits';
import type { SharedCounter } from '../../src/adapters/storage/rate-limit-store';

/** One store two "instances" share (rate-limiter-flexible's memory store stands for the database). */
function sharedStore(points: number) {
  const limiter = new RateLimiterMemory({ points, duration: 60 });
  let writes = 0;
  const store: SharedCounter = {
    consume: (key, n = 1) => limiter.consume(key, n),
    add: (key, n) => {
      writes += 1;
      return limiter.penalty(key, n);
    },
  };
  return { store, writes: () => writes };
}

test('two instances batch their counts: far fewer writes than requests, and the total stays near the limit', async () => {
  const { store, writes } = sharedStore(1000);
  let now = 0;
  const clock = () => now;
  const instances = [
    new BatchedCounter(store, 1000, 60_000, clock),
    new BatchedCounter(store, 1000, 60_000, clock),
  ];
  let allowed = 0;
  for (let i = 0; i < 3000; i++) {
    now += 5; // 15 s in all, inside one window
    if ((await instances[i % 2].hit('scim:token')) === null) allowed += 1;
  }
  // Each instance adds at most a twentieth of the limit (50) unflushed: at most 1,100 in all.
  expect(allowed).toBeGreaterThanOrEqual(1000);
  expect(allowed).toBeLessThanOrEqual(1100);
  expect(writes()).toBeLessThan(300);
});

test('a small limit is exact: every request is written, the sixth of five is refused with the time left', async () => {
  const { store } = sharedStore(5);
  const counter = new BatchedCounter(store, 5, 60_000, () => 1_000);
  const results = [];
  for (let i = 0; i < 6; i++) results.push(await counter.hit('key:x'));
  expect(results.slice(0, 5)).toEqual([null, null, null, null, null]);
  expect(results[5]).toBeGreaterThan(59_000);
});
