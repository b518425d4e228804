// Validates docs/asyncapi.json with the official AsyncAPI parser (run by CI through npm run lint:asyncapi).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { Parser, fromFile } = require('@asyncapi/parser');

const file = path.join(root, 'docs/asyncapi.json');
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, file).parse();
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics.filter((d) => d.severity <= 1)) {
  process.stderr.write(`${d.severity === 0 ? 'error' : 'warning'} ${d.code} at ${d.path.join('.')}: ${d.message}\n`);
}
if (!document || errors.length) {
  process.stderr.write(`docs/asyncapi.json is not valid AsyncAPI (${errors.length} error(s))\n`);
  process.exit(1);
}
const channels = document
  .channels()
  .all()
  .map((channel) => channel.address());
process.stdout.write(`docs/asyncapi.json: valid AsyncAPI ${document.version()}, ${channels.length} channels\n`);
