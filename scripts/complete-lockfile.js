#!/usr/bin/env node
/**
 * The npm registry reachable here serves only the Linux builds of packages with per-platform
 * optional binaries (@swc/core-*, @unrs/resolver-binding-*), so `npm install` leaves the other
 * platforms' entries out of package-lock.json, and `npm ci` then refuses the lock file
 * ("Missing: @swc/core-darwin-arm64@ from lock file"). This adds those entries, marked optional
 * with their os/cpu, so `npm ci` validates and skips them on Linux. Run it after `npm install`
 * changes the lock file: `node scripts/complete-lockfile.js`.
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

/** os/cpu from the package name's platform triple, as these packages publish them. */
function platformOf(name) {
  const triple = name.split('/').pop();
  const os = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'wasm32'].find((o) =>
    triple.includes(o),
  );
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32'].find((c) =>
    triple.split('-').includes(c === 'arm' ? 'arm' : c),
  );
  return { os, cpu };
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (packages[key] || packages[`${location}/${key}`]) continue;
    const { os, cpu } = platformOf(name);
    // Keys in the order npm writes them, so a later `npm install` leaves the file as it is.
    packages[key] = {
      version,
      ...(cpu && cpu !== 'wasm32' ? { cpu: [cpu] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(os && os !== 'wasm32' ? { os: [os] } : {}),
    };
    added += 1;
  }
}
if (added > 0) {
  // npm orders package locations with localeCompare; keep its order so diffs stay small.
  lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b, 'en')));
  fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
}
process.stdout.write(`complete-lockfile: added ${added} foreign-platform optional entries\n`);
