/**
 * `npm run test:fault -- [--database-url mariadb://…] [--events N]`: the delivery loop survives
 * kill -9. N events (10,000) are queued for a webhook whose receiver answers 500 half the time;
 * the server (dist/src/main.js, a process of its own) is killed with SIGKILL mid-delivery and
 * started again. Passes when every event arrived (verified with standardwebhooks), none is lost,
 * and every duplicate carries the same webhook-id as its original (the event's id). Exit 1 otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { Webhook } from 'standardwebhooks';
import { composeServices } from '../../src/composition-core';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/adapters/http/logger';
import type { Actor } from '../../src/domain/actor';
import { openBenchDatabase } from '../bench/database';
import { provisionUsers } from '../bench/event-load';

const root = join(__dirname, '..', '..', '..');

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a positive integer');
  return n;
}

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);

async function main(): Promise<number> {
  const options = new Command()
    .option('--database-url <url>', 'mariadb://… (default: a fresh SQLite file)')
    .option('--events <n>', 'events pending when the server is killed', positive, 10_000)
    .parse()
    .opts<{ databaseUrl?: string; events: number }>();
  const database = await openBenchDatabase(options.databaseUrl);
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    PUBLIC_URL: 'http://localhost',
    EVENTS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    OUTBOUND_ALLOW_PRIVATE: 'true',
    DELIVERY_POLL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '100',
    WEBHOOK_RETRY_MAX_MS: '1000',
    JOBS_INTERVAL_SECONDS: '0',
  };

  // The receiver: verifies each request, answers 500 to half of them at random.
  const accepted = new Map<string, number>();
  let requests = 0;
  let mismatched = 0;
  let unverified = 0;
  let secret = '';
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      let payload: { data: { id: string } };
      try {
        payload = new Webhook(secret).verify(Buffer.concat(chunks).toString('utf8'), {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as typeof payload;
      } catch {
        unverified += 1;
        return void res.writeHead(401).end();
      }
      if (Math.random() < 0.5) return void res.writeHead(500).end();
      const id = String(req.headers['webhook-id']);
      if (payload.data.id !== id) mismatched += 1;
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  receiver.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const core = await composeServices(loadConfig({ ...env, LOG_LEVEL: 'silent' }), {
    logger: createLogger('silent'),
  });
  let server: ChildProcess | undefined;
  try {
    const { account } = await core.services.accounts.create('fault', {
      name: 'Fault',
      ownerEmail: 'owner@fault.example.test',
    });
    const actor: Actor = { kind: 'operator', accountId: account.id, operator: 'fault', channel: 'cli' };
    const created = await core.services.webhooks.create(actor, 'account', {
      url,
      eventTypes: ['user.created'],
    });
    secret = created.secret;
    log(`queueing ${options.events} events on ${database.description}`);
    const users = new Set(await provisionUsers(core, actor, 'fault', options.events));
    // The events to deliver: the new users' (the owner's came before the endpoint existed).
    const expected: string[] = [];
    for (let after = 0; ;) {
      const page = await core.events.after({
        accountId: account.id,
        after,
        limit: 1000,
        types: ['user.created'],
      });
      if (page.length === 0) break;
      expected.push(...page.filter((e) => users.has(e.subject.id)).map((e) => e.id));
      after = page[page.length - 1].position;
    }
    if (expected.length !== options.events) {
      throw new Error(`${expected.length} events found for ${options.events} users`);
    }
    const pending = () => core.uow.read((tx) => tx.deliveries.pendingCount());

    server = startServer(env);
    const killAt = Math.floor(options.events / 4);
    await until(() => accepted.size >= killAt, 120_000, 'the first deliveries');
    server.kill('SIGKILL');
    await new Promise((resolve) => server?.once('exit', resolve));
    const atKill = accepted.size;
    log(`kill -9 after ${atKill} accepted (${requests} requests); ${await pending()} deliveries pending`);

    server = startServer(env);
    const progress = setInterval(() => {
      void pending().then((n) => log(`  ${accepted.size} accepted, ${n} pending`));
    }, 5_000);
    await until(() => expected.every((id) => accepted.has(id)), 600_000, 'every event').finally(() =>
      clearInterval(progress),
    );
    await until(async () => (await pending()) === 0, 60_000, 'no pending delivery');
    server.kill('SIGTERM');
    const lost = expected.filter((id) => !accepted.has(id)).length;
    const duplicates = [...accepted.values()].reduce((sum, n) => sum + n - 1, 0);
    log(
      `after restart: ${accepted.size}/${expected.length} events accepted, ${lost} lost, ${duplicates} ` +
        `accepted twice or more (same webhook-id), ${mismatched} with a webhook-id other than the event's, ` +
        `${unverified} unverified, ${requests} requests in all`,
    );
    const ok = lost === 0 && mismatched === 0 && unverified === 0 && accepted.size === expected.length;
    log(ok ? 'PASS' : 'FAIL');
    return ok ? 0 : 1;
  } finally {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    receiver.closeAllConnections();
    receiver.close();
    await core.close();
    await database.drop();
  }
}

function startServer(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  log(`server started (pid ${child.pid})`);
  return child;
}

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
