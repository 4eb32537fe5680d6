import { settings, type Config, type SettingName } from './schema';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once, validates every setting, and returns a frozen Config.
 * A bad value stops the start with a message naming the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of Object.keys(settings) as SettingName[]) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = settings[name].schema.safeParse(raw);
    if (result.success) values[name] = result.data;
    else
      problems.push(
        `${name}=${JSON.stringify(raw)}: ${result.error.issues.map((i) => i.message).join('; ')}`,
      );
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  const port = values.PORT as number;
  const publicUrl = ((values.PUBLIC_URL as string | undefined) ?? `http://localhost:${port}`).replace(
    /\/+$/,
    '',
  );
  return Object.freeze({
    port,
    databaseUrl: values.DATABASE_URL as string,
    publicUrl,
    logLevel: values.LOG_LEVEL as Config['logLevel'],
    roleCatalogue: values.ROLE_CATALOGUE as string,
    scim: Object.freeze({
      maxResults: values.SCIM_MAX_RESULTS as number,
      maxPayloadBytes: values.SCIM_MAX_PAYLOAD_BYTES as number,
    }),
    jobsIntervalSeconds: values.JOBS_INTERVAL_SECONDS as number,
    deactivationBrake: Object.freeze({
      share: values.SCIM_DEACTIVATION_BRAKE_SHARE as number,
      minimum: values.SCIM_DEACTIVATION_BRAKE_MINIMUM as number,
    }),
    sso: Object.freeze({ clockSkewSeconds: values.SSO_CLOCK_SKEW_SECONDS as number }),
    hrSync: Object.freeze({ maxDeactivationShare: values.HR_SYNC_MAX_DEACTIVATION_SHARE as number }),
    mfaTotpKey: (values.MFA_TOTP_KEY as string | undefined) ?? null,
    metrics: Object.freeze({ token: (values.METRICS_TOKEN as string | undefined) ?? null }),
  });
}
