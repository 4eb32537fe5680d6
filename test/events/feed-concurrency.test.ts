/**
 * The feed's cursor under out-of-order commits: two instances (each its own pool) write events
 * in transactions that stay open for random times, so later rows often commit first, while a
 * reader follows positions. The reader never sees an event twice and ends up with every event;
 * each account's seq reads 1, 2, 3… in feed order.
 */
import { composeServices, type RosterCore } from '../../src/composition-core';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/adapters/http/logger';
import type { AccountId } from '../../src/domain/ids';
import type { RosterEvent } from '../../src/domain/events/event-types';
import type { EventRepositorySql } from '../../src/adapters/storage/repositories/event.repository';
import { createAccount, PUBLIC_URL, startRoster, type TestRoster } from '../support/roster';

let roster: TestRoster;
let second: RosterCore;
beforeAll(async () => {
  roster = await startRoster();
  second = await composeServices(
    loadConfig({ DATABASE_URL: roster.database.url, PUBLIC_URL, LOG_LEVEL: 'silent' }),
    { logger: createLogger('silent') },
  );
});
afterAll(async () => {
  await second.close();
  await roster.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One transaction that appends `count` events, then stays open a while before it commits. */
async function write(core: RosterCore, accountId: AccountId, count: number, lockAccount: boolean) {
  await core.uow.write(lockAccount ? accountId : null, async (tx) => {
    await tx.events.appendMany(
      Array.from({ length: count }, () => ({
        type: 'user.updated' as const,
        accountId,
        occurredAt: Date.now(),
        subject: { type: 'user' as const, id: 'concurrency' },
        data: {},
      })),
    );
    // Written now rather than at commit, so the rows wait in the open transaction.
    await (tx.events as EventRepositorySql).flush();
    await sleep(Math.random() * 40);
  });
}

/**
 * On MariaDB, makes one crossing for certain: a transaction of the first instance appends an event
 * and stays open while the second instance's later row commits and is given its position.
 */
async function crossCommits(accounts: AccountId[]): Promise<number> {
  let flushed!: () => void;
  let mayCommit!: () => void;
  const wasFlushed = new Promise<void>((resolve) => (flushed = resolve));
  const commitAllowed = new Promise<void>((resolve) => (mayCommit = resolve));
  const first = roster.uow.write(null, async (tx) => {
    await tx.events.appendMany([
      {
        type: 'user.updated',
        accountId: accounts[0],
        occurredAt: Date.now(),
        subject: { type: 'user', id: 'early' },
        data: {},
      },
    ]);
    await (tx.events as EventRepositorySql).flush();
    flushed();
    await commitAllowed;
  });
  await wasFlushed;
  await write(second, accounts[1], 1, false);
  await roster.events.after({ after: 0, limit: 1 });
  mayCommit();
  await first;
  return 2;
}

test('a reader following positions while two instances commit out of order never skips or repeats an event', async () => {
  const accounts = [(await createAccount(roster)).accountId, (await createAccount(roster)).accountId];
  const start = await roster.events.latestPosition();
  const seen: RosterEvent[] = [];
  let cursor = start;
  let writing = true;
  const reader = (async () => {
    for (;;) {
      const done = !writing;
      const page = await roster.events.after({ after: cursor, limit: 7 });
      seen.push(...page);
      if (page.length > 0) cursor = page[page.length - 1].position;
      else if (done) return;
      else await sleep(Math.random() * 5);
    }
  })();
  let written = roster.database.dialect === 'mariadb' ? await crossCommits(accounts) : 0;
  const writers = [roster, second].flatMap((core, c) =>
    accounts.map(async (accountId, a) => {
      for (let i = 0; i < 25; i++) {
        const count = 1 + ((i + c + a) % 3);
        await write(core, accountId, count, (i + c) % 2 === 0);
        written += count;
      }
    }),
  );
  await Promise.all(writers);
  writing = false;
  await reader;

  const ids = seen.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  const everything = await roster.events.after({ after: start, limit: 100_000 });
  expect(ids).toEqual(everything.map((e) => e.id));
  expect(ids.length).toBe(written);
  // Rows were written in one order and committed in another: a cursor on insert order would skip.
  const [crossed] = await roster.database.query(
    'SELECT COUNT(*) AS n FROM events a JOIN events b ON a.row_id < b.row_id AND a.position > b.position',
  );
  if (roster.database.dialect === 'mariadb') expect(Number(crossed.n)).toBeGreaterThan(0);
  for (const accountId of accounts) {
    const seqs = seen.filter((e) => e.accountId === accountId).map((e) => e.seq);
    expect(seqs.slice(1).every((seq, i) => seq === seqs[i] + 1)).toBe(true);
  }
});
