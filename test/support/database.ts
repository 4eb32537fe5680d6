import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';

/**
 * A fresh, empty database for one test file: an SQLite file by default, or with DB=mariadb a new
 * MariaDB database (MARIADB_URL, default mysql://root@127.0.0.1:3306). An unreachable MariaDB
 * fails the suite; it is never skipped.
 */
export interface TestDatabase {
  url: string;
  dialect: 'sqlite' | 'mariadb';
  /** Reads rows directly, on a connection of its own (e.g. while a CLI process owns the database). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

let counter = 0;

export function testDialect(): 'sqlite' | 'mariadb' {
  return process.env.DB === 'mariadb' ? 'mariadb' : 'sqlite';
}

/** A connection to the MariaDB server of `server` (MARIADB_URL), in `database` if given. */
function connectTo(server: URL, database?: string) {
  return createConnection({
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username || 'root'),
    password: decodeURIComponent(server.password),
    database,
  });
}

export async function freshDatabase(): Promise<TestDatabase> {
  counter += 1;
  if (testDialect() === 'mariadb') {
    const server = new URL(process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306');
    const name = `roster_t_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = await connectTo(server);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.end();
    const url = `mariadb://${server.username || 'root'}${server.password ? ':' + server.password : ''}@${server.hostname}:${server.port || 3306}/${name}`;
    return {
      url,
      dialect: 'mariadb',
      query: async (sql) => {
        const conn = await connectTo(server, name);
        try {
          const [rows] = await conn.query(sql);
          return rows as Record<string, unknown>[];
        } finally {
          await conn.end();
        }
      },
      drop: async () => {
        const conn = await connectTo(server);
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await conn.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'roster-test-'));
  const file = join(dir, 'roster.sqlite');
  return {
    url: `sqlite:${file}`,
    dialect: 'sqlite',
    query: async (sql) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
