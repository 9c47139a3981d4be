// Flat config: typescript-eslint's recommended rules plus the project's boundaries
// (model/, inject/, the pure shared layer (shared/, contract/), cli/ and the webview must never
// reach for the `vscode` API). Import cycles are checked by scripts/check-cycles.mjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', '.venv/**', '.venvs/**', '.mlflow/**', 'test-results/**', 'bench/results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', performance: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', globalThis: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true } }],
    },
  },
  {
    files: ['src/model/**', 'src/shared/**', 'src/contract/**', 'src/inject/**', 'src/cli/**', 'webview/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'This folder must stay free of the vscode API.' }] }] },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/consistent-type-imports': 'off' },
  },
  // Tool config files must default-export.
  { files: ['eslint.config.mjs', '.vscode-test.mjs'], rules: { 'no-restricted-exports': 'off' } },
);
