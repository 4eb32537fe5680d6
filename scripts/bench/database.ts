import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type ConnectionOptions } from 'mysql2/promise';

/** The database a bench run owns: created for the run and removed after it. */
export interface BenchDatabase {
  url: string;
  dialect: 'sqlite' | 'mysql';
  /** Where it lives, for the report (never the password). */
  description: string;
  /** A scratch directory for the run (the SQLite file, the request log). */
  dir: string;
  drop(): Promise<void>;
}

export async function openBenchDatabase(databaseUrl: string | undefined): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'roster-bench-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  if (databaseUrl === undefined) {
    const file = join(dir, 'roster.sqlite');
    return {
      url: `sqlite:${file}`,
      dialect: 'sqlite',
      description: `SQLite file ${file} (fresh, WAL)`,
      dir,
      drop: async () => removeDir(),
    };
  }
  if (databaseUrl.startsWith('sqlite:')) {
    removeDir();
    throw new Error(
      '--database-url takes mariadb:// or mysql:// URLs; SQLite is the default (a fresh temp file)',
    );
  }
  const url = new URL(databaseUrl);
  if (url.protocol !== 'mariadb:' && url.protocol !== 'mysql:') {
    removeDir();
    throw new Error(`unsupported --database-url ${url.protocol}; use mariadb://user@host:3306/db`);
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    removeDir();
    throw new Error(`database name "${name}" must be letters, digits and _ only`);
  }
  const server: ConnectionOptions = {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  };
  const admin = await createConnection(server);
  try {
    const [tables] = await admin.query(
      'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?',
      [name],
    );
    if (Number((tables as { n: number | string }[])[0].n) > 0) {
      throw new Error(
        `database ${name} already has tables; the bench drops its database afterwards, so name a new one`,
      );
    }
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const [version] = await admin.query('SELECT VERSION() AS v');
    const serverVersion = (version as { v: string }[])[0].v;
    return {
      url: databaseUrl,
      dialect: 'mysql',
      description: `${url.protocol.slice(0, -1)} ${serverVersion} at ${server.host}:${server.port}, database ${name} (created for the run, dropped after)`,
      dir,
      drop: async () => {
        const conn = await createConnection(server);
        try {
          await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
        } finally {
          await conn.end();
          removeDir();
        }
      },
    };
  } catch (err) {
    removeDir();
    throw err;
  } finally {
    await admin.end();
  }
}
