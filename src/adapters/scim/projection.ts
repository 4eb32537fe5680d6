import { ScimError } from './scim-error';

/**
 * RFC 7644 §3.4.2.5 attributes / excludedAttributes, applied to an outgoing resource.
 * `id`, `schemas` and `meta.resourceType` are always returned.
 */
export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

const alwaysReturned = new Set(['id', 'schemas']);

export function parseAttributeList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const list: unknown[] = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',')
      : [value];
  if (list.some((v) => typeof v !== 'string')) {
    throw ScimError.badRequest('invalidSyntax', `${name} must be a comma-separated list of attribute names`);
  }
  const attrs = (list as string[]).map((v) => v.trim()).filter(Boolean);
  if (attrs.some((a) => !/^[A-Za-z0-9:._$-]+$/.test(a))) {
    throw ScimError.badRequest('invalidSyntax', `${name} must be a comma-separated list of attribute names`);
  }
  return attrs;
}

/** The projection a request's query string asks for. */
export function projectionFrom(query: Record<string, unknown>): Projection {
  return {
    attributes: parseAttributeList(query.attributes, 'attributes'),
    excludedAttributes: parseAttributeList(query.excludedAttributes, 'excludedAttributes'),
  };
}

/** True when the projection leaves out `attr` entirely (e.g. members of a group). */
export function excludes(projection: Projection, attr: string): boolean {
  const name = attr.toLowerCase();
  if (projection.attributes) return !projection.attributes.some((a) => splitPath(a)[0] === name);
  return projection.excludedAttributes?.some((a) => a.toLowerCase() === name) ?? false;
}

export function project(
  resource: Record<string, unknown>,
  projection: Projection,
  coreUrn: string,
): Record<string, unknown> {
  let out = resource;
  if (projection.attributes)
    out = keepOnly(
      resource,
      projection.attributes.map((a) => stripCore(a, coreUrn)),
    );
  else if (projection.excludedAttributes)
    out = drop(
      resource,
      projection.excludedAttributes.map((a) => stripCore(a, coreUrn)),
    );
  else return resource;
  // Nothing was left out (e.g. `excludedAttributes=members` on a group read without them).
  if (out === resource) return resource;
  // `schemas` names only the extensions whose attributes are still in the resource.
  const schemas = Array.isArray(out.schemas) ? (out.schemas as string[]) : [];
  return { ...out, schemas: schemas.filter((urn) => urn === coreUrn || urn in out) };
}
function stripCore(attr: string, coreUrn: string): string {
  return attr.toLowerCase().startsWith(coreUrn.toLowerCase() + ':') ? attr.slice(coreUrn.length + 1) : attr;
}

/** `name.givenName` → ['name', 'givenname']; `urn:…:User:employeeNumber` → ['urn:…:user', 'employeenumber']. */
function splitPath(attr: string): string[] {
  const lower = attr.toLowerCase();
  if (lower.startsWith('urn:')) {
    const at = lower.lastIndexOf(':');
    const sub = lower.slice(at + 1);
    // `urn:…:enterprise:2.0:User` alone names the whole extension.
    if (/^\d|^user$|^group$/.test(sub)) return [lower];
    return [lower.slice(0, at), ...sub.split('.')];
  }
  return lower.split('.');
}

function keepOnly(resource: Record<string, unknown>, attrs: string[]): Record<string, unknown> {
  const paths = attrs.map(splitPath);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const k = key.toLowerCase();
    if (alwaysReturned.has(key)) out[key] = value;
    else if (key === 'meta') {
      if (paths.some((p) => p[0] === 'meta')) out.meta = value;
    } else {
      const matching = paths.filter((p) => p[0] === k);
      if (matching.length === 0) continue;
      out[key] = matching.some((p) => p.length === 1)
        ? value
        : pick(
            value,
            matching.map((p) => p.slice(1)),
          );
    }
  }
  if (!out.meta && resource.meta)
    out.meta = { resourceType: (resource.meta as Record<string, unknown>).resourceType };
  return out;
}

function pick(value: unknown, subPaths: string[][]): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, subPaths));
  if (!value || typeof value !== 'object') return value;
  return keepSubset(value as Record<string, unknown>, subPaths);
}

function keepSubset(obj: Record<string, unknown>, subPaths: string[][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    const matching = subPaths.filter((p) => p[0] === key.toLowerCase());
    if (matching.length === 0) continue;
    out[key] = matching.some((p) => p.length === 1)
      ? v
      : pick(
          v,
          matching.map((p) => p.slice(1)),
        );
  }
  return out;
}

/** The resource without `attrs`; the resource itself (not a copy) when none of them is in it. */
function drop(resource: Record<string, unknown>, attrs: string[]): Record<string, unknown> {
  let out = resource;
  for (const path of attrs.map(splitPath)) {
    const key = Object.keys(out).find((k) => k.toLowerCase() === path[0]);
    if (!key || alwaysReturned.has(key) || key === 'meta') continue;
    if (out === resource) out = { ...resource };
    if (path.length === 1) delete out[key];
    else out[key] = dropSub(out[key], path.slice(1));
  }
  return out;
}

function dropSub(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => dropSub(v, path));
  if (!value || typeof value !== 'object') return value;
  const obj = { ...(value as Record<string, unknown>) };
  const key = Object.keys(obj).find((k) => k.toLowerCase() === path[0]);
  if (!key) return obj;
  if (path.length === 1) delete obj[key];
  else obj[key] = dropSub(obj[key], path.slice(1));
  return obj;
}
