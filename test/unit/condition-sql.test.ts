import Database from 'better-sqlite3';
import { parseUserFilter } from '../../src/adapters/scim/filter';
import {
  conditionToSql,
  type CollectionSpec,
  type ColumnSpec,
} from '../../src/adapters/storage/condition-sql';

const userColumns: Record<string, ColumnSpec> = {
  id: { column: 'u.id', kind: 'ce' },
  userName: { column: 'u.user_name_norm', kind: 'ci' },
  externalId: { column: 'u.external_id', kind: 'ce' },
  displayName: { column: 'u.display_name_norm', kind: 'ci' },
  active: { column: 'u.active', kind: 'bool' },
  lastModified: { column: 'u.last_modified', kind: 'time' },
};

const userCollections: Record<string, CollectionSpec> = {
  emails: {
    from: 'SELECT 1 FROM user_emails e WHERE e.user_id = u.id',
    fields: {
      value: { column: 'e.value_norm', kind: 'ci' },
      type: { column: 'e.type_norm', kind: 'ci' },
      primary: { column: 'e.is_primary', kind: 'bool' },
    },
  },
};

const at = (iso: string) => Date.parse(iso);

const users = [
  {
    id: 'u1',
    userName: 'jordan.rivera@example.com',
    ext: 'EXT-1',
    display: 'Jordan Rivera',
    active: 1,
    mod: '2024-01-10',
  },
  { id: 'u2', userName: 'sam_100%@example.com', ext: 'ext-1', display: null, active: 0, mod: '2024-03-01' },
  { id: 'u3', userName: 'alex@acme.test', ext: null, display: 'Alex', active: 1, mod: '2024-06-01' },
  {
    id: 'u4',
    userName: 'samx100y@example.com',
    ext: 'ext-4',
    display: 'Sam X',
    active: 1,
    mod: '2024-06-02',
  },
  { id: 'u5', userName: 'pat!x@example.com', ext: 'ext-5', display: '', active: 1, mod: '2024-06-03' },
];

const emails: [string, string, string, number][] = [
  ['u1', 'Jordan@Acme.com', 'work', 1],
  ['u1', 'jordan@gmail.com', 'home', 0],
  ['u2', 'sam@acme.com', 'home', 1],
  ['u3', 'alex@other.org', 'work', 1],
  ['u3', 'x@y', 'home', 0],
  ['u4', 'X@Y', 'Work', 1],
];

let db: Database.Database;

beforeAll(() => {
  db = new Database(':memory:');
  db.pragma('case_sensitive_like = ON');
  db.exec(`
    CREATE TABLE users (
      id TEXT PRIMARY KEY, user_name TEXT NOT NULL, user_name_norm TEXT NOT NULL, external_id TEXT,
      display_name TEXT, display_name_norm TEXT, active INTEGER NOT NULL, last_modified INTEGER NOT NULL);
    CREATE TABLE user_emails (
      user_id TEXT NOT NULL, value TEXT NOT NULL, value_norm TEXT NOT NULL, type_norm TEXT, is_primary INTEGER);
  `);
  const insertUser = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const u of users) {
    const displayNorm = u.display === null ? null : u.display.toLowerCase();
    insertUser.run(
      u.id,
      u.userName,
      u.userName.toLowerCase(),
      u.ext,
      u.display,
      displayNorm,
      u.active,
      at(u.mod),
    );
  }
  const insertEmail = db.prepare('INSERT INTO user_emails VALUES (?, ?, ?, ?, ?)');
  for (const [userId, value, type, primary] of emails) {
    insertEmail.run(userId, value, value.toLowerCase(), type.toLowerCase(), primary);
  }
});

afterAll(() => db.close());

function matching(filter: string): string[] {
  const { sql, params } = conditionToSql(parseUserFilter(filter), userColumns, userCollections);
  const rows = db.prepare(`SELECT u.id FROM users u WHERE ${sql} ORDER BY u.id`).all(...params);
  return rows.map((row) => (row as { id: string }).id);
}

describe('conditionToSql on SQLite', () => {
  it.each<[string, string[]]>([
    ['userName eq "JORDAN.RIVERA@EXAMPLE.COM"', ['u1']],
    ['externalId eq "EXT-1"', ['u1']],
    ['externalId eq "ext-1"', ['u2']],
    ['externalId sw "EXT"', ['u1']],
    ['userName co "_100%"', ['u2']],
    ['userName co "X100Y"', ['u4']],
    ['userName co "!x"', ['u5']],
    ['userName sw "SAM"', ['u2', 'u4']],
    ['userName ew "@ACME.test"', ['u3']],
    ['displayName eq "alex"', ['u3']],
    ['not (userName sw "jordan" or userName sw "sam")', ['u3', 'u5']],
    ['not (active eq true)', ['u2']],
    ['not (displayName eq "Alex")', ['u1', 'u2', 'u4', 'u5']],
    ['not (displayName co "a")', ['u2', 'u5']],
    ['displayName ne "Alex"', ['u1', 'u2', 'u4', 'u5']],
    ['externalId ne "ext-1"', ['u1', 'u3', 'u4', 'u5']],
    ['displayName pr', ['u1', 'u3', 'u4']],
    ['not (displayName pr)', ['u2', 'u5']],
    ['externalId pr', ['u1', 'u2', 'u4', 'u5']],
    ['meta.lastModified gt "2024-06-01T00:00:00Z"', ['u4', 'u5']],
    ['meta.lastModified ge "2024-06-01T00:00:00Z"', ['u3', 'u4', 'u5']],
    ['meta.lastModified gt "2024-02-01T00:00:00Z" and meta.lastModified lt "2024-06-01T00:00:00Z"', ['u2']],
    ['active eq "False"', ['u2']],
    ['active eq true', ['u1', 'u3', 'u4', 'u5']],
    ['emails[type eq "work" and value co "acme"]', ['u1']],
    ['emails[type eq "WORK"].value eq "X@Y"', ['u4']],
    ['emails[type eq "work"] and emails.value eq "x@y"', ['u3', 'u4']],
    ['emails[type eq "work"]', ['u1', 'u3', 'u4']],
    ['emails.primary eq true and emails ew "acme.com"', ['u1', 'u2']],
    ['emails pr', ['u1', 'u2', 'u3', 'u4']],
    ['not (emails pr)', ['u5']],
    ['not (emails[type eq "home"])', ['u4', 'u5']],
    ['userName sw "alex" or userName sw "sam" and active eq false', ['u2', 'u3']],
    ['(userName sw "alex" or userName sw "sam") and active eq false', ['u2']],
    ['active eq false or userName sw "jordan" and emails[type eq "home"]', ['u1', 'u2']],
  ])('%s', (filter, expected) => {
    expect(matching(filter)).toEqual(expected);
  });
});

describe('conditionToSql', () => {
  it('emits parameterized predicates that are never NULL', () => {
    expect(
      conditionToSql(
        { kind: 'compare', field: 'userName', op: 'eq', value: 'A' },
        userColumns,
        userCollections,
      ),
    ).toEqual({ sql: '(u.user_name_norm IS NOT NULL AND u.user_name_norm = ?)', params: ['a'] });
    expect(
      conditionToSql(
        { kind: 'compare', field: 'active', op: 'ne', value: true },
        userColumns,
        userCollections,
      ),
    ).toEqual({ sql: '(u.active IS NULL OR u.active <> ?)', params: [1] });
    expect(conditionToSql({ kind: 'present', field: 'lastModified' }, userColumns, userCollections)).toEqual({
      sql: 'u.last_modified IS NOT NULL',
      params: [],
    });
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(
      conditionToSql({ kind: 'compare', field: 'externalId', op: 'sw', value: 'a%b_c!' }, userColumns, {}),
    ).toEqual({
      sql: "(u.external_id IS NOT NULL AND u.external_id LIKE ? ESCAPE '!')",
      params: ['a!%b!_c!!%'],
    });
  });

  it('maps none to a false predicate', () => {
    expect(conditionToSql({ kind: 'none' }, userColumns, {})).toEqual({ sql: '1 = 0', params: [] });
    expect(matchingCondition({ kind: 'not', inner: { kind: 'none' } })).toHaveLength(users.length);
  });

  it('throws for fields and collections that are not mapped', () => {
    expect(() =>
      conditionToSql({ kind: 'compare', field: 'nickName', op: 'eq', value: 'x' }, userColumns, {}),
    ).toThrow(/nickName/);
    expect(() => conditionToSql({ kind: 'present', field: 'toString' }, userColumns, {})).toThrow(/toString/);
    expect(() =>
      conditionToSql(
        { kind: 'some', collection: 'groups', where: { kind: 'present', field: 'value' } },
        userColumns,
        userCollections,
      ),
    ).toThrow(/groups/);
  });

  it('throws for a value of the wrong type', () => {
    expect(() =>
      conditionToSql({ kind: 'compare', field: 'active', op: 'eq', value: 'true' }, userColumns, {}),
    ).toThrow();
    expect(() =>
      conditionToSql({ kind: 'compare', field: 'active', op: 'co', value: true }, userColumns, {}),
    ).toThrow();
  });
});

function matchingCondition(cond: Parameters<typeof conditionToSql>[0]): unknown[] {
  const { sql, params } = conditionToSql(cond, userColumns, userCollections);
  return db.prepare(`SELECT u.id FROM users u WHERE ${sql}`).all(...params);
}
