import type { RosterCore } from '../../src/composition-core';
import type { Actor } from '../../src/domain/actor';
import type { UserDraft } from '../../src/domain/users/user';

/** A user as an IdP would provision one, without the SCIM round trip. */
export function draftUser(userName: string): UserDraft {
  return {
    userName,
    externalId: null,
    active: true,
    displayName: userName,
    givenName: 'Load',
    familyName: 'User',
    employeeNumber: null,
    managerId: null,
    emails: [{ value: userName, type: 'work', primary: true }],
    profile: { userName, active: true },
  };
}

/**
 * Provisions `count` users through the user service, `batch` per transaction: each one appends
 * its `user.created` event with it, as SCIM provisioning does. Returns their ids.
 */
export async function provisionUsers(
  roster: RosterCore,
  actor: Actor,
  prefix: string,
  count: number,
  batch = 500,
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += batch) {
    const made = await roster.uow.write(actor.accountId, async (tx) => {
      const users = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        users.push(
          await roster.services.users.provisionIn(tx, actor, draftUser(`${prefix}-${i}@load.example.test`)),
        );
      }
      return users.map((u) => u.id);
    });
    ids.push(...made);
  }
  return ids;
}
