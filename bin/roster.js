#!/usr/bin/env node
// The compiled CLI; `npm install` builds dist/ through the prepare script.
const { run } = require('../dist/src/cli/index.js');
run(process.argv).then((code) => {
  process.exitCode = code;
});
