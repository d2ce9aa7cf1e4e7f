import { describe, expect, it } from 'vitest';
import { classifyPath, launchTargets, userArgs, type PathProbe } from './argv';

function probe(dirs: string[], files: string[]): PathProbe {
  return { isDirectory: (p) => dirs.includes(p), exists: (p) => dirs.includes(p) || files.includes(p) };
}
const fs = probe(['/ws/runs/r1', '/data/faces', '/home/u'], ['/ws/runs/r1/config.json', '/ws/runs/r1/status.json', '/data/mnist.zip', '/home/u/cifar.npz', '/data/notes.txt']);

describe('command-line arguments', () => {
  it('drops the executable, the dev app path and switches', () => {
    expect(userArgs(['/opt/SNGAN Studio/sngan-studio', '--no-sandbox', '/data/faces'], true)).toEqual(['/data/faces']);
    expect(userArgs(['/usr/bin/electron', '.', '--inspect=9229', '--', 'mnist.zip'], false)).toEqual(['mnist.zip']);
  });

  it('tells run folders from datasets and ignores what it cannot open', () => {
    expect(classifyPath('/ws/runs/r1', fs)).toBe('run');
    expect(classifyPath('/data/faces', fs)).toBe('dataset');
    expect(classifyPath('/data/mnist.zip', fs)).toBe('dataset');
    expect(classifyPath('/data/notes.txt', fs)).toBeUndefined();
    expect(classifyPath('/nope', fs)).toBeUndefined();
  });

  it('resolves relative paths against the launch folder (second-instance passes its own cwd), once each', () => {
    const argv = ['/app/sngan-studio', 'cifar.npz', '/ws/runs/r1', './cifar.npz', 'missing', '/data/faces'];
    expect(launchTargets(argv, { isPackaged: true, cwd: '/home/u', probe: fs })).toEqual([
      { kind: 'dataset', path: '/home/u/cifar.npz' },
      { kind: 'run', path: '/ws/runs/r1' },
      { kind: 'dataset', path: '/data/faces' },
    ]);
  });
});
