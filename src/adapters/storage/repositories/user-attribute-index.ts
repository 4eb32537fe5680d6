import type { CollectionSpec, ColumnSpec } from '../condition-sql';
import type { SqlRunner } from '../sql-runner';
import {
  emailDisplayAttr,
  profileCollections,
  profileFields,
  profileIndexOf,
  type ProfileCollection,
  type ProfileField,
} from '../../../domain/users/profile-index';
import type { User } from '../../../domain/users/user';
import { chunks } from './sql';

/**
 * `user_attribute_values`: one row per value of an attribute that lives only in the user's SCIM
 * document (nickName, title, phoneNumbers.value, …), rewritten with the user, so that a filter on
 * any attribute of the schemas is an `EXISTS` in SQL instead of a scan of documents in memory.
 * Multi-valued attributes have one row per element (`attr` = the collection, value '') and one per
 * sub-attribute at the same position.
 */
const table = 'user_attribute_values';

function quoted(name: string): string {
  if (!/^[A-Za-z0-9.]+$/.test(name)) throw new Error(`not an attribute name: ${name}`);
  return `'${name}'`;
}

export const profileFieldColumns = Object.fromEntries(
  Object.entries(profileFields).map(([attr, { kind }]) => [
    attr,
    {
      column: 'a.value_norm',
      kind,
      exists: `SELECT 1 FROM ${table} a WHERE a.user_id = u.id AND a.attr = ${quoted(attr)}`,
    },
  ]),
) as Record<ProfileField, ColumnSpec>;

/** A sub-attribute of an element `el` of a multi-valued attribute. */
function subColumn(
  attr: string,
  kind: ColumnSpec['kind'],
  element: string,
  positionColumn: string,
): ColumnSpec {
  return {
    column: 's.value_norm',
    kind,
    exists:
      `SELECT 1 FROM ${table} s WHERE s.user_id = ${element}.user_id` +
      ` AND s.position = ${positionColumn} AND s.attr = ${quoted(attr)}`,
  };
}

export const profileCollectionSpecs = Object.fromEntries(
  Object.entries(profileCollections).map(([collection, subs]) => [
    collection,
    {
      from: `SELECT 1 FROM ${table} el WHERE el.user_id = u.id AND el.attr = ${quoted(collection)}`,
      fields: Object.fromEntries(
        Object.entries(subs).map(([sub, kind]) => [
          sub,
          subColumn(`${collection}.${sub}`, kind, 'el', 'el.position'),
        ]),
      ),
    },
  ]),
) as Record<ProfileCollection, CollectionSpec>;

/** `emails.display`, beside the user_emails row `e` at the same position. */
export const emailDisplayColumn: ColumnSpec = subColumn(emailDisplayAttr, 'ci', 'e', 'e.position');

/** Replaces the user's index rows with those of their current document. */
export async function writeAttributeIndex(sql: SqlRunner, user: User, replacing: boolean): Promise<void> {
  if (replacing) await sql.run(`DELETE FROM ${table} WHERE user_id = ?`, [user.id]);
  const rows = profileIndexOf(user);
  // Four parameters a row; well below both drivers' limits per statement.
  for (const part of chunks(rows, 200)) {
    await sql.run(
      `INSERT INTO ${table} (user_id, account_id, attr, position, value_norm) VALUES
       ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      part.flatMap((row) => [user.id, user.accountId, row.attr, row.position, row.value]),
    );
  }
}
