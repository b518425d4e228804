import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from './common.config';
import { ConfigError, loadConfig, redact } from './load-config';

class ServiceConfig extends CommonConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;
}

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const config = loadConfig(ServiceConfig, { PORT: '4000' });
    expect(config.PORT).toBe(4000);
    expect(config.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('names the variable in a one-line error', () => {
    expect(() => loadConfig(ServiceConfig, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig(ServiceConfig, { PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT has an invalid value "eighty"/);
    expect(() => loadConfig(ServiceConfig, { KAFKA_BROKERS: 'localhost' })).toThrow(/KAFKA_BROKERS .*host:port/);
  });

  it('never prints a secret value', () => {
    try {
      loadConfig(ServiceConfig, { SECRETS_ENCRYPTION_KEY: 'hunter2' });
      throw new Error('expected failure');
    } catch (error) {
      expect((error as Error).message).toContain('SECRETS_ENCRYPTION_KEY');
      expect((error as Error).message).not.toContain('hunter2');
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it('refuses the development encryption key in production', () => {
    expect(() => loadConfig(ServiceConfig, { NODE_ENV: 'production' })).toThrow(/SECRETS_ENCRYPTION_KEY .*production/);
    expect(loadConfig(ServiceConfig, { NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).NODE_ENV).toBe('production');
  });
});

describe('redact', () => {
  it('hides the password of a URL and secrets by name', () => {
    expect(redact('DATABASE_URL', 'postgres://activity:s3cret@db:5432/activity')).toBe('postgres://activity:***@db:5432/activity');
    expect(redact('DATABASE_URL', 'postgres://db:5432/activity?password=s3cret&x=1')).toBe('postgres://db:5432/activity?password=***&x=1');
    expect(redact('JWT_SECRET', 'anything')).toBe('***');
    expect(redact('PORT', 'abc')).toBe('abc');
  });
});
