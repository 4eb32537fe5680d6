/**
 * An error that the SCIM adapter itself raises (bad syntax, bad filter, bad path) before or
 * instead of calling the domain. Rendered by errors.ts in RFC 7644 §3.12 shape.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  /** RFC 9865 §2.1: a cursor the server did not issue for this query. */
  | 'invalidCursor'
  /** RFC 9865 §2.1: a count cursor paging cannot serve (not a positive integer). */
  | 'invalidCount';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  static badRequest(scimType: ScimType, detail: string): ScimError {
    return new ScimError(400, scimType, detail);
  }
}
