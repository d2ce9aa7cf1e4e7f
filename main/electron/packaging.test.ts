/**
 * Packaging: electron-builder.yml passes electron-builder's own schema validation, and a `--linux dir` build
 * against a stub Electron (offline: a folder with a fake `electron` executable) produces an app.asar with the
 * built main, preload and renderer, with native modules and wasm files unpacked beside it.
 * The build part needs `npm run build` first and is skipped, with the reason printed, when out/ is missing.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));

type Configuration = Record<string, unknown> & { linux?: Record<string, unknown>; win?: { target?: unknown }; mac?: { target?: unknown }; asarUnpack?: string[] };
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown };
const asar = require('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[] };

const built = ['out/main/main.js', 'out/preload/preload.cjs', 'out/renderer/index.html'].filter((p) => !existsSync(join(root, p)));
const skipReason = built.length ? `out/ is not built (missing ${built.join(', ')}): run \`npm run build\` first` : undefined;
if (skipReason) console.log(`[packaging] build test skipped: ${skipReason}`);

const electronVersion = (require('electron/package.json') as { version: string }).version;

describe('electron-builder configuration', () => {
  it("passes app-builder-lib's own validation", async () => {
    const config = await getConfig(root, 'electron-builder.yml', null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validation is real: it rejects an unknown option', async () => {
    const config = await getConfig(root, 'electron-builder.yml', null);
    await expect(validateConfiguration({ ...config, linux: { ...(config.linux ?? {}), colour: 'blue' } }, new DebugLogger(false))).rejects.toThrow(/configuration/i);
  });

  it('targets AppImage + deb, NSIS and dmg, with no native rebuild, and unpacks native modules and wasm', async () => {
    const config = await getConfig(root, 'electron-builder.yml', null);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/sharp/**', 'node_modules/@img/**', 'node_modules/@tensorflow/tfjs-node/**', 'node_modules/@tensorflow/tfjs-node-gpu/**', 'node_modules/onnxruntime-node/**']),
    );
    expect(config.asarUnpack!.some((p) => p.includes('tfjs-backend-wasm') && p.endsWith('*.wasm'))).toBe(true);
  });

  it('flips the fuses: no RunAsNode, NODE_OPTIONS or --inspect; asar integrity and app-from-asar only', async () => {
    const config = await getConfig(root, 'electron-builder.yml', null);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('has the icons each platform needs in assets/', () => {
    const config = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    expect(config).toContain('icon: assets/icon.ico');
    expect(config).toContain('icon: assets/icon.icns');
    expect(config).toContain('icon: assets/icons');
    const ico = readFileSync(join(root, 'assets/icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(5);
    const icns = readFileSync(join(root, 'assets/icon.icns'));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    for (const s of [16, 32, 48, 128, 256, 512]) expect(existsSync(join(root, `assets/icons/${s}x${s}.png`))).toBe(true);
  });
});

/** @electron/fuses' marker before the fuse wire in an Electron binary. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

describe.skipIf(!!skipReason)('linux dir build against a stub Electron', () => {
  const work = mkdtempSync(join(tmpdir(), 'sngan-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs out/ into app.asar and unpacks sharp, @img and the wasm binaries', async () => {
    const stub = join(work, 'electron-dist');
    mkdirSync(stub);
    // The stub carries a fuse wire as Electron binaries do (sentinel, wire version 1, 8 fuses, all '1'), so the
    // build really flips the fuses and the test can read back what a packaged binary would get.
    writeFileSync(join(stub, 'electron'), `#!/bin/sh\necho "stub electron"\nexit 0\n# ${FUSE_SENTINEL}\x01\x0811111111\n`);
    chmodSync(join(stub, 'electron'), 0o755);
    const output = join(work, 'release');
    const cli = require.resolve('electron-builder/cli.js');
    const started = Date.now();
    const log = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [cli, '--linux', 'dir', '--x64', '--publish', 'never', `-c.electronDist=${stub}`, `-c.electronVersion=${electronVersion}`, `-c.directories.output=${output}`],
        { cwd: root, timeout: 200_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_BUILDER_OFFLINE: '1' } },
        (err, stdout, stderr) => (err ? reject(new Error(`electron-builder failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(`${stdout}\n${stderr}`)),
      );
    });
    console.log(`[packaging] linux dir build took ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const appDir = join(output, 'linux-unpacked');
    expect(readdirSync(appDir), log).toContain('sngan-studio'); // the stub, renamed to executableName
    expect(statSync(join(appDir, 'sngan-studio')).mode & 0o111).not.toBe(0);
    // Fuses in wire order: RunAsNode, CookieEncryption, NODE_OPTIONS, --inspect, asar integrity, app only from asar,
    // browser V8 snapshot, file:// extra privileges ('0' off, '1' on).
    const bin = readFileSync(join(appDir, 'sngan-studio'));
    const wire = bin.subarray(bin.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length + 2, bin.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length + 10).toString('latin1');
    expect(wire).toBe('01001100');

    const resources = join(appDir, 'resources');
    const files = new Set(asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((p) => p.replaceAll('\\', '/')));
    for (const f of ['/package.json', '/out/main/main.js', '/out/preload/preload.cjs', '/out/renderer/index.html']) expect(files.has(f), f).toBe(true);
    expect([...files].some((f) => f.startsWith('/out/renderer/assets/') && f.endsWith('.js'))).toBe(true);
    expect([...files].filter((f) => f.startsWith('/out/') && f.endsWith('.map'))).toEqual([]);
    expect(files.has('/node_modules/zod/package.json')).toBe(true); // production dependencies come along
    expect([...files].some((f) => f.startsWith('/node_modules/electron/'))).toBe(false); // dev dependencies do not

    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules');
    expect(existsSync(join(unpacked, 'sharp', 'package.json'))).toBe(true);
    const img = readdirSync(join(unpacked, '@img'));
    expect(img.some((d) => d.startsWith('sharp-'))).toBe(true);
    const nativeBinaries = img.flatMap((d) => (existsSync(join(unpacked, '@img', d, 'lib')) ? readdirSync(join(unpacked, '@img', d, 'lib')) : []));
    expect(nativeBinaries.some((f) => f.endsWith('.node') || f.includes('.so'))).toBe(true);
    const wasm = readdirSync(join(unpacked, '@tensorflow', 'tfjs-backend-wasm', 'dist')).filter((f) => f.endsWith('.wasm'));
    expect(wasm.sort()).toEqual(['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm.wasm']);
    // the threaded build's glue and worker script, which its pthread workers read from disk
    for (const f of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js']) expect(existsSync(join(unpacked, '@tensorflow', 'tfjs-backend-wasm', 'wasm-out', f)), f).toBe(true);
    if (existsSync(join(root, 'node_modules/onnxruntime-node'))) expect(existsSync(join(unpacked, 'onnxruntime-node'))).toBe(true);
    if (existsSync(join(root, 'node_modules/@tensorflow/tfjs-node'))) expect(existsSync(join(unpacked, '@tensorflow', 'tfjs-node'))).toBe(true);
  }, 240_000);
});
