import { Command } from 'commander';
import { print, withAccount } from '../context';

export function ownershipCommand(): Command {
  const ownership = new Command('ownership').description("Break-glass operations on an account's ownership");
  ownership
    .command('force-transfer')
    .description(
      'Make another active user the Owner when the Owner is gone (audited as an operator, with the reason)',
    )
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--to <userId>', 'the user who becomes Owner (an active user of the account)')
    .requiredOption('--reason <text>', 'why; recorded in the audit log')
    .option('--json', 'print JSON')
    .action(async (options: { account: string; to: string; reason: string; json?: boolean }) => {
      await withAccount(options.account, async (roster, actor) => {
        const account = await roster.services.ownership.forceTransfer(actor, options.to, options.reason);
        print(
          options.json === true,
          { accountId: account.id, ownerUserId: account.ownerId },
          `Ownership of ${account.name} moved to ${account.ownerId}; the prior Owner is now an Admin.`,
        );
      });
    });
  return ownership;
}
