import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Thrown when the environment does not describe a runnable service; the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Builds a typed, validated config object from environment variables. Class property names are
 * the variable names, so the one-line error can name exactly what to fix.
 */
export function loadConfig<T extends object>(schema: ClassConstructor<T>, env: NodeJS.ProcessEnv = process.env): T {
  const plain = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const config = plainToInstance(schema, plain, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, skipMissingProperties: false });
  const first = errors[0];
  if (first) throw new ConfigError(describe(first, env));
  return config;
}

function describe(error: ValidationError, env: NodeJS.ProcessEnv): string {
  const raw = env[error.property];
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  const shown = raw === undefined || raw === '' ? 'is not set' : `has an invalid value "${redact(error.property, raw)}"`;
  return `Invalid configuration: ${error.property} ${shown} (${reasons})`;
}

/** Secrets by name, and the password of any `scheme://user:password@host` value (e.g. a DATABASE_URL). */
export function redact(name: string, value: string): string {
  if (/SECRET|KEY|PASSWORD|TOKEN/i.test(name)) return '***';
  return value.replace(/(\/\/[^/?#@:]*:)[^/?#@]*@/g, '$1***@').replace(/([?&](?:password|pass|pwd|secret|token)=)[^&#]*/gi, '$1***');
}

/** Runs `loadConfig` for a process entry point: on failure prints the one line and exits 1. */
export function loadConfigOrExit<T extends object>(schema: ClassConstructor<T>): T {
  try {
    return loadConfig(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
