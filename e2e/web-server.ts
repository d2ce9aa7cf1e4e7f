/** Starts `sngan-studio serve` (the built CLI) on a free port with a fresh workspace, for a test file. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@playwright/test';

export interface RunningApp {
  url: string;
  origin: string;
  token: string;
  workspace: string;
  stop(): Promise<void>;
}

/** Where e2e screenshots go (git-ignored; CI keeps them as artifacts). */
export const SHOTS = 'e2e/artifacts';

/** One server for the calling test file: started before its first test, stopped after its last. */
export function serveForFile(): () => RunningApp {
  let app: RunningApp | undefined;
  test.beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await startApp();
  });
  test.afterAll(async () => {
    await app?.stop();
  });
  return () => {
    if (!app) throw new Error('the web server is not running (serveForFile: beforeAll failed?)');
    return app;
  };
}

export async function startApp(): Promise<RunningApp> {
  const workspace = mkdtempSync(join(tmpdir(), 'sngan-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/sngan-studio.js', 'serve', '--port', '0', '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 30 s:\n${output}`)), 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = output.match(/Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    workspace,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}
