import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '**/*.svelte', 'renderer/**/*.js', '.scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Layering, as the design fixes it: only the Electron shell may import 'electron'.
    files: ['**/*.ts'],
    ignores: ['main/electron/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: "Only main/electron/ may import 'electron'." }] }] },
  },
  {
    files: ['shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/renderer/**', 'node:*', 'electron'], message: 'shared/ imports nothing from main/, renderer/, Node or Electron.' }] }] },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', 'node:*', 'electron'], message: 'renderer/ imports only shared/.' }] }] },
  },
  {
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'sharp', 'electron'].map((name) => ({ name, message: 'engine/ does no file I/O or image encoding: runs/ and imaging/ do, processes/ composes them.' })),
        patterns: [{ group: ['**/runs/**', '**/datasets/**', '**/services/**', '**/server/**', '**/cli/**', '**/processes/**', '**/electron/**', '**/imaging/**', '**/cli'], message: 'engine/ imports only shared/ and tfjs (see ../shared/ARCHITECTURE.md).' }],
      }],
    },
  },
  {
    files: ['main/runs/**/*.ts', 'main/datasets/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: "Only main/electron/ may import 'electron'." }], patterns: [{ group: ['**/engine/**'], message: 'runs/ and datasets/ import no engine/: processes/ composes them.' }] }] },
  },
  {
    files: ['main/imaging/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: "Only main/electron/ may import 'electron'." }], patterns: [{ group: ['**/engine/**', '**/runs/**', '**/datasets/**', '**/services/**', '**/server/**', '**/cli/**', '**/processes/**', '**/electron/**'], message: 'imaging/ imports only shared/.' }] }] },
  },
);
