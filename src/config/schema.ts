import { z } from 'zod';

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
      .default('sqlite:data/roster.sqlite'),
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
  HR_SYNC_MAX_DEACTIVATION_SHARE: {
    description:
      "The HR sync's brake: a run that would deactivate more than this share of the account's active users " +
      '(0.1 = 10%) stops before writing anything, unless run with `--allow-mass` (audited).',
    schema: z.coerce.number().min(0).max(1).default(0.1),
  },
  MFA_TOTP_KEY: {
    description:
      "Encrypts users' TOTP secrets at rest (AES-256-GCM): 32 random bytes, base64 (`openssl rand -base64 32`). " +
      "Without it Roster's TOTP step-up cannot enrol anyone; keep it with your backups, changing it voids every enrolment.",
    defaultText: 'none',
    schema: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64')
      .optional(),
  },
  METRICS_TOKEN: {
    description:
      'Turns on `/metrics` (Prometheus text format) for scrapers that send `Authorization: Bearer <this value>`; ' +
      'at least 24 characters (`openssl rand -hex 32`). Unset, there is no `/metrics` endpoint and nothing is measured.',
    defaultText: 'none (off)',
    schema: z.string().min(24, 'must be at least 24 characters').optional(),
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
  sso: { clockSkewSeconds: number };
  hrSync: { maxDeactivationShare: number };
  /** Base64 AES-256 key for TOTP secrets; null: the step-up cannot enrol. */
  mfaTotpKey: string | null;
  /** The bearer credential of /metrics; null: no /metrics endpoint and no measuring. */
  metrics: { token: string | null };
}
