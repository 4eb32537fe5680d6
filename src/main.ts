import { ConfigError, loadConfig } from './config/load';
import { compose } from './composition';
import { scheduleJobs } from './jobs/scheduler';

/** Starts the server: validate config, open and migrate the database, listen, run the sweeps. */
async function main(): Promise<void> {
  const config = loadConfig();
  const roster = await compose(config);
  const server = roster.app.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    roster.logger.info({ port, scimBaseUrl: roster.scimBaseUrl }, 'Roster is listening');
  });
  // IdPs and load balancers keep connections open between provisioning calls; closing an idle
  // one after Node's 5 s default races their next request ("socket hang up" in their logs).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const stopJobs = scheduleJobs(roster.jobs, config.jobsIntervalSeconds, roster.logger);
  const stop = (signal: string) => {
    roster.logger.info({ signal }, 'shutting down');
    stopJobs();
    server.close(() => void roster.close().then(() => process.exit(0)));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(
      `Roster failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});
