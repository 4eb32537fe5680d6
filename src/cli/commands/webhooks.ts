import { Command } from 'commander';
import { deliveryJson, webhookJson } from '../../adapters/http/api/webhook-routes';
import type { RosterCore } from '../../composition-core';
import type { Actor } from '../../domain/actor';
import type { DeliveryStatus } from '../../domain/delivery/delivery-ports';
import type { WebhookScope } from '../../domain/delivery/webhook-service';
import type { AccountId } from '../../domain/ids';
import { accountOperator, operatorName, print, withRoster } from '../context';

interface ScopeOptions {
  account?: string;
  allAccounts?: boolean;
  json?: boolean;
}

/** The operator-wide endpoints belong to no account: the operator acts on none. */
const noAccount = '00000000-0000-0000-0000-000000000000' as AccountId;

/** The account's endpoints (--account) or the operator-wide ones (--all-accounts), as the operator. */
async function withScope<T>(
  options: ScopeOptions,
  command: Command,
  work: (roster: RosterCore, actor: Actor, scope: WebhookScope) => Promise<T>,
): Promise<T> {
  if (Boolean(options.account) === Boolean(options.allAccounts)) {
    command.error('error: give exactly one of --account <id> or --all-accounts');
  }
  return withRoster(async (roster) => {
    if (options.allAccounts) {
      const actor: Actor = {
        kind: 'operator',
        accountId: noAccount,
        operator: operatorName(),
        channel: 'cli',
      };
      return work(roster, actor, 'operator-wide');
    }
    return work(roster, await accountOperator(roster, options.account as string), 'account');
  });
}

const scoped = (command: Command) =>
  command
    .option('--account <id>', "the account's endpoints")
    .option('--all-accounts', "operator-wide endpoints: every account's events")
    .option('--json', 'print JSON');

const types = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);

function line(w: ReturnType<typeof webhookJson>): string {
  const state = w.enabled ? 'enabled' : `DISABLED${w.disabledReason ? ` (${w.disabledReason})` : ''}`;
  return `${w.id}  ${w.url}  ${w.eventTypes?.join(',') ?? 'all events'}  ${state}`;
}

export function webhooksCommand(): Command {
  const webhooks = new Command('webhooks').description(
    'Webhook endpoints of an account or of the whole server (docs/webhooks.md): signed pushes of the events feed',
  );
  scoped(webhooks.command('create').description('Add an endpoint; its signing secret is shown this once'))
    .requiredOption('--url <url>', 'where to POST (https)')
    .option('--events <types>', 'comma-separated event types (default: all)')
    .option('--description <text>', 'a note to recognise it by')
    .option('--disabled', 'create it switched off')
    .action(
      async (
        o: ScopeOptions & { url: string; events?: string; description?: string; disabled?: boolean },
        c,
      ) => {
        await withScope(o, c as Command, async (roster, actor, scope) => {
          const { endpoint, secret } = await roster.services.webhooks.create(actor, scope, {
            url: o.url,
            eventTypes: types(o.events),
            description: o.description,
            enabled: o.disabled !== true,
          });
          const json = webhookJson(endpoint);
          print(
            o.json === true,
            { webhook: json, secret },
            `${line(json)}\nSigning secret, shown this once:\n  ${secret}`,
          );
        });
      },
    );
  scoped(webhooks.command('list').description('List endpoints (never a secret)')).action(
    async (o: ScopeOptions, c) => {
      await withScope(o, c as Command, async (roster, actor, scope) => {
        const rows = (await roster.services.webhooks.list(actor, scope)).map(webhookJson);
        print(o.json === true, rows, rows.map(line).join('\n') || 'No webhook endpoints.');
      });
    },
  );
  scoped(webhooks.command('update').description('Change an endpoint: URL, event types, on or off'))
    .requiredOption('--id <webhookId>', 'the endpoint')
    .option('--url <url>', 'a new URL')
    .option('--events <types>', 'comma-separated event types ("" for all)')
    .option('--description <text>', 'a new note')
    .option('--enable', 'switch it on (clears why Roster disabled it)')
    .option('--disable', 'switch it off')
    .action(
      async (
        o: ScopeOptions & {
          id: string;
          url?: string;
          events?: string;
          description?: string;
          enable?: boolean;
          disable?: boolean;
        },
        c,
      ) => {
        if (o.enable && o.disable) (c as Command).error('error: give --enable or --disable, not both');
        await withScope(o, c as Command, async (roster, actor, scope) => {
          const json = webhookJson(
            await roster.services.webhooks.update(actor, scope, o.id, {
              ...(o.url !== undefined ? { url: o.url } : {}),
              ...(o.events !== undefined ? { eventTypes: types(o.events) ?? null } : {}),
              ...(o.description !== undefined ? { description: o.description } : {}),
              ...(o.enable || o.disable ? { enabled: o.enable === true } : {}),
            }),
          );
          print(o.json === true, json, line(json));
        });
      },
    );
  scoped(webhooks.command('delete').description('Delete an endpoint with its delivery log'))
    .requiredOption('--id <webhookId>', 'the endpoint')
    .action(async (o: ScopeOptions & { id: string }, c) => {
      await withScope(o, c as Command, async (roster, actor, scope) => {
        await roster.services.webhooks.delete(actor, scope, o.id);
        print(o.json === true, { deleted: o.id }, `Webhook endpoint ${o.id} deleted.`);
      });
    });
  scoped(
    webhooks.command('rotate-secret').description('A new signing secret; the old one signs too for a while'),
  )
    .requiredOption('--id <webhookId>', 'the endpoint')
    .option(
      '--overlap-seconds <n>',
      'how long the old secret still signs (default WEBHOOK_SECRET_OVERLAP_SECONDS)',
    )
    .action(async (o: ScopeOptions & { id: string; overlapSeconds?: string }, c) => {
      await withScope(o, c as Command, async (roster, actor, scope) => {
        const overlap = o.overlapSeconds === undefined ? undefined : Number(o.overlapSeconds);
        const { endpoint, secret } = await roster.services.webhooks.rotateSecret(actor, scope, o.id, overlap);
        const json = webhookJson(endpoint);
        print(
          o.json === true,
          { webhook: json, secret },
          `New signing secret, shown this once:\n  ${secret}`,
        );
      });
    });
  scoped(webhooks.command('deliveries').description("An endpoint's delivery log, newest first"))
    .requiredOption('--id <webhookId>', 'the endpoint')
    .option('--status <status>', 'pending, delivered, failed or skipped')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (o: ScopeOptions & { id: string; status?: DeliveryStatus; limit: string }, c) => {
      await withScope(o, c as Command, async (roster, actor, scope) => {
        const rows = (
          await roster.services.webhooks.deliveries(actor, scope, o.id, {
            status: o.status,
            limit: Number(o.limit),
          })
        ).map(deliveryJson);
        const human = rows.map(
          (d) =>
            `#${d.position} ${d.eventType} ${d.webhookId}  ${d.status}  attempts ${d.attempts}` +
            `${d.lastStatus !== null ? `  HTTP ${d.lastStatus}` : ''}${d.lastError ? `  ${d.lastError}` : ''}`,
        );
        print(o.json === true, rows, human.join('\n') || 'No deliveries.');
      });
    });
  scoped(
    webhooks
      .command('replay')
      .description('Send the events at feed positions FROM..TO again (same webhook-id)'),
  )
    .requiredOption('--id <webhookId>', 'the endpoint')
    .requiredOption('--from <position>', 'the first feed position')
    .requiredOption('--to <position>', 'the last feed position')
    .action(async (o: ScopeOptions & { id: string; from: string; to: string }, c) => {
      await withScope(o, c as Command, async (roster, actor, scope) => {
        const result = await roster.services.webhooks.replay(actor, scope, o.id, {
          from: Number(o.from),
          to: Number(o.to),
        });
        print(
          o.json === true,
          result,
          `${result.requeued} deliveries sent again, ${result.queued} events it never had queued.`,
        );
      });
    });
  return webhooks;
}
