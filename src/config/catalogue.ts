import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import {
  CatalogueError,
  validateCatalogue,
  type Catalogue,
  type RawCatalogue,
} from '../domain/access/catalogue';
import { ConfigError } from './load';

/**
 * config/catalogues at the project root, from src/config (ts-node, jest) or dist/src/config
 * (the build): the shipped catalogues are data next to the code, not inside dist.
 */
const cataloguesDir = (() => {
  const fromSrc = resolve(__dirname, '..', '..');
  const root = basename(fromSrc) === 'dist' ? resolve(fromSrc, '..') : fromSrc;
  return resolve(root, 'config', 'catalogues');
})();

const permissionKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'must be lower-case words joined by "." or "_"');

/** The file's shape (docs/catalogues.md); the meaning (links, ranks, the owner) is checked by the domain. */
const catalogueSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  permissions: z.array(
    z.strictObject({
      key: permissionKey,
      description: z.string(),
      requires: z.array(z.string()).optional(),
    }),
  ),
  roles: z.array(
    z.strictObject({
      key: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, "_" or "-"'),
      name: z.string().min(1),
      rank: z.int().min(1),
      owner: z.boolean().optional(),
      description: z.string(),
      permissions: z.array(z.string()),
    }),
  ),
  supportNever: z.array(z.string()).optional(),
}) satisfies z.ZodType<RawCatalogue>;

/** `['roles', 3, 'permissions', 2]` → `roles[3].permissions[2]`. */
function jsonPath(path: readonly PropertyKey[]): string {
  const text = path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('')
    .replace(/^\./, '');
  return text === '' ? '(root)' : text;
}

/** A bare name (`default`, `simple`, `granular`) is a shipped catalogue; anything else is a path. */
export function catalogueFile(fileOrName: string): string {
  return /^[a-z0-9_-]+$/i.test(fileOrName)
    ? resolve(cataloguesDir, `${fileOrName}.json`)
    : resolve(fileOrName);
}

/**
 * Reads, checks and returns a role catalogue. Any problem stops the start with a ConfigError
 * `<file>: <key>: <message>` (R6), the key being the JSON path of the offending value.
 */
export function loadCatalogue(fileOrName: string): Catalogue {
  const file = catalogueFile(fileOrName);
  if (!existsSync(file)) {
    const shipped = existsSync(cataloguesDir)
      ? readdirSync(cataloguesDir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.replace(/\.json$/, ''))
          .sort()
      : [];
    throw new ConfigError(`${file}: (file): no such catalogue (shipped: ${shipped.join(', ')})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: (syntax): not valid JSON: ${(err as Error).message}`);
  }
  const parsed = catalogueSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${file}: ${jsonPath(issue.path)}: ${issue.message}`).join('\n'),
    );
  }
  try {
    return validateCatalogue(parsed.data);
  } catch (err) {
    if (err instanceof CatalogueError) throw new ConfigError(`${file}: ${err.key}: ${err.message}`);
    throw err;
  }
}
