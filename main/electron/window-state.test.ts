import { describe, expect, it } from 'vitest';
import { boundsToSave, restoreBounds } from './window-state';

describe('window bounds', () => {
  const screens = [
    { x: 0, y: 0, width: 1920, height: 1040 },
    { x: 1920, y: 0, width: 2560, height: 1400 },
  ];

  it('restores bounds that are on a display', () => {
    expect(restoreBounds({ x: 2000, y: 100, width: 1400, height: 900, maximized: true }, screens)).toEqual({ x: 2000, y: 100, width: 1400, height: 900, maximized: true });
  });

  it('re-centres a window whose monitor is gone, shrunk to fit the primary display', () => {
    const r = restoreBounds({ x: 5000, y: 100, width: 2400, height: 1300, maximized: false }, screens);
    expect(r).toEqual({ x: 0, y: 0, width: 1920, height: 1040, maximized: false });
  });

  it('centres a first-launch window and never goes below the minimum size', () => {
    expect(restoreBounds({ width: 1280, height: 820, maximized: false }, screens)).toEqual({ x: 320, y: 110, width: 1280, height: 820, maximized: false });
    expect(restoreBounds({ width: 300, height: 200, maximized: false }, screens)).toMatchObject({ width: 900, height: 600 });
  });

  it('rejects a window whose title bar is off-screen', () => {
    const r = restoreBounds({ x: 100, y: -500, width: 1200, height: 1400, maximized: false }, screens);
    expect(r.y).toBeGreaterThanOrEqual(0);
  });

  it('saves rounded normal bounds', () => {
    expect(boundsToSave({ x: 10.6, y: 20.2, width: 1000.5, height: 700 }, true)).toEqual({ x: 11, y: 20, width: 1001, height: 700, maximized: true });
  });
});
