import { ScimError } from './scim-error';

/** meta.version and the ETag header: a weak validator over the row's version counter. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * The versions an If-Match header accepts (RFC 9110 §13.1.1: any of those listed), or undefined
 * when it demands none (absent or `*`). A header naming no version we could have issued cannot
 * match: 412 without touching anything.
 */
export function expectedVersion(ifMatch: string | undefined): readonly number[] | undefined {
  if (!ifMatch || ifMatch.trim() === '*') return undefined;
  const versions = parseTags(ifMatch);
  if (versions.length > 0) return versions;
  throw new ScimError(
    412,
    undefined,
    `If-Match ${ifMatch} does not match the current version of the resource`,
  );
}

/** True when If-None-Match names the current version (answer 304). */
export function notModified(ifNoneMatch: string | undefined, version: number): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === '*' || parseTags(ifNoneMatch).includes(version);
}

function parseTags(header: string): number[] {
  return header
    .split(',')
    .map((tag) => /^\s*(?:W\/)?"(\d+)"\s*$/.exec(tag)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
}
