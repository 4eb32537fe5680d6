import { Command } from 'commander';
import { print, withAccount } from '../context';

interface AuditOptions {
  account: string;
  limit: string;
  subject?: string;
  action?: string;
  json?: boolean;
}

export function auditCommand(): Command {
  return new Command('audit')
    .description("Read an account's audit log, newest first")
    .requiredOption('--account <id>', 'account id')
    .option('--limit <n>', 'how many events', '50')
    .option('--subject <id>', 'only events about this user, group, mapping or key')
    .option('--action <action>', 'only this action, e.g. user.role_changed')
    .option('--json', 'print JSON')
    .action(async (options: AuditOptions) => {
      await withAccount(options.account, async (roster, actor) => {
        const page = await roster.services.audit.list(actor, {
          limit: Number(options.limit),
          subjectId: options.subject,
          action: options.action,
        });
        const lines = page.events.map(
          (e) =>
            `${new Date(e.occurredAt).toISOString()}  ${e.action.padEnd(28)} ${e.subjectType} ${e.subjectName ?? e.subjectId}` +
            `  by ${e.actorKind} ${e.actorName ?? e.actorId} via ${e.channel}  ${JSON.stringify(e.after)}`,
        );
        print(options.json === true, page, lines.join('\n') || 'No events.');
      });
    });
}
