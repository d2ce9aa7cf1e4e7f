/**
 * Window size and position remembered across launches, made safe for the displays present now:
 * a window saved on a monitor that is gone (or mostly off-screen) is re-centred on the primary display.
 */
import type { WindowBounds } from './settings';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MIN_SIZE = { width: 900, height: 600 } as const;

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Bounds to open the window with, given the saved ones and the work areas of the displays (primary first). */
export function restoreBounds(saved: WindowBounds, workAreas: Rect[]): { x?: number; y?: number; width: number; height: number; maximized: boolean } {
  const primary = workAreas[0];
  const fit = (r: Rect | undefined) => ({
    width: Math.max(MIN_SIZE.width, Math.min(saved.width, r?.width ?? saved.width)),
    height: Math.max(MIN_SIZE.height, Math.min(saved.height, r?.height ?? saved.height)),
  });
  if (saved.x !== undefined && saved.y !== undefined) {
    const rect = { x: saved.x, y: saved.y, width: saved.width, height: saved.height };
    // Visible enough: at least a third of the window on some display, and its title bar on one.
    const titleBar = { x: rect.x, y: rect.y, width: rect.width, height: 32 };
    const home = workAreas.find((a) => overlap(rect, a) >= (rect.width * rect.height) / 3 && overlap(titleBar, a) > 0);
    if (home) return { x: rect.x, y: rect.y, ...fit(home), maximized: saved.maximized };
  }
  const size = fit(primary);
  if (!primary) return { ...size, maximized: saved.maximized };
  return {
    x: Math.round(primary.x + (primary.width - size.width) / 2),
    y: Math.round(primary.y + (primary.height - size.height) / 2),
    ...size,
    maximized: saved.maximized,
  };
}

/** What to remember: the normal (un-maximised) bounds plus whether it was maximised. */
export function boundsToSave(normal: Rect, maximized: boolean): WindowBounds {
  return {
    x: Math.round(normal.x),
    y: Math.round(normal.y),
    width: Math.max(200, Math.round(normal.width)),
    height: Math.max(150, Math.round(normal.height)),
    maximized,
  };
}
