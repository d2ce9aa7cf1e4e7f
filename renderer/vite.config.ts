// Builds the renderer alone (the same settings electron-vite uses for its renderer part).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  root: resolve(__dirname),
  base: './',
  plugins: [svelte({ configFile: resolve(__dirname, '../svelte.config.js') })],
  build: { outDir: resolve(__dirname, '../out/renderer'), emptyOutDir: true },
});
