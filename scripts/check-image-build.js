#!/usr/bin/env node
/**
 * CI has no Docker engine, so this proves the Dockerfile's steps on exactly the files it copies:
 *   1. the build stage's `COPY` lines (from the build context, minus .dockerignore) into an empty
 *      directory, then its build, as `npm ci` runs it (the `prepare` script: tsc);
 *   2. the runtime stage's `COPY` lines into another empty directory, with only the production
 *      dependencies (`npm prune --omit=dev`), then the server and the CLI started from there.
 * A file the image lacks (code that imports test/, a catalogue not copied) fails here as it would
 * in `docker build`. `npm ci` itself is not rerun (it rebuilds better-sqlite3 from source for a
 * minute): node_modules comes from this checkout, which `npm ci` made from the same lock file.
 * Usage: node scripts/check-image-build.js
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const ignored = fs
  .readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** The stages of the Dockerfile, each with its instructions (continuation lines joined). */
function stages() {
  const lines = dockerfile.replace(/\\\n\s*/g, ' ').split('\n');
  const result = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.trim().split(/\s+/);
    if (!instruction || instruction.startsWith('#')) continue;
    if (instruction === 'FROM') result.push({ from: rest.join(' '), steps: [] });
    else result[result.length - 1].steps.push({ instruction, args: rest });
  }
  return result;
}

/** .dockerignore patterns here are names or `*` globs, matched against each path segment. */
function isIgnored(relative) {
  return relative
    .split('/')
    .some((segment) =>
      ignored.some((pattern) =>
        new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(segment),
      ),
    );
}

function copyFromContext(sources, dest, into) {
  for (const source of sources) {
    if (isIgnored(source)) continue;
    const target = dest.endsWith('/') ? path.join(into, dest, path.basename(source)) : path.join(into, dest);
    fs.cpSync(path.join(root, source), target, {
      recursive: true,
      filter: (file) => !isIgnored(path.relative(root, file)),
    });
  }
}

function run(command, args, cwd, env = {}) {
  console.log(`$ (${path.relative(os.tmpdir(), cwd)}) ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
}

/** The production dependencies, as `npm prune --omit=dev` would leave them, linked into `into`. */
function linkProductionModules(into) {
  const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: root,
    encoding: 'utf8',
  });
  const top = new Set();
  for (const line of listed.split('\n')) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(line.trim());
    if (match && !line.includes('node_modules/', line.indexOf('node_modules/') + 1)) top.add(match[1]);
  }
  for (const name of top) {
    const target = path.join(into, 'node_modules', name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules', name), target);
  }
  return top.size;
}

async function startServer(cwd, env) {
  const child = spawn(process.execPath, ['dist/src/main.js'], { cwd, env: { ...process.env, ...env } });
  let output = '';
  const started = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 60_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((l) => l.includes('Roster is listening'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', () => resolve(null));
  });
  if (started === null) throw new Error(`the server did not start from the image's files:\n${output}`);
  const ready = await fetch(`http://127.0.0.1:${started}/readyz`);
  child.kill('SIGTERM');
  if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}`);
  console.log(`server from the image's files: listening, /readyz 200`);
}

async function main() {
  const [build, runtime] = stages();
  if (!build || !runtime || !/ AS build$/i.test(build.from))
    throw new Error('expected a build stage "AS build", then the runtime stage');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-image-'));
  try {
    const buildDir = path.join(work, 'build');
    fs.mkdirSync(buildDir);
    for (const step of build.steps) {
      if (step.instruction === 'COPY')
        copyFromContext(step.args.slice(0, -1), step.args[step.args.length - 1], buildDir);
    }
    const runs = build.steps.filter((s) => s.instruction === 'RUN').map((s) => s.args.join(' '));
    const install = runs.find((r) => r.includes('npm ci'));
    if (!install || !install.includes('npm prune --omit=dev')) {
      throw new Error(
        `the build stage should run "npm ci … && npm prune --omit=dev" (update this check): ${runs.join(' | ')}`,
      );
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(buildDir, 'node_modules'));
    run('npm', ['run', 'prepare'], buildDir);

    const runDir = path.join(work, 'run');
    fs.mkdirSync(runDir);
    for (const step of runtime.steps.filter((s) => s.instruction === 'COPY')) {
      const fromBuild = step.args[0].startsWith('--from=');
      const args = fromBuild ? step.args.slice(1) : step.args;
      const dest = args[args.length - 1];
      if (!fromBuild) copyFromContext(args.slice(0, -1), dest, runDir);
      else if (args[0] === '/app/node_modules')
        console.log(`production dependencies: ${linkProductionModules(runDir)} packages`);
      else
        fs.cpSync(path.join(buildDir, path.relative('/app', args[0])), path.join(runDir, dest), {
          recursive: true,
        });
    }
    const env = {
      DATABASE_URL: `sqlite:${path.join(work, 'data', 'roster.sqlite')}`,
      PORT: '0',
      LOG_LEVEL: 'info',
    };
    run(process.execPath, ['bin/roster.js', '--version'], runDir, env);
    run(
      process.execPath,
      ['bin/roster.js', 'accounts', 'create', '--name', 'Image', '--owner-email', 'o@image.test', '--json'],
      runDir,
      env,
    );
    await startServer(runDir, env);
    console.log(
      `The image's build steps work on exactly the files the Dockerfile copies (node ${process.version} here; the image: ${runtime.from}).`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`check-image-build: ${err.message}`);
  process.exit(1);
});
