/**
 * The role catalogue: which roles exist, their rank, and the permissions each holds.
 * The catalogue is data (config/catalogues/*.json, format in docs/catalogues.md); this module
 * checks one once, at start (R6), and answers questions about it. Pure domain (R1).
 */

/** A permission key such as `flows.view_analytics` or `send_without_approval`. */
export type Permission = string;
/** A role key such as `owner` or `campaign_coordinator`; stored on users and group mappings. */
export type RoleKey = string;

/** Grants every permission of the catalogue; only the owner role may hold it. */
export const allPermissions = '*';

/**
 * The permissions Roster's own rules check (roles.md: the role store's rules, support access).
 * Every catalogue must define them, or those rules could never be satisfied by anyone.
 */
export const rosterPermissions: readonly Permission[] = Object.freeze([
  'users.view',
  'users.invite',
  'users.edit',
  'users.delete',
  'roles.assign',
  'account.transfer_ownership',
  'account.close',
  'audit.view',
  'mappings.edit',
  'scim.manage_tokens',
  'sso.configure',
  'support_access.grant',
  'support_access.revoke',
  'mfa.reset',
]);

/** The catalogue as written in the JSON file (after its shape is checked by src/config). */
export interface RawCatalogue {
  name: string;
  description: string;
  permissions: { key: string; description: string; requires?: string[] }[];
  roles: {
    key: string;
    name: string;
    rank: number;
    owner?: boolean;
    description: string;
    permissions: string[];
  }[];
  supportNever?: string[];
}

export interface PermissionDefinition {
  readonly key: Permission;
  readonly description: string;
  /** Direct prerequisites, as written. */
  readonly requires: readonly Permission[];
}

export interface RoleDefinition {
  readonly key: RoleKey;
  readonly name: string;
  /** 1 is strongest; unique within a catalogue. */
  readonly rank: number;
  readonly owner: boolean;
  readonly description: string;
  /** With `*` expanded. */
  readonly permissions: ReadonlySet<Permission>;
}

export interface Catalogue {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly PermissionDefinition[];
  /** Strongest first. */
  readonly roles: readonly RoleDefinition[];
  readonly ownerRole: RoleDefinition;
  /** What support staff never get, whatever their role (roles.md, support access). */
  readonly supportNever: ReadonlySet<Permission>;
  hasRole(roleKey: string): boolean;
  hasPermission(permission: string): boolean;
  /** Undefined for a key the catalogue does not define. */
  role(roleKey: string): RoleDefinition | undefined;
  /** A role the catalogue does not know grants nothing (deny by default, R9). */
  permissionsOf(roleKey: string): ReadonlySet<Permission>;
  /** Throws for an unknown role: callers check hasRole first. */
  rank(roleKey: string): number;
  /** The direct prerequisites of a permission; throws for an unknown permission. */
  requires(permission: string): readonly Permission[];
  /** Every prerequisite, transitively; throws for an unknown permission. */
  prerequisitesOf(permission: string): ReadonlySet<Permission>;
  /** The stronger (lower rank) of two roles; throws for an unknown role. */
  stronger(a: string, b: string): RoleKey;
}

/** A catalogue that cannot be used. `key` is the JSON path of the offending value, e.g. `roles[3].permissions[2]`. */
export class CatalogueError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'CatalogueError';
  }
}

const fail = (key: string, message: string): never => {
  throw new CatalogueError(key, message);
};

/**
 * Checks a catalogue and returns it frozen. Throws CatalogueError at the first problem:
 * a duplicate key, an unknown permission (in `requires`, a role or `supportNever`), a
 * `requires` cycle, a missing Roster permission, a duplicate or invalid rank, not exactly one
 * owner role, `*` on a non-owner role, or a role holding a permission without its prerequisites.
 */
export function validateCatalogue(raw: RawCatalogue): Catalogue {
  const requires = checkPermissions(raw);
  const roles = checkRoles(raw, requires);
  const supportNever = new Set<Permission>();
  (raw.supportNever ?? []).forEach((p, i) => {
    if (!requires.has(p)) fail(`supportNever[${i}]`, `unknown permission "${p}"`);
    supportNever.add(p);
  });
  return buildCatalogue(raw, requires, roles, supportNever);
}

/** Returns each permission's direct prerequisites. */
function checkPermissions(raw: RawCatalogue): Map<Permission, readonly Permission[]> {
  const requires = new Map<Permission, readonly Permission[]>();
  const index = new Map<Permission, number>();
  raw.permissions.forEach((p, i) => {
    if (p.key === allPermissions) fail(`permissions[${i}].key`, `"${allPermissions}" is reserved`);
    const seen = index.get(p.key);
    if (seen !== undefined)
      fail(`permissions[${i}].key`, `duplicate permission "${p.key}" (permissions[${seen}])`);
    index.set(p.key, i);
    requires.set(p.key, p.requires ?? []);
  });
  raw.permissions.forEach((p, i) =>
    (p.requires ?? []).forEach((r, j) => {
      if (!requires.has(r))
        fail(`permissions[${i}].requires[${j}]`, `"${p.key}" requires unknown permission "${r}"`);
    }),
  );
  const cycle = findCycle(requires);
  if (cycle) {
    fail(`permissions[${index.get(cycle[0])}].requires`, `requires cycle: ${cycle.join(' → ')}`);
  }
  for (const p of rosterPermissions) {
    if (!requires.has(p)) fail('permissions', `missing "${p}": Roster's own rules check it`);
  }
  return requires;
}

/** Depth-first search; returns a cycle as [a, b, …, a], or undefined. */
function findCycle(requires: ReadonlyMap<Permission, readonly Permission[]>): Permission[] | undefined {
  const done = new Set<Permission>();
  const path: Permission[] = [];
  const visit = (p: Permission): Permission[] | undefined => {
    const at = path.indexOf(p);
    if (at >= 0) return [...path.slice(at), p];
    if (done.has(p)) return undefined;
    path.push(p);
    for (const r of requires.get(p) ?? []) {
      const cycle = visit(r);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(p);
    return undefined;
  };
  for (const p of requires.keys()) {
    const cycle = visit(p);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every prerequisite of `p` with the chain that leads to it (`p → … → prerequisite`). */
function prerequisiteChains(
  requires: ReadonlyMap<Permission, readonly Permission[]>,
  p: Permission,
): Map<Permission, Permission[]> {
  const chains = new Map<Permission, Permission[]>();
  const queue: Permission[][] = [[p]];
  for (let chain = queue.shift(); chain; chain = queue.shift()) {
    for (const r of requires.get(chain[chain.length - 1]) ?? []) {
      if (chains.has(r)) continue;
      chains.set(r, [...chain, r]);
      queue.push([...chain, r]);
    }
  }
  return chains;
}

function checkRoles(
  raw: RawCatalogue,
  requires: ReadonlyMap<Permission, readonly Permission[]>,
): RoleDefinition[] {
  const keys = new Map<RoleKey, number>();
  const ranks = new Map<number, number>();
  let owner: number | undefined;
  const roles = raw.roles.map((role, i): RoleDefinition => {
    const at = `roles[${i}]`;
    if (keys.has(role.key)) fail(`${at}.key`, `duplicate role "${role.key}" (roles[${keys.get(role.key)}])`);
    keys.set(role.key, i);
    if (!Number.isInteger(role.rank) || role.rank < 1) fail(`${at}.rank`, `rank must be an integer ≥ 1`);
    const other = ranks.get(role.rank);
    if (other !== undefined) {
      fail(
        `${at}.rank`,
        `"${role.key}" has rank ${role.rank}, as does "${raw.roles[other].key}" (roles[${other}])`,
      );
    }
    ranks.set(role.rank, i);
    const isOwner = role.owner === true;
    if (isOwner && owner !== undefined) {
      fail(
        `${at}.owner`,
        `"${role.key}" is a second owner role ("${raw.roles[owner].key}" is one): exactly one is allowed`,
      );
    }
    if (isOwner) owner = i;
    return { ...role, owner: isOwner, permissions: rolePermissions(role, at, isOwner, requires) };
  });
  if (owner === undefined) fail('roles', 'no owner role: exactly one role must have "owner": true');
  return roles.sort((a, b) => a.rank - b.rank);
}

function rolePermissions(
  role: RawCatalogue['roles'][number],
  at: string,
  isOwner: boolean,
  requires: ReadonlyMap<Permission, readonly Permission[]>,
): ReadonlySet<Permission> {
  const held = new Set<Permission>();
  role.permissions.forEach((p, k) => {
    const key = `${at}.permissions[${k}]`;
    if (p === allPermissions && !isOwner) fail(key, `"${allPermissions}" is allowed only on the owner role`);
    if (p !== allPermissions && !requires.has(p)) fail(key, `unknown permission "${p}"`);
    if (held.has(p)) fail(key, `"${p}" is listed twice`);
    held.add(p);
  });
  if (held.has(allPermissions)) return new Set(requires.keys());
  role.permissions.forEach((p, k) => {
    for (const [missing, chain] of prerequisiteChains(requires, p)) {
      if (!held.has(missing)) {
        fail(
          `${at}.permissions[${k}]`,
          `"${role.key}" has "${p}" but not its prerequisite "${missing}" (${chain.join(' requires ')})`,
        );
      }
    }
  });
  return held;
}

function buildCatalogue(
  raw: RawCatalogue,
  requires: ReadonlyMap<Permission, readonly Permission[]>,
  roles: readonly RoleDefinition[],
  supportNever: ReadonlySet<Permission>,
): Catalogue {
  const byKey = new Map(roles.map((r) => [r.key, Object.freeze(r)]));
  const none: ReadonlySet<Permission> = new Set();
  const known = (roleKey: string): RoleDefinition =>
    byKey.get(roleKey) ?? fail('roles', `unknown role "${roleKey}"`);
  const knownPermission = (p: string): readonly Permission[] =>
    requires.get(p) ?? fail('permissions', `unknown permission "${p}"`);
  const closures = new Map<Permission, ReadonlySet<Permission>>();
  return Object.freeze({
    name: raw.name,
    description: raw.description,
    permissions: Object.freeze(
      raw.permissions.map((p) =>
        Object.freeze({
          key: p.key,
          description: p.description,
          requires: Object.freeze([...(p.requires ?? [])]),
        }),
      ),
    ),
    roles: Object.freeze([...byKey.values()]),
    ownerRole: roles.find((r) => r.owner) as RoleDefinition,
    supportNever,
    hasRole: (roleKey: string) => byKey.has(roleKey),
    hasPermission: (p: string) => requires.has(p),
    role: (roleKey: string) => byKey.get(roleKey),
    permissionsOf: (roleKey: string) => byKey.get(roleKey)?.permissions ?? none,
    rank: (roleKey: string) => known(roleKey).rank,
    requires: knownPermission,
    prerequisitesOf: (p: string) => {
      knownPermission(p);
      let closure = closures.get(p);
      if (!closure) closures.set(p, (closure = new Set(prerequisiteChains(requires, p).keys())));
      return closure;
    },
    stronger: (a: string, b: string) => (known(a).rank <= known(b).rank ? a : b),
  });
}
