/**
 * The CPU time of the database server on this machine (MariaDB's `mariadbd`, or `mysqld`), read
 * from /proc: on a machine it shares with the app, the database's CPU per request is what bounds
 * a MariaDB figure, and the app's own CPU does not show it.
 */
import { readdirSync, readFileSync } from 'node:fs';

const names = new Set(['mariadbd', 'mysqld']);

/** Milliseconds of CPU the database server has used so far; undefined where it cannot be read. */
export type DatabaseCpu = () => number | undefined;

export function databaseCpu(): DatabaseCpu {
  const pid = findServer();
  if (pid === undefined) return () => undefined;
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  return () => {
    try {
      // Fields after the command name, which is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    } catch {
      return undefined;
    }
  };
}

function findServer(): string | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (names.has(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return entry;
      } catch {
        // A process that ended while we looked.
      }
    }
  } catch {
    // No /proc: not Linux.
  }
  return undefined;
}
