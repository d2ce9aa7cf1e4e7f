/**
 * Test support: the Python with PyTorch the torch tests run (SNGAN_PYTHON, default /usr/bin/python3 — Debian's
 * python3-torch), whether it is there, and running the package's scripts in it. The app never needs Python.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const PYTHON = process.env.SNGAN_PYTHON ?? '/usr/bin/python3';
export const PY_SOURCES = path.join(__dirname, 'python');

let probe: string | null | undefined;

/** null when `PYTHON -c 'import torch'` works, else the reason (printed by the skipping tests). */
export function torchMissing(): string | null {
  if (probe !== undefined) return probe;
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'pipe', timeout: 60_000 });
    probe = null;
  } catch (e) {
    probe = `${PYTHON} -c 'import torch' failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}): install python3-torch to run the PyTorch tests`;
    console.warn(`skipping PyTorch tests: ${probe}`);
  }
  return probe;
}

export interface PyResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Process groups of scripts still running: killed with the test process, so a hung rank never outlives its test. */
const running = new Set<number>();
const killGroup = (pid: number) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
process.on('exit', () => running.forEach(killGroup));

/**
 * Run a Python script to its end (threads capped: the tests share small machines). It leads a process group of its
 * own: a timeout kills the ranks it spawned too, not only the launcher (a rank left behind would spin on the CPU).
 */
export function runPython(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; onStart?: (child: ChildProcess) => void } = {}): Promise<PyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, {
      cwd: opts.cwd,
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid) running.add(child.pid);
    opts.onStart?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.pid && killGroup(child.pid), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (child.pid) {
        killGroup(child.pid); // whatever it left behind
        running.delete(child.pid);
      }
      resolve({ code, signal, stdout, stderr });
    });
  });
}
