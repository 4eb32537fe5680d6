import { spreadsheetCsv } from './csv';
import type { ReviewedMember as Reviewed } from '../../domain/access/member-service';

/** The access review (shared/seeds/004's quarterly review) as the admin API and the CLI give it. */
export type ReviewedMember = ReturnType<typeof reviewed>;

/** Last login comes from SSO sign-ins; null until the user has signed in. */
export function reviewed(member: Reviewed) {
  return {
    ...member,
    lastLogin: member.lastLogin === null ? null : new Date(member.lastLogin).toISOString(),
  };
}

export const csvColumns = [
  'id',
  'userName',
  'displayName',
  'status',
  'role',
  'roleName',
  'roleSource',
  'roleGroup',
  'manualRole',
  'overrideMode',
  'granted',
  'restricted',
  'permissions',
  'lastLogin',
  'mfaRequired',
  'mfaRequiredBy',
  'mfaUserFlag',
] as const;

/**
 * One row per member. Lists are space-separated inside their cell; cells that a spreadsheet would
 * run as a formula (a userName starting with "=") are escaped (csv.ts).
 */
export function accessReviewCsv(members: ReviewedMember[]): string {
  const rows = members.map((m) => ({
    ...m,
    overrideMode: m.overrides.mode,
    granted: m.overrides.granted.join(' '),
    restricted: m.overrides.restricted.join(' '),
    permissions: m.permissions.join(' '),
    mfaRequired: m.mfa.required,
    mfaRequiredBy: m.mfa.because ?? '',
    mfaUserFlag: m.mfa.userFlag ?? '',
  }));
  return spreadsheetCsv(rows, { header: true, columns: [...csvColumns] });
}
