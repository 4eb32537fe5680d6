import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');
const cli = join(root, 'bin', 'roster.js');

/** The CLI and server run from dist/, as a user's `npx roster` does; `npm test` builds it first. */
export function assertBuilt(): void {
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it) before these tests');
  }
}

/** The line with which the CLI names the database it opened (operations-cli.test.ts tests it). */
const databaseNotice = /^roster: (using the database at|created a new, empty database at) .*\n/;

/** Runs the CLI; `stderr` is what follows the database notice, which is in `notice`. */
export function roster(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
  const notice = databaseNotice.exec(result.stderr)?.[0] ?? null;
  const stderr = notice ? result.stderr.slice(notice.length) : result.stderr;
  return { status: result.status, stdout: result.stdout, stderr, notice };
}

/** Runs the real server to its end (for starts that must fail), at most `timeoutMs`. */
export function runServer(env: Record<string, string>, timeoutMs = 30_000) {
  const result = spawnSync(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', JOBS_INTERVAL_SECONDS: '0', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the real server (`node dist/src/main.js`) on a free port and resolves with its base URL. */
export function startServer(
  env: Record<string, string>,
): Promise<{ url: string; stop: () => Promise<void>; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.includes('Roster is listening')) continue;
        const { port } = JSON.parse(line) as { port: number };
        resolve({ url: `http://127.0.0.1:${port}`, stop, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}
