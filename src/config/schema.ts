import { isIP } from 'node:net';
import { z } from 'zod';
import { defaultDatabaseUrl } from './database-url';

/** express's names for the private ranges its `trust proxy` setting understands. */
const proxyPresets = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or CIDR (`10.0.0.0/8`, `fd00::/8`), or one of express's preset names. */
function isProxyAddress(entry: string): boolean {
  if (proxyPresets.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

/** `true`, `false`, a number of hops, or a comma-separated list of proxy addresses (express's `trust proxy`). */
const trustProxy = z.string().transform((text, ctx): boolean | number | string[] => {
  const value = text.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  const bad = entries.find((e) => !isProxyAddress(e));
  if (bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${bad}" is not an address, a CIDR range or one of loopback, linklocal, uniquelocal`,
    });
    return z.NEVER;
  }
  return entries;
});

/**
 * Every setting Roster reads, with its default and a one-line description (the README table is
 * written from these descriptions). Only src/config reads process.env.
 */
export const settings = {
  PORT: {
    description: 'TCP port the HTTP server listens on.',
    schema: z.coerce.number().int().min(0).max(65535).default(8080),
  },
  DATABASE_URL: {
    description:
      'Where the role store lives: `sqlite:PATH` (a file, created with its schema) or ' +
      '`mysql://user:pass@host:3306/db` / `mariadb://…` for MySQL or MariaDB.',
    schema: z
      .string()
      .regex(/^(sqlite:.+|(mysql|mariadb):\/\/.+)$/, 'must be sqlite:PATH, mysql://… or mariadb://…')
      .default(defaultDatabaseUrl),
  },
  PUBLIC_URL: {
    description:
      'The URL IdPs and browsers reach Roster at (https in production); used in scimBaseUrl and meta.location.',
    defaultText: 'http://localhost:PORT',
    schema: z.url({ protocol: /^https?$/ }).optional(),
  },
  LOG_LEVEL: {
    description: 'pino log level: fatal, error, warn, info, debug, trace or silent.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  ROLE_CATALOGUE: {
    description:
      'The role catalogue: `default` (the seven roles), `simple` (Owner, Admin, User, Read-Only), `granular`, ' +
      'or the path of a catalogue JSON file (docs/catalogues.md). Validated at start.',
    schema: z.string().min(1).default('default'),
  },
  SCIM_MAX_RESULTS: {
    description:
      'The most resources one SCIM list page returns (filter.maxResults); a larger count is capped.',
    schema: z.coerce.number().int().min(1).max(10000).default(1000),
  },
  SCIM_MAX_PAYLOAD_BYTES: {
    description: 'The largest SCIM request body accepted (maxPayloadSize); a larger one gets 413.',
    schema: z.coerce.number().int().min(1024).default(1_048_576),
  },
  JOBS_INTERVAL_SECONDS: {
    description:
      'How often the server runs its sweeps (support-grant expiry, …), each under a database lease so one ' +
      'instance runs it at a time; 0 turns them off (run them with `roster jobs run NAME`).',
    schema: z.coerce.number().int().min(0).max(86_400).default(300),
  },
  SCIM_DEACTIVATION_BRAKE_SHARE: {
    description:
      'The brake on mass deprovisioning over SCIM: once deactivations and deletions within an hour pass this share ' +
      "of the account's active users, further ones get 503 until an Owner or Admin approves; 1 turns it off.",
    schema: z.coerce.number().gt(0).max(1).default(0.1),
  },
  SCIM_DEACTIVATION_BRAKE_MINIMUM: {
    description: 'The brake never holds fewer deactivations than this per hour (small accounts).',
    schema: z.coerce.number().int().min(1).default(10),
  },
  SSO_CLOCK_SKEW_SECONDS: {
    description:
      "How far the IdP's clock may be from Roster's when SAML time conditions (NotBefore, NotOnOrAfter) are checked.",
    schema: z.coerce.number().int().min(0).max(600).default(60),
  },
  SAML_SP_KEY_FILE: {
    description:
      "Roster's SAML key (a PEM RSA private key file): signs AuthnRequests for IdPs whose metadata has " +
      'WantAuthnRequestsSigned, signs single-logout messages, and decrypts encrypted assertions. Give it with ' +
      'SAML_SP_CERT_FILE; without them those three are off.',
    defaultText: 'none',
    schema: z.string().min(1).optional(),
  },
  SAML_SP_CERT_FILE: {
    description:
      "The PEM certificate of SAML_SP_KEY_FILE, published in every account's SP metadata for signing and encryption.",
    defaultText: 'none',
    schema: z.string().min(1).optional(),
  },
  HR_SYNC_MAX_DEACTIVATION_SHARE: {
    description:
      "The HR sync's brake: a run that would deactivate more than this share of the account's active users " +
      '(0.1 = 10%) stops before writing anything, unless run with `--allow-mass` (audited).',
    schema: z.coerce.number().min(0).max(1).default(0.1),
  },
  EVENTS_RETENTION_DAYS: {
    description:
      'How long the change feed (GET /api/v1/events, docs/events.md) keeps events: the `events-retention` sweep ' +
      'deletes older ones. A reader whose cursor is older goes on from the oldest event kept.',
    schema: z.coerce.number().int().min(1).max(3650).default(30),
  },
  TRUST_PROXY: {
    description:
      'Which proxies in front of Roster may name the client in X-Forwarded-For (the rate limits count per client ' +
      'address): `loopback, linklocal, uniquelocal` trusts private-network load balancers; a list of addresses or ' +
      'CIDR ranges, a number of hops, `true` (any: only behind a proxy that overwrites the header) or `false` (none).',
    schema: trustProxy.default(['loopback', 'linklocal', 'uniquelocal']),
    defaultText: 'loopback, linklocal, uniquelocal',
  },
  RATE_LIMIT_AUTH_FAILURES: {
    description:
      'How many refused credentials (SCIM tokens, API keys, support sessions, invitation secrets, SAML responses) ' +
      'one client address may send per window; past it, further refused ones get 429 with Retry-After. 0 turns it off.',
    schema: z.coerce.number().int().min(0).default(20),
  },
  RATE_LIMIT_REQUESTS_PER_TOKEN: {
    description:
      'How many requests one SCIM token, API key or support session may make per window, counted across all ' +
      'instances; past it, 429 with Retry-After until the window ends. 0 turns it off.',
    schema: z.coerce.number().int().min(0).default(6000),
  },
  RATE_LIMIT_WINDOW_SECONDS: {
    description: 'The window of both rate limits, in seconds.',
    schema: z.coerce.number().int().min(1).max(86_400).default(60),
  },
  MFA_TOTP_KEY: {
    description:
      "Encrypts users' TOTP secrets at rest (AES-256-GCM): 32 random bytes, base64 (`openssl rand -base64 32`). " +
      'Without it the step-up is off (a login the IdP did not prove MFA for is refused, a policy only TOTP could ' +
      'satisfy is refused, and the server warns at start about such policies); keep it with your backups, changing it voids every enrolment.',
    defaultText: 'none',
    secret: true,
    schema: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64')
      .optional(),
  },
  OIDC_KEY_ENCRYPTION_KEY: {
    description:
      'Turns on the sign-in hand-off to products (OpenID Connect at `/oidc`) and seals its ID token signing keys in ' +
      'the database (AES-256-GCM): 32 random bytes, base64 (`openssl rand -base64 32`). The same on every instance; ' +
      'keep it with your backups. Without it `/oidc` is not served.',
    defaultText: 'none',
    secret: true,
    schema: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64')
      .optional(),
  },
  OIDC_COOKIE_KEYS: {
    description:
      "Signs the hand-off's browser cookies: comma-separated secrets of at least 32 characters, the first signs and " +
      'all verify (add a new one in front to rotate). The same on every instance. Default: derived from OIDC_KEY_ENCRYPTION_KEY.',
    defaultText: 'derived',
    secret: true,
    schema: z
      .string()
      .refine(
        (v) => v.split(',').every((k) => k.trim().length >= 32),
        'each comma-separated key needs at least 32 characters',
      )
      .optional(),
  },
  METRICS_TOKEN: {
    description:
      'Turns on `/metrics` (Prometheus text format) for scrapers that send `Authorization: Bearer <this value>`; ' +
      'at least 24 characters (`openssl rand -hex 32`). Unset, there is no `/metrics` endpoint and nothing is measured.',
    defaultText: 'none (off)',
    secret: true,
    schema: z.string().min(24, 'must be at least 24 characters').optional(),
  },
  OUTBOUND_ALLOW_PRIVATE: {
    description:
      'Lets webhooks and other outbound requests reach loopback, private, link-local and unique-local addresses ' +
      '(`true`/`false`). Off, such a target is refused, judged on the address its name resolves to; turn it on ' +
      'only when receivers live on your private network (and in tests).',
    schema: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  },
  EVENTS_ENCRYPTION_KEY: {
    description:
      'Seals webhook signing secrets in the database (AES-256-GCM): 32 random bytes, base64 (`openssl rand -base64 32`). ' +
      'The same on every instance; keep it with your backups. Without it no webhook endpoint can be created.',
    defaultText: 'none',
    secret: true,
    schema: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64')
      .optional(),
  },
  WEBHOOK_TIMEOUT_MS: {
    description: 'How long one webhook attempt may take (connect, send, answer) before it counts as failed.',
    schema: z.coerce.number().int().min(100).max(60_000).default(10_000),
  },
  WEBHOOK_MAX_AGE_SECONDS: {
    description:
      'How long a webhook delivery is retried (exponential backoff with jitter) before it is marked failed.',
    schema: z.coerce.number().int().min(1).default(259_200),
  },
  WEBHOOK_RETRY_BASE_MS: {
    description:
      'The wait before the first retry of a webhook delivery; each further retry waits about twice as long.',
    schema: z.coerce.number().int().min(10).default(5_000),
  },
  WEBHOOK_RETRY_MAX_MS: {
    description: 'The longest wait between two attempts of one webhook delivery.',
    schema: z.coerce.number().int().min(10).default(3_600_000),
  },
  WEBHOOK_DISABLE_AFTER_SECONDS: {
    description:
      'An endpoint that has not accepted a single delivery for this long, while failing, is disabled (with a ' +
      '`webhook.disabled` event); its pending deliveries wait until it is enabled again.',
    schema: z.coerce.number().int().min(1).default(259_200),
  },
  WEBHOOK_SECRET_OVERLAP_SECONDS: {
    description:
      'After a signing secret is rotated, how long deliveries are still signed with the old one too (both ' +
      'signatures in `webhook-signature`), so receivers can switch without losing any.',
    schema: z.coerce.number().int().min(0).default(86_400),
  },
  DELIVERY_POLL_MS: {
    description:
      'How often each server instance looks for events and deliveries to send that another instance wrote ' +
      '(its own writes wake it at once); 0 turns delivery off in this instance.',
    schema: z.coerce.number().int().min(0).max(600_000).default(1_000),
  },
  DELIVERY_CONCURRENCY: {
    description: 'How many webhook requests one instance has in flight at most.',
    schema: z.coerce.number().int().min(1).max(1_000).default(64),
  },
  SSF_LONG_POLL_SECONDS: {
    description:
      'How long a Shared Signals poll (RFC 8936) without `returnImmediately` waits for SETs when none are waiting ' +
      '(a long poll); 0 answers at once.',
    schema: z.coerce.number().int().min(0).max(60).default(15),
  },
} as const;

export type SettingName = keyof typeof settings;

export interface Config {
  port: number;
  databaseUrl: string;
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A catalogue name or file; loaded and validated by config/catalogue.ts at start. */
  roleCatalogue: string;
  scim: { maxResults: number; maxPayloadBytes: number };
  /** 0: the server runs no sweeps by itself. */
  jobsIntervalSeconds: number;
  deactivationBrake: { share: number; minimum: number };
  sso: {
    clockSkewSeconds: number;
    /** Roster's SAML key and certificate (PEM), checked to belong together; null when not given. */
    spKey: { privateKey: string; cert: string } | null;
  };
  hrSync: { maxDeactivationShare: number };
  /** The change feed: events older than `retentionDays` are swept. */
  events: { retentionDays: number };
  /** Base64 AES-256 key for TOTP secrets; null: the step-up cannot enrol. */
  mfaTotpKey: string | null;
  /** The sign-in hand-off (OpenID Provider); null when OIDC_KEY_ENCRYPTION_KEY is not set. */
  oidc: { keyEncryptionKey: string; cookieKeys: string[] | null } | null;
  /** express's `trust proxy`: who may set the client address through X-Forwarded-For. */
  trustProxy: boolean | number | string[];
  rateLimits: { authFailures: number; requestsPerCredential: number; windowSeconds: number };
  /** The bearer credential of /metrics; null: no /metrics endpoint and no measuring. */
  metrics: { token: string | null };
  /** Outbound requests (webhooks) may reach internal addresses. */
  outbound: { allowPrivate: boolean };
  /** Base64 AES-256 key sealing webhook secrets; null: webhook endpoints cannot be created. */
  eventsEncryptionKey: string | null;
  /** The delivery loop and its webhooks. */
  delivery: {
    timeoutMs: number;
    maxAgeMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    disableAfterMs: number;
    secretOverlapMs: number;
    /** 0: this instance runs no delivery loop. */
    pollMs: number;
    concurrency: number;
  };
  /** Shared Signals (on with `oidc`: it signs with the OpenID Provider's keys). */
  ssf: { longPollSeconds: number };
}
