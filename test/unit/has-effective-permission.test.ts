import { loadCatalogue } from '../../src/config/catalogue';
import {
  effectivePermissions,
  hasEffectivePermission,
  type PermissionOverrides,
} from '../../src/domain/access/permissions';

// The authorize hot path answers with hasEffectivePermission; the rest of Roster (the access
// review, the members list) with effectivePermissions. They must never disagree.
test('hasEffectivePermission answers as effectivePermissions does, for every role, mode and permission', () => {
  for (const name of ['default', 'simple', 'granular']) {
    const catalogue = loadCatalogue(name);
    const keys = catalogue.permissions.map((p) => p.key);
    const roles = [null, ...catalogue.roles.map((r) => r.key)];
    const overrideSets: PermissionOverrides[] = (['role', 'all', 'none'] as const).flatMap((mode) => [
      { mode, granted: [], restricted: [] },
      { mode, granted: keys.slice(0, 3), restricted: keys.slice(2, 5) },
      { mode, granted: keys.slice(-2), restricted: [] },
    ]);
    for (const role of roles) {
      for (const overrides of overrideSets) {
        const all = effectivePermissions(catalogue, role, overrides);
        for (const permission of keys) {
          expect([
            name,
            role,
            overrides,
            permission,
            hasEffectivePermission(catalogue, role, overrides, permission),
          ]).toEqual([name, role, overrides, permission, all.has(permission)]);
        }
      }
    }
  }
});
