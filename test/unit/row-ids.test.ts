import { uuidGenerator } from '../../src/adapters/crypto/secrets';
import { isUuid } from '../../src/domain/ids';

/**
 * New rows must land at the end of the indexes keyed by their id: random ids made an HR sync of
 * 100,000 people write 7 GB of index pages for a 400 MB SQLite file (docs/decisions.md).
 */
describe('row ids', () => {
  it('are version 7 UUIDs, each after the one made before it, even within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidGenerator.newId());
    for (const id of ids) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    const outOfOrder = ids.findIndex((id, i) => i > 0 && !(ids[i - 1] < id));
    expect(outOfOrder).toBe(-1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('begin with the time they were made, so ids made later sort later', () => {
    const before = Date.now();
    const id = uuidGenerator.newId();
    const millis = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(Date.now() + 1);
  });
});
