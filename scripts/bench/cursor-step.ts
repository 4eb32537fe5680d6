/**
 * Cursor paging at the end of 100,000 users: the first page (`cursor=`) against the page a
 * cursor near the end opens (the last 100 users by id), alternating on one connection. The cursor
 * is made with the server's own key, as the server would have issued it after 999 pages.
 */
import type { Roster } from '../../src/composition';
import { CursorCodec } from '../../src/adapters/scim/cursor';
import { serverSecret } from '../../src/adapters/storage/server-secrets';
import type { BenchAccount } from './accounts';
import type { LoadGenerator } from './load-client';
import { median, summarize, type Summary } from './stats';
import { checkClean } from './throughput';

export interface CursorResult {
  first: Summary;
  end: Summary;
  /** Index paging to the same place (startIndex=99,901), for comparison. */
  indexEnd: Summary;
  ratio: number;
}

export async function measureCursorEnd(
  roster: Roster,
  loader: LoadGenerator,
  port: number,
  account: BenchAccount,
  samples: number,
): Promise<CursorResult> {
  const codec = new CursorCodec(await serverSecret(roster.dataSource, roster.uow, 'scim-list-cursor'));
  const scope = {
    accountId: account.accountId,
    resourceType: 'Users' as const,
    where: undefined,
    sortBy: undefined,
    sortOrder: 'ascending',
  };
  const rows: { id: string }[] = await roster.dataSource.query(
    'SELECT id FROM users WHERE account_id = ? ORDER BY id DESC LIMIT 101',
    [account.accountId],
  );
  const from = rows[rows.length - 1].id;
  const cursor = codec.encode(scope, { direction: 'forward', from: { sort: null, id: from } });
  const total = Number(
    (
      await roster.dataSource.query('SELECT COUNT(*) AS n FROM users WHERE account_id = ?', [
        account.accountId,
      ])
    )[0].n,
  );
  const headers = { Authorization: `Bearer ${account.token}`, Accept: 'application/scim+json' };
  const first = { method: 'GET' as const, path: '/scim/v2/Users?count=100&cursor=' };
  const end = { method: 'GET' as const, path: `/scim/v2/Users?count=100&cursor=${cursor}` };
  const index = { method: 'GET' as const, path: `/scim/v2/Users?count=100&startIndex=${total - 99}` };
  // The end page holds exactly the last 100 users and says there is no next page.
  const check = await loader.sequence({
    port,
    headers,
    requests: [end],
    expectStatus: 200,
    expectBody: '"itemsPerPage":100,"previousCursor"',
  });
  checkClean('cursor end page', check);
  const run = (n: number, pages: { method: 'GET'; path: string }[]) =>
    loader.sequence({
      port,
      headers,
      requests: Array.from({ length: n }, () => pages).flat(),
      expectStatus: 200,
    });
  checkClean('cursor warm-up', await run(10, [first, end]));
  const result = await run(samples, [first, end]);
  checkClean('cursor pages', result);
  const firstMs = result.latenciesMs.filter((_, i) => i % 2 === 0);
  const endMs = result.latenciesMs.filter((_, i) => i % 2 === 1);
  // OFFSET reads every row before the page (over a second each on a loaded MariaDB): a few suffice.
  const indexRun = await run(10, [index]);
  checkClean('startIndex pages', indexRun);
  const indexMs = indexRun.latenciesMs;
  return {
    first: summarize(firstMs),
    end: summarize(endMs),
    indexEnd: summarize(indexMs),
    ratio: median(endMs) / median(firstMs),
  };
}
