import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { settings, type Config, type SettingName } from './schema';
import { safeDatabaseUrl } from './database-url';

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
        `${name}=${printable(name, raw)}: ${result.error.issues.map((i) => i.message).join('; ')}`,
      );
  }
  const spKey = samlSpKey(
    values.SAML_SP_KEY_FILE as string | undefined,
    values.SAML_SP_CERT_FILE as string | undefined,
    problems,
  );
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
    sso: Object.freeze({ clockSkewSeconds: values.SSO_CLOCK_SKEW_SECONDS as number, spKey }),
    hrSync: Object.freeze({ maxDeactivationShare: values.HR_SYNC_MAX_DEACTIVATION_SHARE as number }),
    events: Object.freeze({ retentionDays: values.EVENTS_RETENTION_DAYS as number }),
    mfaTotpKey: (values.MFA_TOTP_KEY as string | undefined) ?? null,
    oidc: values.OIDC_KEY_ENCRYPTION_KEY
      ? Object.freeze({
          keyEncryptionKey: values.OIDC_KEY_ENCRYPTION_KEY as string,
          cookieKeys: values.OIDC_COOKIE_KEYS
            ? (values.OIDC_COOKIE_KEYS as string).split(',').map((k) => k.trim())
            : null,
        })
      : null,
    trustProxy: values.TRUST_PROXY as Config['trustProxy'],
    rateLimits: Object.freeze({
      authFailures: values.RATE_LIMIT_AUTH_FAILURES as number,
      requestsPerCredential: values.RATE_LIMIT_REQUESTS_PER_TOKEN as number,
      windowSeconds: values.RATE_LIMIT_WINDOW_SECONDS as number,
    }),
    metrics: Object.freeze({ token: (values.METRICS_TOKEN as string | undefined) ?? null }),
    outbound: Object.freeze({ allowPrivate: values.OUTBOUND_ALLOW_PRIVATE as boolean }),
    eventsEncryptionKey: (values.EVENTS_ENCRYPTION_KEY as string | undefined) ?? null,
    delivery: Object.freeze({
      timeoutMs: values.WEBHOOK_TIMEOUT_MS as number,
      maxAgeMs: (values.WEBHOOK_MAX_AGE_SECONDS as number) * 1000,
      retryBaseMs: values.WEBHOOK_RETRY_BASE_MS as number,
      retryMaxMs: values.WEBHOOK_RETRY_MAX_MS as number,
      disableAfterMs: (values.WEBHOOK_DISABLE_AFTER_SECONDS as number) * 1000,
      secretOverlapMs: (values.WEBHOOK_SECRET_OVERLAP_SECONDS as number) * 1000,
      pollMs: values.DELIVERY_POLL_MS as number,
      concurrency: values.DELIVERY_CONCURRENCY as number,
    }),
    ssf: Object.freeze({ longPollSeconds: values.SSF_LONG_POLL_SECONDS as number }),
  });
}

/** Reads the SAML key pair once and checks it: a PEM RSA key and the certificate of that very key. */
function samlSpKey(
  keyFile: string | undefined,
  certFile: string | undefined,
  problems: string[],
): { privateKey: string; cert: string } | null {
  if (!keyFile && !certFile) return null;
  if (!keyFile || !certFile) {
    problems.push('SAML_SP_KEY_FILE and SAML_SP_CERT_FILE go together: give both or neither');
    return null;
  }
  try {
    const privateKey = readFileSync(keyFile, 'utf8');
    const cert = readFileSync(certFile, 'utf8');
    const key = createPrivateKey(privateKey);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('the key is not an RSA key');
    if (!new X509Certificate(cert).checkPrivateKey(key)) throw new Error("the certificate is not the key's");
    return Object.freeze({ privateKey, cert });
  } catch (err) {
    problems.push(
      `SAML_SP_KEY_FILE=${JSON.stringify(keyFile)} / SAML_SP_CERT_FILE=${JSON.stringify(certFile)}: ${err instanceof Error ? err.message : String(err)}`,
    );
    return null;
  }
}

/** A bad value as the error may show it: never a secret, never a password inside a URL. */
function printable(name: SettingName, raw: string | undefined): string {
  if (raw === undefined) return 'undefined';
  if ('secret' in settings[name]) return `(hidden: ${raw.length} characters)`;
  return JSON.stringify(safeDatabaseUrl(raw));
}
