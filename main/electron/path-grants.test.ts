import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathGrants, pathsInRequest, ungrantedPath } from './path-grants';

const abs = (...p: string[]) => path.resolve('/', ...p);

describe('path grants (desktop: only dialog or drop paths)', () => {
  it('allows a granted path and what lies below a granted folder, nothing else', () => {
    const g = new PathGrants();
    g.grant(abs('home', 'me', 'cats'));
    g.grant(abs('home', 'me', 'one.zip'));
    g.grant('relative/ignored');
    expect(g.allows(abs('home', 'me', 'cats'))).toBe(true);
    expect(g.allows(abs('home', 'me', 'cats', 'a', 'b.png'))).toBe(true);
    expect(g.allows(abs('home', 'me', 'one.zip'))).toBe(true);
    expect(g.allows(abs('home', 'me', 'cats-evil'))).toBe(false);
    expect(g.allows(abs('home', 'me', 'cats', '..', 'secret'))).toBe(false);
    expect(g.allows(abs('etc', 'passwd'))).toBe(false);
    expect(g.allows('relative/ignored')).toBe(false);
  });

  it('finds the paths of the calls that take them and refuses an ungranted one with the reason', () => {
    const g = new PathGrants();
    g.grant(abs('data'));
    expect(pathsInRequest('datasets.import', { paths: [abs('data', 'x'), abs('tmp')] })).toEqual([abs('data', 'x'), abs('tmp')]);
    expect(pathsInRequest('export.run', { id: 'r', out: abs('out') })).toEqual([abs('out')]);
    expect(pathsInRequest('settings.update', { workspace: abs('ws') })).toEqual([abs('ws')]);
    expect(pathsInRequest('runs.list', {})).toEqual([]);
    expect(ungrantedPath(g, 'datasets.import', { paths: [abs('data', 'x')] })).toBeUndefined();
    expect(ungrantedPath(g, 'datasets.import', { paths: [abs('data', 'x'), abs('home')] })).toMatch(/was not chosen in a dialog or dropped/);
    expect(ungrantedPath(g, 'export.run', { id: 'r' })).toBeUndefined();
  });
});
