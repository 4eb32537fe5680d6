import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { loadConfig, ConfigError } from '../../src/config/load';
import { aUser, createAccount, startRoster, type TestRoster } from '../support/roster';

const token = `metrics-${randomUUID()}`;

/** The value of one sample line, e.g. `name{a="b"} 3`, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find(
      (l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics with METRICS_TOKEN set', () => {
  let roster: TestRoster;
  beforeAll(async () => {
    roster = await startRoster({ METRICS_TOKEN: token });
  });
  afterAll(() => roster.stop());

  const scrape = () => request(roster.app).get('/metrics').set('Authorization', `Bearer ${token}`);

  it.each([
    ['no credential', undefined],
    ['a wrong token', `Bearer ${token}x`],
    ['the token without the Bearer scheme', token],
    ['Basic credentials', `Basic ${Buffer.from(`x:${token}`).toString('base64')}`],
  ])('refuses %s with 401 and no metrics', async (_label, authorization) => {
    const req = request(roster.app).get('/metrics');
    const res = await (authorization ? req.set('Authorization', authorization) : req);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.text).not.toContain('roster_');
  });

  it('counts requests per route pattern and status, never per raw path', async () => {
    const account = await createAccount(roster);
    const agent = request(roster.app);
    const auth = { Authorization: `Bearer ${account.token}` };
    const created = await agent
      .post('/scim/v2/Users')
      .set(auth)
      .send(aUser(`${randomUUID()}@example.test`));
    expect(created.status).toBe(201);
    for (let i = 0; i < 3; i++) await agent.get(`/scim/v2/Users/${created.body.id}`).set(auth).expect(200);
    await agent.get(`/scim/v2/Users/${randomUUID()}`).set(auth).expect(404);
    await agent.get('/scim/v2/Users/x').expect(401);
    const stray = `/no-such-${randomUUID()}`;
    await agent.get(stray).expect(404);

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const count = 'roster_http_request_duration_seconds_count';
    expect(sample(res.text, count, { method: 'GET', route: '/scim/v2/Users/:id', status: '200' })).toBe(3);
    expect(sample(res.text, count, { method: 'GET', route: '/scim/v2/Users/:id', status: '404' })).toBe(1);
    expect(sample(res.text, count, { method: 'POST', route: '/scim/v2/Users', status: '201' })).toBe(1);
    // Refused before any route matched: counted under its area.
    expect(sample(res.text, count, { route: '/scim/v2/(no route)', status: '401' })).toBe(1);
    expect(sample(res.text, count, { route: '(no route)', status: '404' })).toBe(1);
    expect(res.text).not.toContain(created.body.id);
    expect(res.text).not.toContain(stray);
  });

  it('names admin API routes by their pattern under /api/v1', async () => {
    const account = await createAccount(roster);
    const key = (await roster.services.apiKeys.issueService(account.operator)).secret;
    await request(roster.app).get('/api/v1/members').set('Authorization', `Bearer ${key}`).expect(200);
    const res = await scrape();
    expect(
      sample(res.text, 'roster_http_request_duration_seconds_count', {
        route: '/api/v1/members',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports query time, the connection pool, event-loop lag and job runs', async () => {
    const job = roster.jobs.jobs[0].name;
    await roster.jobs.run(job);
    const res = await scrape();
    expect(sample(res.text, 'roster_db_query_duration_seconds_count', { kind: 'read' })).toBeGreaterThan(0);
    expect(sample(res.text, 'roster_db_query_duration_seconds_count', { kind: 'write' })).toBeGreaterThan(0);
    for (const gauge of [
      'roster_db_pool_busy_connections',
      'roster_db_pool_idle_connections',
      'roster_db_pool_waiting',
    ]) {
      expect(sample(res.text, gauge, {})).toBeGreaterThanOrEqual(0);
    }
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds\{[^}]*\} \d/m);
    expect(sample(res.text, 'roster_job_runs_total', { job, outcome: 'ok' })).toBe(1);
    expect(sample(res.text, 'roster_job_last_success_timestamp_seconds', { job })).toBeGreaterThan(1.7e9);
    // No outbox series until a change feed reports one.
    expect(res.text).not.toContain('roster_outbox_');
  });

  it('reports the change feed once it reports', async () => {
    roster.metrics!.outbox().setLag(4);
    roster.metrics!.outbox().deliveryFailed('webhook');
    const res = await scrape();
    expect(sample(res.text, 'roster_outbox_lag_seconds', {})).toBe(4);
    expect(sample(res.text, 'roster_outbox_delivery_failures_total', { destination: 'webhook' })).toBe(1);
  });
});

describe('/metrics without METRICS_TOKEN', () => {
  it('does not exist, and nothing is measured', async () => {
    const roster = await startRoster();
    try {
      const res = await request(roster.app).get('/metrics').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(404);
      expect(roster.metrics).toBeUndefined();
    } finally {
      await roster.stop();
    }
  });

  it('refuses a token shorter than 24 characters at start', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
