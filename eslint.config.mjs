// Lint: module boundaries that forbid real mistakes, plus the type-aware rules that catch
// dropped promises and forgotten union cases.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.toolchain/**', '.nx/**', '**/fixtures/**', 'examples/**/*.js', 'faultline-report/**', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@faultline/*/**'], message: 'Import a library only through its entry point (@faultline/<lib>).' },
            { group: ['**/libs/**', '**/apps/**'], message: 'Cross-project relative imports are banned: use the @faultline/<lib> alias.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only @faultline/config reads process.env: inject the typed config.' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints: [
            // Kinds: apps wire, features compose, domain logic is pure, adapters do I/O, contracts and utils sit at the bottom.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:engine', 'type:domain', 'type:data-access', 'type:contract', 'type:util'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:feature', 'type:engine', 'type:domain', 'type:data-access', 'type:contract', 'type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:engine', 'type:domain', 'type:data-access', 'type:contract', 'type:util'] },
            // The engine composes domain logic with storage; services and the CLI share it.
            { sourceTag: 'type:engine', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:contract', 'type:util'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contract', 'type:util'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contract', 'type:util'] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contract'] },
            // Shared code knows nothing of any one service or domain.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:processing', onlyDependOnLibsWithTags: ['scope:processing', 'scope:shared'] },
            { sourceTag: 'scope:detection', onlyDependOnLibsWithTags: ['scope:detection', 'scope:processing', 'scope:shared'] },
            { sourceTag: 'scope:analysis', onlyDependOnLibsWithTags: ['scope:analysis', 'scope:detection', 'scope:processing', 'scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // Config parsing is the one place that reads the environment; tests and benchmarks may set it up.
    files: ['libs/config/**/*.ts', 'libs/testing/**/*.ts', 'tests/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', '**/*.spec.ts', '**/*.int.test.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
