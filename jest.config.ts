import type { Config } from 'jest';
import { readFileSync } from 'node:fs';

// Map the tsconfig path aliases for Jest; tsconfig.base.json stays the single source of truth.
// (Jest loads this file as ES module, so there is no __dirname: run Jest from the repository root.)
const { compilerOptions } = JSON.parse(readFileSync('tsconfig.base.json', 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const moduleNameMapper = Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]));

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        target: 'es2023',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
    },
  ],
};

const common = {
  rootDir: process.cwd(),
  transform,
  moduleNameMapper,
  testEnvironment: 'node' as const,
  // With --coverage (tools/test.mjs adds it for `npm test -- --coverage`): the shipped sources only.
  collectCoverageFrom: ['{apps,libs}/*/src/**/*.ts', '!**/*.spec.ts', '!**/*.int-spec.ts', '!libs/testing/**', '!apps/e2e/**'],
};

// Three tiers: unit specs (`*.spec.ts`, no services), integration specs (`*.int-spec.ts`, real
// Postgres, Kafka and Redis, started by tools/test.mjs before Jest runs) and the fault scenarios of
// reliability/ (`*.rel-spec.ts`: the same real services, with brokers, databases and processes
// killed on purpose; `npm run reliability` runs them alone, `-- --long` with more load).
const config: Config = {
  // Global, not per project: Jest ignores testTimeout inside `projects`. Unit tests finish in milliseconds anyway.
  testTimeout: 60_000,
  coverageProvider: 'v8',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      // Global hooks run outside Jest's module mapper, so they load the build (tools/test.mjs builds first).
      globalSetup: '<rootDir>/dist/tools/jest/global-setup.js',
      globalTeardown: '<rootDir>/dist/tools/jest/global-teardown.js',
    },
    {
      ...common,
      displayName: 'reliability',
      testMatch: ['<rootDir>/reliability/**/*.rel-spec.ts'],
      globalSetup: '<rootDir>/dist/tools/jest/global-setup.js',
      globalTeardown: '<rootDir>/dist/tools/jest/global-teardown.js',
    },
  ],
};

export default config;
