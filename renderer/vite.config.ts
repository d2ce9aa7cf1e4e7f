// Builds the renderer alone (the same settings electron-vite uses for its renderer part).
// No Node imports here: renderer/ may import only shared/ (lint rule), so paths come from import.meta.url.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = decodeURIComponent(new URL('.', import.meta.url).pathname).replace(/^\/([A-Za-z]:)/, '$1');

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte({ configFile: `${here}../svelte.config.js` })],
  build: { outDir: `${here}../out/renderer`, emptyOutDir: true },
});
