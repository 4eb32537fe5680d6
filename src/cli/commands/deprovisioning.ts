import { Command } from 'commander';
import type { BrakeStatus } from '../../domain/users/deprovisioning-brake';
import { print, withAccount } from '../context';

function describe(s: BrakeStatus): string {
  const state = s.held ? 'HOLDING further SCIM removals' : 'not holding';
  const approved = s.approvedUntil ? `; approved until ${new Date(s.approvedUntil).toISOString()}` : '';
  const groups = s.lostRoleThroughGroups ? ` (${s.lostRoleThroughGroups} left without a role by groups)` : '';
  return `${s.recent} of at most ${s.limit} users lost access in the last ${s.windowMinutes} minutes${groups}: ${state}${approved}`;
}

/** The brake on mass deprovisioning over SCIM. */
export function deprovisioningCommand(): Command {
  const command = new Command('deprovisioning').description('The brake on mass deprovisioning over SCIM');
  for (const [name, description] of [
    ['status', 'Access removed in the last hour, the limit, and whether the brake holds'],
    ['approve', 'Let further SCIM removals through for the next hour (audited)'],
  ] as const) {
    command
      .command(name)
      .description(description)
      .requiredOption('--account <id>', 'the account id')
      .option('--json', 'print JSON')
      .action(async (options: { account: string; json?: boolean }) => {
        await withAccount(options.account, async (roster, actor) => {
          const brake = roster.services.deprovisioning;
          const status = name === 'approve' ? await brake.approve(actor) : await brake.status(actor);
          print(options.json === true, status, describe(status));
        });
      });
  }
  return command;
}
