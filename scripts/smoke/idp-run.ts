import { randomUUID } from 'node:crypto';
import { Command } from 'commander';

/**
 * Replays an Okta-style and an Entra-style provisioning run against a running Roster, with the
 * request bodies those IdPs send (shared/design/idp-interop.md), and checks each answer.
 *   node dist/scripts/smoke/idp-run.js --base-url http://localhost:8080/scim/v2 --token rst_…
 */
interface Step {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  expect: number;
}

type Json = Record<string, unknown>;
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

class Run {
  failures = 0;
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async step(step: Step): Promise<Json> {
    const res = await fetch(`${this.baseUrl}${step.path}`, {
      method: step.method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/scim+json' },
      body: step.body === undefined ? undefined : JSON.stringify(step.body),
    });
    const text = await res.text();
    const ok = res.status === step.expect;
    if (!ok) this.failures += 1;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${res.status} ${step.method} ${step.path}  ${step.name}\n`);
    if (!ok) process.stdout.write(`     expected ${step.expect}: ${text.slice(0, 300)}\n`);
    return text ? (JSON.parse(text) as Json) : {};
  }
}

async function okta(run: Run, tag: string): Promise<void> {
  process.stdout.write('\n== Okta\n');
  const userName = `okta.${tag}@example.test`;
  const filter = encodeURIComponent(`userName eq "${userName}"`);
  await run.step({
    name: 'existence check',
    method: 'GET',
    path: `/Users?filter=${filter}&startIndex=1&count=100`,
    expect: 200,
  });
  const user = await run.step({
    name: 'create user',
    method: 'POST',
    path: '/Users',
    expect: 201,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: `00u${tag}`,
      groups: [],
      password: '1mz050nq',
      active: true,
    },
  });
  const group = await run.step({
    name: 'push group',
    method: 'POST',
    path: '/Groups',
    expect: 201,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: `Okta ${tag}`,
      members: [],
    },
  });
  await run.step({
    name: 'rename + add member in one PATCH',
    method: 'PATCH',
    path: `/Groups/${group.id}`,
    expect: 204,
    body: patch(
      { op: 'replace', value: { id: group.id, displayName: `Okta ${tag} renamed` } },
      { op: 'add', path: 'members', value: [{ value: user.id, display: userName }] },
    ),
  });
  await run.step({
    name: 'remove member',
    method: 'PATCH',
    path: `/Groups/${group.id}`,
    expect: 204,
    body: patch({ op: 'remove', path: `members[value eq "${user.id}"]` }),
  });
  await run.step({
    name: 'deactivate',
    method: 'PATCH',
    path: `/Users/${user.id}`,
    expect: 200,
    body: patch({ op: 'replace', value: { active: false } }),
  });
  const again = await run.step({
    name: 'reprovision (re-POST) restores the same id',
    method: 'POST',
    path: '/Users',
    expect: 201,
    body: { userName, externalId: `00u${tag}`, active: true, emails: [{ value: userName, primary: true }] },
  });
  if (again.id !== user.id) {
    run.failures += 1;
    process.stdout.write(`FAIL reprovision returned id ${String(again.id)}, not ${String(user.id)}\n`);
  }
  await run.step({ name: 'delete group', method: 'DELETE', path: `/Groups/${group.id}`, expect: 204 });
}

async function entra(run: Run, tag: string): Promise<void> {
  process.stdout.write('\n== Entra ID\n');
  await run.step({
    name: 'test connection',
    method: 'GET',
    path: `/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`,
    expect: 200,
  });
  const user = await run.step({
    name: 'create user (with nulls)',
    method: 'POST',
    path: '/Users',
    expect: 201,
    body: {
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      ],
      externalId: randomUUID(),
      userName: `Entra_${tag}@example.test`,
      active: true,
      addresses: null,
      emails: [{ primary: true, type: 'work', value: `entra.${tag}@example.test` }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Given Family', familyName: 'Family', givenName: 'Given' },
      roles: [],
    },
  });
  const group = await run.step({
    name: 'create group',
    method: 'POST',
    path: '/Groups',
    expect: 201,
    body: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      externalId: randomUUID(),
      displayName: `Entra ${tag}`,
      meta: { resourceType: 'Group' },
    },
  });
  await run.step({
    name: 'add member',
    method: 'PATCH',
    path: `/Groups/${group.id}`,
    expect: 204,
    body: patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: user.id }] }),
  });
  await run.step({
    name: 'update attributes (default dialect)',
    method: 'PATCH',
    path: `/Users/${user.id}`,
    expect: 200,
    body: patch(
      { op: 'Replace', path: 'displayName', value: 'Pvlo' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: `changed.${tag}@example.test` },
      { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' },
    ),
  });
  await run.step({
    name: 'disable ("False" string)',
    method: 'PATCH',
    path: `/Users/${user.id}`,
    expect: 200,
    body: patch({ op: 'Replace', path: 'active', value: 'False' }),
  });
  const disabled = await run.step({
    name: 'disabled user still readable',
    method: 'GET',
    path: `/Users/${user.id}`,
    expect: 200,
  });
  if (disabled.active !== false) {
    run.failures += 1;
    process.stdout.write('FAIL disabled user is not active:false\n');
  }
  await run.step({
    name: 'remove member (only the listed one)',
    method: 'PATCH',
    path: `/Groups/${group.id}`,
    expect: 204,
    body: patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: user.id }] }),
  });
  await run.step({ name: 'hard delete user', method: 'DELETE', path: `/Users/${user.id}`, expect: 204 });
  await run.step({ name: 'deleted user is gone', method: 'GET', path: `/Users/${user.id}`, expect: 404 });
  await run.step({ name: 'delete group', method: 'DELETE', path: `/Groups/${group.id}`, expect: 204 });
}

async function main(): Promise<void> {
  const options = new Command()
    .requiredOption('--base-url <url>', 'the scimBaseUrl, e.g. http://localhost:8080/scim/v2')
    .requiredOption('--token <token>', 'a SCIM token of the account')
    .parse()
    .opts<{ baseUrl: string; token: string }>();
  const run = new Run(options.baseUrl.replace(/\/+$/, ''), options.token);
  const tag = randomUUID().slice(0, 8);
  await okta(run, tag);
  await entra(run, tag);
  process.stdout.write(`\n${run.failures === 0 ? 'all steps passed' : `${run.failures} step(s) failed`}\n`);
  process.exitCode = run.failures === 0 ? 0 : 1;
}

void main();
