import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/**
 * Module boundaries are the point of this file: apps -> feature -> infra -> data-access -> domain,
 * and scopes keep one service's code out of another's. See docs/architecture.md.
 * Production code may not import test support; specs may (they are not shipped).
 */
const DEP_CONSTRAINTS = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:sdk', 'type:connector', 'type:feature', 'type:infra', 'type:data-access', 'type:domain', 'type:util'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:sdk', 'type:connector', 'type:feature', 'type:infra', 'type:data-access', 'type:domain', 'type:util'] },
  {
    sourceTag: 'type:tool',
    onlyDependOnLibsWithTags: ['type:testing', 'type:sdk', 'type:connector', 'type:feature', 'type:infra', 'type:data-access', 'type:domain', 'type:util'],
  },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:sdk', 'type:connector', 'type:feature', 'type:infra', 'type:data-access', 'type:domain', 'type:util'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:sdk', 'type:connector', 'type:infra', 'type:data-access', 'type:domain', 'type:util'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util'] },
  // The connector SDK is the contract a connector folder is written against: it may only lean on the domain.
  // A connector folder is written against the SDK alone (plus the domain and utilities).
  { sourceTag: 'type:connector', onlyDependOnLibsWithTags: ['type:sdk', 'type:domain', 'type:util'] },
  { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:util'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'scope:feed', onlyDependOnLibsWithTags: ['scope:feed', 'scope:connectors', 'scope:shared'] },
  { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:ingest', 'scope:connectors', 'scope:shared'] },
  { sourceTag: 'scope:connectors', onlyDependOnLibsWithTags: ['scope:connectors', 'scope:shared'] },
  { sourceTag: 'scope:outbox', onlyDependOnLibsWithTags: ['scope:outbox', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'scope:connectors'] },
];
// Specs may use test support; a connector's specs may also drive its client with the platform's real resilience parts.
const SPEC_DEP_CONSTRAINTS = DEP_CONSTRAINTS.map((rule) =>
  rule.sourceTag.startsWith('type:')
    ? { ...rule, onlyDependOnLibsWithTags: [...rule.onlyDependOnLibsWithTags, 'type:testing', ...(rule.sourceTag === 'type:connector' ? ['type:infra'] : [])] }
    : rule,
);
const boundaries = (depConstraints) => ['error', { enforceBuildableLibDependency: false, banTransitiveDependencies: false, depConstraints }];

export default [
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'coverage/**', '.nx/**', '**/*.json'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    // Tells consistent-type-imports that decorated signatures need runtime imports (Nest DI and DTO validation read them).
    languageOptions: { parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true } },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(DEP_CONSTRAINTS),
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Config and DTO classes need explicit property types: decorator metadata is read from them.
      '@typescript-eslint/no-inferrable-types': 'off',
      // Used only right after a check the compiler cannot follow (regex groups, map lookups).
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.rel-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(SPEC_DEP_CONSTRAINTS) },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'bench/**/*.ts', 'libs/testing/**/*.ts', 'reliability/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // Formatting is Prettier's (npm run format); ESLint checks only what Prettier does not.
  prettier,
];
