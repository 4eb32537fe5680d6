import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deprovisioningCommand } from './commands/deprovisioning';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load';
import { isDomainError } from '../domain/errors';
import { accountsCommand } from './commands/accounts';
import { apiKeysCommand } from './commands/api-keys';
import { auditCommand } from './commands/audit';
import { mappingsCommand } from './commands/mappings';
import { membersCommand } from './commands/members';
import { jobsCommand } from './commands/jobs';
import { supportCommand } from './commands/support';
import { migrateCommand } from './commands/migrate';
import { ownershipCommand } from './commands/ownership';
import { scimTokensCommand } from './commands/scim-tokens';
import { accessCommand } from './commands/children';
import { mfaCommand } from './commands/mfa';
import { ssoCommand } from './commands/sso';
import { hrSyncCommand } from './commands/hr-sync';
import { clientsCommand } from './commands/clients';
import { domainsCommand, oidcCommand } from './commands/oidc';
import { webhooksCommand } from './commands/webhooks';
import { eventsCommand } from './commands/events';

/** `roster`: the operator's command line. Each command is a thin adapter over the domain services. */
export function buildProgram(): Command {
  return new Command()
    .name('roster')
    .description('Roster: SCIM 2.0 provisioning server and role store')
    .version(version(), '-V, --version', 'print the version of Roster')
    .showHelpAfterError()
    .addCommand(accountsCommand())
    .addCommand(scimTokensCommand())
    .addCommand(membersCommand())
    .addCommand(mappingsCommand())
    .addCommand(ownershipCommand())
    .addCommand(apiKeysCommand())
    .addCommand(auditCommand())
    .addCommand(supportCommand())
    .addCommand(jobsCommand())
    .addCommand(deprovisioningCommand())
    .addCommand(ssoCommand())
    .addCommand(hrSyncCommand())
    .addCommand(migrateCommand())
    .addCommand(accessCommand())
    .addCommand(mfaCommand())
    .addCommand(clientsCommand())
    .addCommand(domainsCommand())
    .addCommand(oidcCommand())
    .addCommand(webhooksCommand())
    .addCommand(eventsCommand());
}

export async function run(argv: string[]): Promise<number> {
  try {
    const program = buildProgram();
    exitOverrideEverywhere(program);
    await program.parseAsync(argv);
    // A command may end with a code of its own (jobs run: 3, hr-sync: 4 or 5).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError || isDomainError(err) || isFileError(err)) {
      process.stderr.write(`roster: ${(err as Error).message}\n`);
      return 1;
    }
    // Anything else is a bug: the stack trace is for its report.
    process.stderr.write(`roster: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/** Usage errors of any subcommand end through run() too (exit status, no process.exit mid-command). */
function exitOverrideEverywhere(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideEverywhere(sub);
}

/** A file the operator named cannot be read or written (ENOENT, EACCES, EISDIR…): their error, not ours. */
function isFileError(err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown; path?: unknown } | null;
  return typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.path === 'string';
}

/** package.json's version, from src/cli (jest) or dist/src/cli (the build and the Docker image). */
function version(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

if (require.main === module) {
  void run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
