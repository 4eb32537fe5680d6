/**
 * One copy of each distinct value. A CSV parser or a database driver makes a new string per
 * cell, and 100,000 rows of "Engineering" would otherwise be 100,000 strings (docs/benchmarks.md).
 */
export function interner(): <T extends string | null>(value: T) => T {
  const seen = new Map<string, string>();
  return <T extends string | null>(value: T): T => {
    if (value === null) return value;
    const known = seen.get(value);
    if (known !== undefined) return known as T;
    seen.set(value, value);
    return value;
  };
}
