// `npm start`: build if needed, then open the desktop app; where no Electron binary can be had
// (a headless server, a blocked download) say so plainly and start web mode instead.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

if (!existsSync('out/node/cli.js') || !existsSync('out/renderer/index.html') || process.argv.includes('--rebuild')) {
  console.log('Building SNGAN Studio…');
  const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

let electronPath;
let why = '';
try {
  electronPath = require('electron'); // the binary's path, or a throw when the download failed
  if (typeof electronPath !== 'string' || !existsSync(electronPath)) throw new Error(`no binary at ${electronPath}`);
} catch (err) {
  why = err instanceof Error ? err.message.split('\n')[0] : String(err);
  electronPath = undefined;
}
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

if (electronPath && !headless) {
  const child = spawn(electronPath, ['.'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    electronPath
      ? 'No display found, so the desktop window cannot open here.'
      : `The Electron binary is not available on this machine (${why}).`,
  );
  console.log('Starting web mode instead: open the URL below in a browser.\n');
  const child = spawn(process.execPath, ['bin/sngan-studio.js', 'serve', ...process.argv.slice(2).filter((a) => a !== '--rebuild')], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}
