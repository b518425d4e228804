import { readFileSync } from 'node:fs';
import { builtInAsyncApiDocument } from './asyncapi-document';

describe('docs/asyncapi.json', () => {
  it('is the document the code generates for the built-in connectors (run npm run docs:asyncapi after changing a contract)', () => {
    expect(readFileSync('docs/asyncapi.json', 'utf8')).toBe(builtInAsyncApiDocument());
  });
});
