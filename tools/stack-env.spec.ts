import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const { stackEnvironment } = require('./stack-env.cjs') as { stackEnvironment: (envFile: string, processEnv: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };

describe('stackEnvironment', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stack-env-'));
  const envFile = path.join(dir, '.env');
  writeFileSync(envFile, '# local overrides\nKAFKA_BROKERS=10.0.0.7:9092\nSTEAM_API_KEY="from-file"\nLOG_LEVEL=debug\n');

  it('takes .env values over the stack defaults (they are applied only to what is still unset)', () => {
    const env = stackEnvironment(envFile, { PATH: '/bin' });
    expect(env).toMatchObject({ KAFKA_BROKERS: '10.0.0.7:9092', STEAM_API_KEY: 'from-file', LOG_LEVEL: 'debug', PATH: '/bin' });
  });

  it('lets a variable set in the shell win over .env', () => {
    expect(stackEnvironment(envFile, { LOG_LEVEL: 'warn' })['LOG_LEVEL']).toBe('warn');
  });

  it('works without a .env file', () => {
    expect(stackEnvironment(path.join(dir, 'missing.env'), { A: '1' })).toEqual({ A: '1' });
  });
});
