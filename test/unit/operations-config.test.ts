import { ConfigError, loadConfig } from '../../src/config/load';
import { safeDatabaseUrl } from '../../src/config/database-url';

test('TRUST_PROXY: true, false, a number of hops, or proxy addresses, CIDR ranges and express preset names', () => {
  const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
  expect(loadConfig({}).trustProxy).toEqual(['loopback', 'linklocal', 'uniquelocal']);
  expect(trust('true')).toBe(true);
  expect(trust('false')).toBe(false);
  expect(trust('2')).toBe(2);
  expect(trust('10.0.0.0/8, 192.168.1.7,fd00::/8, loopback')).toEqual([
    '10.0.0.0/8',
    '192.168.1.7',
    'fd00::/8',
    'loopback',
  ]);
  for (const bad of ['10.0.0.0/33', 'proxy.internal', 'yes', '1.2.3.4/8/1']) {
    expect(() => trust(bad)).toThrow(ConfigError);
  }
  expect(() => trust('proxy.internal')).toThrow(
    /TRUST_PROXY="proxy.internal": "proxy.internal" is not an address/,
  );
});

test('rate limits: whole numbers, 0 turns one off; the window at least a second', () => {
  expect(loadConfig({}).rateLimits).toEqual({
    authFailures: 20,
    requestsPerCredential: 6000,
    windowSeconds: 60,
  });
  expect(loadConfig({ RATE_LIMIT_AUTH_FAILURES: '0' }).rateLimits.authFailures).toBe(0);
  expect(() => loadConfig({ RATE_LIMIT_REQUESTS_PER_TOKEN: '-1' })).toThrow(/RATE_LIMIT_REQUESTS_PER_TOKEN/);
  expect(() => loadConfig({ RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(/RATE_LIMIT_WINDOW_SECONDS/);
});

test('a bad value is shown without secrets: MFA_TOTP_KEY never, a password inside a URL hidden', () => {
  const load = () =>
    loadConfig({ MFA_TOTP_KEY: 'short-secret', DATABASE_URL: 'mysql:/roster:pw-123@db/roster' });
  expect(load).toThrow(ConfigError);
  expect(load).toThrow('MFA_TOTP_KEY=(hidden: 12 characters)');
  expect(load).toThrow('DATABASE_URL="mysql:/roster:***@db/roster"');
  expect(load).not.toThrow(/short-secret|pw-123/);
});

test('safeDatabaseUrl hides the password of any URL, well formed or not', () => {
  expect(safeDatabaseUrl('mariadb://roster:p%40ss@db:3306/roster')).toBe(
    'mariadb://roster:***@db:3306/roster',
  );
  expect(safeDatabaseUrl('mysql://a:b:c@d@host/db')).toBe('mysql://a:***@host/db');
  expect(safeDatabaseUrl('mysql://roster@db:3306/roster')).toBe('mysql://roster@db:3306/roster');
  expect(safeDatabaseUrl('sqlite:data/roster.sqlite')).toBe('sqlite:data/roster.sqlite');
});

test('no key, token or secret setting is ever echoed in a configuration error', () => {
  const bad = {
    MFA_TOTP_KEY: 'leak-totp-value',
    OIDC_KEY_ENCRYPTION_KEY: 'leak-oidc-value',
    OIDC_COOKIE_KEYS: 'leak-cookie-value',
    METRICS_TOKEN: 'leak-metrics',
  };
  const load = () => loadConfig(bad);
  expect(load).toThrow(ConfigError);
  for (const name of Object.keys(bad))
    expect(load).toThrow(new RegExp(`${name}=\\(hidden: \\d+ characters\\)`));
  expect(load).not.toThrow(/leak-/);
});
