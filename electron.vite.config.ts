import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One build for the desktop app: Electron main, a single-file CommonJS preload (sandbox needs it), the Svelte renderer.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve('main/electron/main.ts') },
      externalizeDeps: { include: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve('main/electron/preload.ts') },
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'preload.cjs', inlineDynamicImports: true } },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [svelte()],
    build: { outDir: 'out/renderer', rollupOptions: { input: resolve('renderer/index.html') } },
  },
});
