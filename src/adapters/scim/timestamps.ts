/**
 * `new Date(ms).toISOString()`, the same text, about four times cheaper: a page of 100 users
 * writes 200 of them (meta.created, meta.lastModified), and V8 formats each through its date
 * cache. The date part is computed once per day and kept; the time of day is arithmetic.
 */
export function isoTimestamp(ms: number): string {
  // Only whole milliseconds from 1970 to 9999 take the fast path; toISOString handles the rest
  // (years with a sign, invalid times) as before.
  if (!Number.isInteger(ms) || ms < 0 || ms >= endOf9999) return new Date(ms).toISOString();
  const day = Math.floor(ms / msPerDay);
  let date = days.get(day);
  if (date === undefined) {
    date = new Date(day * msPerDay).toISOString().slice(0, 11);
    if (days.size >= maxDays) days.clear();
    days.set(day, date);
  }
  let rest = ms - day * msPerDay;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${date}${two[hours]}:${two[minutes]}:${two[seconds]}.${three[millis]}Z`;
}

const msPerDay = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there on toISOString writes a six-digit year with a sign. */
const endOf9999 = 253_402_300_800_000;
/** About eleven years of distinct days; past that the cache starts over. */
const maxDays = 4_096;
const days = new Map<number, string>();
const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const three = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
