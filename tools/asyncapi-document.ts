// `npm run docs:asyncapi`: writes docs/asyncapi.json, the AsyncAPI document of the built-in connectors
// (feed-api serves the same at /asyncapi.json, with whatever connectors a deployment registers).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUILT_IN_CONNECTORS } from '@activity/connectors';
import { buildAsyncApiDocument } from '@activity/messaging';
import { parseCommandLine } from '@activity/config';

export function builtInAsyncApiDocument(): string {
  return `${JSON.stringify(buildAsyncApiDocument(BUILT_IN_CONNECTORS.flatMap((connector) => connector.eventTypes)), null, 2)}\n`;
}

if (require.main === module) {
  parseCommandLine({ usage: 'npm run docs:asyncapi', summary: 'Writes docs/asyncapi.json, the AsyncAPI document of the built-in connectors.', options: {} });
  const file = path.join(process.cwd(), 'docs/asyncapi.json');
  writeFileSync(file, builtInAsyncApiDocument());
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
