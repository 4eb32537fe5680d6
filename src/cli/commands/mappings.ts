import { Command, Option } from 'commander';
import type { GroupMatchKind, RoleMapping } from '../../domain/ports';
import { print, withAccount } from '../context';

interface AddOptions {
  account: string;
  groupId?: string;
  groupExternalId?: string;
  groupName?: string;
  role: string;
  json?: boolean;
}

const groupOptions = ['group-id', 'group-external-id', 'group-name'] as const;

/** The one group option given, as the domain's match kind and value. */
function groupMatch(options: AddOptions): { matchKind: GroupMatchKind; matchValue: string } | null {
  const given: { matchKind: GroupMatchKind; matchValue: string }[] = [];
  if (options.groupId !== undefined) given.push({ matchKind: 'id', matchValue: options.groupId });
  if (options.groupExternalId !== undefined)
    given.push({ matchKind: 'externalId', matchValue: options.groupExternalId });
  if (options.groupName !== undefined)
    given.push({ matchKind: 'displayName', matchValue: options.groupName });
  return given.length === 1 ? given[0] : null;
}

const matchOption: Record<GroupMatchKind, string> = {
  id: 'group id',
  externalId: 'group externalId',
  displayName: 'group name',
};

function row(mapping: RoleMapping) {
  return {
    mappingId: mapping.id,
    matchKind: mapping.matchKind,
    matchValue: mapping.matchValue,
    roleKey: mapping.roleKey,
    created: new Date(mapping.created).toISOString(),
  };
}

function describe(mapping: ReturnType<typeof row>): string {
  return `${matchOption[mapping.matchKind]} "${mapping.matchValue}" -> ${mapping.roleKey}`;
}

export function mappingsCommand(): Command {
  const mappings = new Command('mappings').description(
    "Map an account's IdP groups to roles (members' roles are recomputed at once)",
  );
  mappings
    .command('add')
    .description('Map an IdP group, named by exactly one of its id, externalId or name, to a role')
    .requiredOption('--account <id>', 'account id')
    .addOption(
      new Option('--group-id <id>', "the group's SCIM id").conflicts(['groupExternalId', 'groupName']),
    )
    .addOption(
      new Option(
        '--group-external-id <externalId>',
        "the group's externalId (as the IdP sends it)",
      ).conflicts(['groupId', 'groupName']),
    )
    .addOption(
      new Option('--group-name <displayName>', "the group's displayName (case-insensitive)").conflicts([
        'groupId',
        'groupExternalId',
      ]),
    )
    .requiredOption('--role <key>', 'the role key in the catalogue (e.g. analyst)')
    .option('--json', 'print one JSON object')
    .action(async (options: AddOptions, command: Command) => {
      const match = groupMatch(options);
      if (!match) {
        command.error(`error: name the group with one of ${groupOptions.map((o) => `--${o}`).join(', ')}`);
      }
      await withAccount(options.account, async (roster, actor) => {
        const mapping = await roster.services.mappings.add(actor, {
          ...match,
          roleKey: options.role,
        });
        const result = row(mapping);
        print(options.json === true, result, `Mapping ${result.mappingId} added: ${describe(result)}.`);
      });
    });
  mappings
    .command('list')
    .description("List the account's group-to-role mappings")
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const rows = (await roster.services.mappings.list(actor)).map(row);
        const human = rows.map((r) => `${r.mappingId}  ${describe(r)}  created ${r.created}`).join('\n');
        print(options.json === true, rows, human || 'No mappings.');
      });
    });
  mappings
    .command('remove')
    .description("Remove a mapping; its group's members lose the role it gave them")
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--mapping <mappingId>', 'the mapping id shown by list')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; mapping: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        await roster.services.mappings.remove(actor, options.mapping);
        print(
          options.json === true,
          { mappingId: options.mapping, removed: true },
          `Mapping ${options.mapping} removed.`,
        );
      });
    });
  return mappings;
}
