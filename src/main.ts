import { createServer, type Server } from 'node:http';
import { ConfigError, loadConfig } from './config/load';
import { compose, type Roster } from './composition';
import { scheduleJobs } from './jobs/scheduler';

/** Starts the server: validate config, open and migrate the database, listen, run the sweeps. */
async function main(): Promise<void> {
  const config = loadConfig();
  const roster = await compose(config);
  await warnAboutTotp(roster);
  const server = createServer(roster.app);
  // IdPs and load balancers keep connections open between provisioning calls; closing an idle
  // one after Node's 5 s default races their next request ("socket hang up" in their logs).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  try {
    await listen(server, config.port);
  } catch (err) {
    await roster.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  roster.logger.info({ port, scimBaseUrl: roster.scimBaseUrl }, 'Roster is listening');
  const stopJobs = scheduleJobs(roster.jobs, config.jobsIntervalSeconds, roster.logger);
  // Every instance delivers: leases in the database keep them from sending one delivery twice at once.
  roster.delivery.start();
  const stop = (signal: string) => {
    roster.logger.info({ signal }, 'shutting down');
    stopJobs();
    server.close(() => void roster.close().then(() => process.exit(0)));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Resolves once listening; a port in use (or not ours to take) stops the start with its reason. */
function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new ConfigError(`PORT=${port}: the port is already in use`));
      else if (err.code === 'EACCES') reject(new ConfigError(`PORT=${port}: not allowed to listen on it`));
      else reject(err);
    });
    server.listen(port, () => resolve());
  });
}

/** An MFA policy that only Roster's TOTP can satisfy cannot work without MFA_TOTP_KEY: say so. */
async function warnAboutTotp(roster: Roster): Promise<void> {
  if (roster.config.mfaTotpKey !== null) return;
  const accounts = await roster.services.mfa.accountsNeedingTotp();
  if (accounts.length === 0) return;
  roster.logger.warn(
    { accounts },
    "MFA_TOTP_KEY is not set, but these accounts' MFA policies accept only Roster's TOTP step-up as proof: " +
      "their users who must prove MFA cannot sign in until MFA_TOTP_KEY is set or the policy accepts the IdP's MFA",
  );
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`Roster failed to start: ${err.message}\n`);
  } else {
    process.stderr.write(
      `Roster failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});
