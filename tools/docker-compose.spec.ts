import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

/**
 * No Docker engine here to run `docker compose config`: the file is checked against the Compose
 * specification's own JSON Schema (the copy the dclint Compose linter ships and keeps current),
 * and against what the stack needs from it.
 */
const schemaFile = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas/compose.schema.json');
// The spec names draft-07 by its https URL (Ajv registers the http one); formats Ajv does not know
// (duration, …) are annotations here.
const { $schema: _draft07, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $schema: string };
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
// Compose applies YAML merge keys (`<<: *defaults`), as YAML 1.1 did.
const compose = parse(readFileSync(path.join(process.cwd(), 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { depends_on?: unknown; healthcheck?: unknown; environment?: unknown }>;
};

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification JSON Schema', () => {
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('the schema check refuses what Compose would refuse (a misspelt key, a port of the wrong type)', () => {
    expect(validate({ services: { api: { image: 'x', restart_policy: 'always' } } })).toBe(false);
    expect(validate({ services: { api: { image: 'x', ports: { http: 3000 } } } })).toBe(false);
  });

  it('runs the four services and their infrastructure', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['feed-api', 'ingest-gateway', 'connector-workers', 'outbox-relay', 'postgres', 'redis', 'kafka']));
  });
});
