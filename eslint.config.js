import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // assembly/*.ts is AssemblyScript (decorators on functions, its own types): asc checks it
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**', 'assembly/*.ts', 'losskit-out/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'assembly/**/*.mjs', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', WebAssembly: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The library core runs in browsers: node: imports belong in src/cli.' }] }],
    },
  },
);
