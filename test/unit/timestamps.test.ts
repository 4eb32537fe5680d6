import { isoTimestamp } from '../../src/adapters/scim/timestamps';

describe('isoTimestamp', () => {
  it('writes what Date.prototype.toISOString writes, across days, years and the edges of its fast path', () => {
    const samples = [
      0,
      1,
      999,
      86_399_999,
      86_400_000,
      951_782_400_000, // 2000-02-29
      1_764_921_600_123,
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      253_402_300_799_999, // the last millisecond of 9999
      253_402_300_800_000, // 10000: a six-digit year with a sign
      -1, // before 1970
      -62_198_755_200_000, // year 0
      1.5, // not a whole millisecond
    ];
    let seed = 42;
    for (let i = 0; i < 5_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      samples.push(Math.floor((seed / 2 ** 31) * 4_102_444_800_000)); // up to 2100
    }
    for (const ms of samples) expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
  });

  it('throws for an invalid time, as toISOString does', () => {
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
  });
});
