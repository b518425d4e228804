// The local stack's environment: variables set in the shell win, then the repository's `.env`,
// then the stack's own defaults (applied by tools/stack.mjs to whatever is still unset).
// Node's --env-file cannot do this: it never overrides a variable that is already set, and the
// stack sets its defaults before the services start.
const { existsSync, readFileSync } = require('node:fs');
const { parseEnv } = require('node:util');

function stackEnvironment(envFile, processEnv) {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...processEnv };
}

module.exports = { stackEnvironment };
