import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { catalogueFile, loadCatalogue } from '../../src/config/catalogue';
import { ConfigError } from '../../src/config/load';
import {
  CatalogueError,
  rosterPermissions,
  validateCatalogue,
  type RawCatalogue,
} from '../../src/domain/access/catalogue';

const shipped = resolve(__dirname, '..', '..', 'config', 'catalogues');
const readShipped = (name: string): RawCatalogue =>
  JSON.parse(readFileSync(join(shipped, `${name}.json`), 'utf8')) as RawCatalogue;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roster-catalogue-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let written = 0;
function writeCatalogue(content: unknown): string {
  const file = join(dir, `catalogue-${++written}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the shipped catalogues', () => {
  test.each(['default', 'simple', 'granular'])(
    '%s loads by name, validates, and defines Roster’s permissions',
    (name) => {
      const catalogue = loadCatalogue(name);
      expect(catalogue.name).toBe(name);
      for (const p of rosterPermissions) expect(catalogue.hasPermission(p)).toBe(true);
      expect(catalogue.roles[0]).toBe(catalogue.ownerRole);
      expect(catalogue.permissionsOf(catalogue.ownerRole.key).size).toBe(catalogue.permissions.length);
    },
  );

  test('a bare name means config/catalogues/<name>.json; anything else is a path', () => {
    expect(catalogueFile('simple')).toBe(join(shipped, 'simple.json'));
    expect(loadCatalogue(join(shipped, 'granular.json')).name).toBe('granular');
    expect(catalogueFile('./x.json')).toBe(resolve('x.json'));
  });
});

describe('the default catalogue (shared/design/roles.md)', () => {
  const catalogue = loadCatalogue('default');
  const can = (role: string, permission: string) => catalogue.permissionsOf(role).has(permission);

  test('roles are sorted by rank, Owner first and Support last', () => {
    expect(catalogue.roles.map((r) => r.name)).toEqual([
      'Owner',
      'Admin',
      'Manager',
      'Analyst',
      'Campaign Coordinator',
      'Content Creator',
      'Support',
    ]);
    expect(catalogue.ownerRole.key).toBe('owner');
    expect(catalogue.rank('support')).toBe(7);
    expect(catalogue.stronger('analyst', 'admin')).toBe('admin');
  });

  test('the Owner has every permission', () => {
    for (const p of catalogue.permissions) expect(can('owner', p.key)).toBe(true);
  });

  test('an Admin has everything but closing the account, transferring ownership and the plan', () => {
    expect(can('admin', 'account.transfer_ownership')).toBe(false);
    expect(can('admin', 'account.close')).toBe(false);
    expect(can('admin', 'plan.change')).toBe(false);
    expect(catalogue.permissionsOf('admin').size).toBe(catalogue.permissions.length - 3);
  });

  test('a Manager cannot export email addresses or flow analytics, nor manage users', () => {
    expect(can('manager', 'profiles.export_emails')).toBe(false);
    expect(can('manager', 'lists.export')).toBe(false);
    expect(can('manager', 'flows.export_analytics')).toBe(false);
    expect(can('manager', 'users.edit')).toBe(false);
    expect(can('manager', 'users.view')).toBe(true);
    expect(can('manager', 'flows.edit_components')).toBe(true);
  });

  test('an Analyst exports flow analytics but does not edit flows', () => {
    expect(can('analyst', 'flows.export_analytics')).toBe(true);
    expect(can('analyst', 'flows.edit_components')).toBe(false);
    expect(can('analyst', 'campaigns.view_sent')).toBe(true);
    expect(can('analyst', 'campaigns.view')).toBe(false);
  });

  test('a Content Creator edits campaigns but cannot send them; a Coordinator can', () => {
    expect(can('content_creator', 'campaigns.edit')).toBe(true);
    expect(can('content_creator', 'campaigns.send')).toBe(false);
    expect(can('campaign_coordinator', 'campaigns.send')).toBe(true);
    expect(can('content_creator', 'lists.view_members')).toBe(false);
  });

  test('Support views campaigns, lists and profiles, edits nothing and has no account permissions', () => {
    expect(can('support', 'campaigns.view')).toBe(true);
    expect(can('support', 'profiles.view')).toBe(true);
    expect(can('support', 'users.edit')).toBe(false);
    const support = [...catalogue.permissionsOf('support')];
    expect(support.filter((p) => /\.(edit|send|export)/.test(p))).toEqual([]);
    const account = catalogue.permissions.slice(
      catalogue.permissions.findIndex((p) => p.key === 'users.view'),
    );
    expect(account.filter((p) => can('support', p.key))).toEqual([]);
  });

  test('support staff never change users or roles, reset MFA, import data, change the plan or see secrets', () => {
    for (const p of ['users.edit', 'roles.assign', 'mfa.reset', 'data.import', 'plan.change']) {
      expect(catalogue.supportNever.has(p)).toBe(true);
    }
    expect(catalogue.supportNever.has('integrations.view_secrets')).toBe(true);
  });

  test('every flow permission requires flows.view', () => {
    const flows = catalogue.permissions.filter((p) => p.key.startsWith('flows.') && p.key !== 'flows.view');
    expect(flows).toHaveLength(11);
    for (const p of flows) expect(catalogue.requires(p.key)).toContain('flows.view');
  });

  test('a role the catalogue does not know grants nothing', () => {
    expect(catalogue.permissionsOf('superuser').size).toBe(0);
    expect(catalogue.hasRole('superuser')).toBe(false);
  });
});

describe('the simple catalogue (shared/seeds/004)', () => {
  const catalogue = loadCatalogue('simple');
  const can = (role: string, permission: string) => catalogue.permissionsOf(role).has(permission);

  test('Read-Only cannot export data; a User can', () => {
    expect(can('read_only', 'data.export')).toBe(false);
    expect(can('user', 'data.export')).toBe(true);
  });

  test('a User edits only their own reports and sees only assigned projects; an Admin any', () => {
    expect(can('user', 'reports.edit_own')).toBe(true);
    expect(can('user', 'reports.edit_any')).toBe(false);
    expect(can('user', 'projects.view_all')).toBe(false);
    expect(can('admin', 'reports.delete_any')).toBe(true);
    expect(can('admin', 'projects.view_all')).toBe(true);
  });

  test('an Admin manages users but not billing, and cannot delete the account', () => {
    expect(can('admin', 'users.invite')).toBe(true);
    expect(can('admin', 'plan.change')).toBe(false);
    expect(can('admin', 'account.close')).toBe(false);
    expect(catalogue.roles.map((r) => r.name)).toEqual(['Owner', 'Admin', 'User', 'Read-Only']);
  });
});

describe('the granular catalogue (shared/seeds/003)', () => {
  const catalogue = loadCatalogue('granular');

  test('approving requires sending without approval, which requires Sender', () => {
    expect(catalogue.requires('approve_campaigns')).toEqual(['send_without_approval']);
    expect(catalogue.requires('send_without_approval')).toEqual(['sender']);
    expect([...catalogue.prerequisitesOf('approve_campaigns')]).toEqual(['send_without_approval', 'sender']);
  });

  test('the other links of 003 are kept', () => {
    expect(catalogue.requires('contact_exporter')).toEqual(['contacts']);
    expect(catalogue.requires('reporting_drill_down')).toEqual(['analytics']);
    expect(catalogue.requires('template_administrator')).toEqual(['edit_campaigns']);
  });

  test('a Sender’s campaigns wait for approval', () => {
    expect(catalogue.permissionsOf('sender').has('sender')).toBe(true);
    expect(catalogue.permissionsOf('sender').has('send_without_approval')).toBe(false);
    expect(catalogue.permissionsOf('manager').has('approve_campaigns')).toBe(true);
  });
});

describe('a broken catalogue stops the start, naming the file and the key', () => {
  type Edit = (c: RawCatalogue) => void;
  const role = (c: RawCatalogue, key: string) => c.roles.find((r) => r.key === key)!;
  const permission = (c: RawCatalogue, key: string) => c.permissions.find((p) => p.key === key)!;

  const cases: [string, string, Edit, string, string][] = [
    [
      'an unknown permission in a role',
      'simple',
      (c) => role(c, 'read_only').permissions.push('reports.fly'),
      'roles[3].permissions[3]',
      'unknown permission "reports.fly"',
    ],
    [
      'an unknown permission in requires',
      'simple',
      (c) => (permission(c, 'reports.create').requires = ['reports.view', 'reports.draft']),
      'permissions[1].requires[1]',
      'requires unknown permission "reports.draft"',
    ],
    [
      'an unknown permission in supportNever',
      'default',
      (c) => (c.supportNever = ['users.edit', 'users.fire']),
      'supportNever[1]',
      'unknown permission "users.fire"',
    ],
    [
      'a role holding a permission without its prerequisite',
      'simple',
      (c) => role(c, 'read_only').permissions.push('reports.edit_any'),
      'roles[3].permissions[3]',
      'not its prerequisite "reports.edit_own"',
    ],
    [
      'a role missing a prerequisite of a prerequisite',
      'granular',
      (c) => (role(c, 'viewer').permissions = ['analytics', 'approve_campaigns', 'send_without_approval']),
      'roles[4].permissions[1]',
      'approve_campaigns requires send_without_approval requires sender',
    ],
    [
      'a requires cycle',
      'simple',
      (c) => (permission(c, 'reports.view').requires = ['reports.comment']),
      'permissions[0].requires',
      'requires cycle: reports.view → reports.comment → reports.view',
    ],
    [
      'a permission that requires itself',
      'granular',
      (c) => (permission(c, 'sender').requires = ['sender']),
      'permissions[16].requires',
      'requires cycle: sender → sender',
    ],
    [
      'two roles with one rank',
      'simple',
      (c) => (role(c, 'user').rank = 2),
      'roles[2].rank',
      'as does "admin"',
    ],
    [
      'a duplicate role key',
      'default',
      (c) => (role(c, 'support').key = 'analyst'),
      'roles[6].key',
      'duplicate role "analyst"',
    ],
    [
      'a duplicate permission key',
      'simple',
      (c) => c.permissions.push({ key: 'reports.view', description: 'again' }),
      `permissions[${readShipped('simple').permissions.length}].key`,
      'duplicate permission "reports.view" (permissions[0])',
    ],
    [
      'no owner role',
      'simple',
      (c) => {
        const owner = role(c, 'owner');
        owner.owner = false;
        owner.permissions = c.permissions.map((p) => p.key);
      },
      'roles',
      'no owner role',
    ],
    [
      'two owner roles',
      'granular',
      (c) => (role(c, 'manager').owner = true),
      'roles[1].owner',
      'second owner role',
    ],
    [
      '"*" on a non-owner role',
      'simple',
      (c) => (role(c, 'admin').permissions = ['*']),
      'roles[1].permissions[0]',
      'allowed only on the owner role',
    ],
    [
      'a missing Roster permission',
      'simple',
      (c) => (c.permissions = c.permissions.filter((p) => p.key !== 'mfa.reset')),
      'permissions',
      'missing "mfa.reset"',
    ],
    [
      'a rank that is not a number',
      'simple',
      (c) => ((role(c, 'user') as { rank: unknown }).rank = '3'),
      'roles[2].rank',
      'expected number',
    ],
    [
      'a misspelt field',
      'granular',
      (c) => Object.assign(permission(c, 'sender'), { require: ['contacts'] }),
      'permissions[16]',
      'require',
    ],
  ];

  test.each(cases)('%s', (_, base, edit, key, message) => {
    const catalogue = readShipped(base);
    edit(catalogue);
    const file = writeCatalogue(catalogue);
    const load = () => loadCatalogue(file);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^${escape(`${file}: ${key}: `)}.*${escape(message)}`));
  });

  test('a syntax error names the file', () => {
    const file = writeCatalogue('{ "name": "broken", ');
    expect(() => loadCatalogue(file)).toThrow(new RegExp(`^${escape(file)}: \\(syntax\\): not valid JSON`));
  });

  test('an unknown name names the file it looked for and the shipped catalogues', () => {
    expect(() => loadCatalogue('fancy')).toThrow(`${join(shipped, 'fancy.json')}: (file): no such catalogue`);
    expect(() => loadCatalogue('fancy')).toThrow('default, granular, simple');
  });

  test('the domain reports the JSON path on CatalogueError', () => {
    const catalogue = readShipped('simple');
    role(catalogue, 'admin').permissions.push('account.explode');
    expect(() => validateCatalogue(catalogue)).toThrow(CatalogueError);
    expect(() => validateCatalogue(catalogue)).toThrow(
      expect.objectContaining({
        key: 'roles[1].permissions[27]',
        message: 'unknown permission "account.explode"',
      }),
    );
  });
});
