// A new user's first session, in Chromium against web mode: import Fashion-MNIST, train an SN-GAN,
// watch samples and σ charts update, pause, scrub, resume, stop, interpolate, export a PNG grid; train on
// the 2D ring and watch D's decision field; switch the theme; then import a folder with bad files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { serveForFile, SHOTS } from './web-server';

const FASHION = '/usr/share/datasets/fashion-mnist';

const app = serveForFile();

async function setField(page: Page, key: string, value: string) {
  const field = page.getByTestId(`cfg-${key}`);
  if (!(await field.isVisible())) await page.locator('summary', { hasText: 'Advanced' }).click();
  await field.fill(value);
}

test('import Fashion-MNIST, train with SN, watch, pause, scrub, resume, stop', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(app().url);
  await expect(page.getByTestId('app-backend')).toContainText(/wasm|tensorflow|webgpu/, { timeout: 60_000 });

  // Datasets: import Debian's Fashion-MNIST folder (IDX + labels).
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('import-path-input').fill(`${FASHION}/t10k-images-idx3-ubyte.gz`);
  await page.getByTestId('import-name').fill('fashion');
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('import-progress').first()).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  const item = page.getByTestId('dataset-item').filter({ hasText: 'fashion' });
  await expect(item).toBeVisible();
  await item.click();
  await expect(page.getByTestId('thumb-grid').locator('img').first()).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/datasets.png` });

  // Train: an SN run, small enough to stream quickly on two CPU cores.
  await page.getByTestId('dataset-train').click();
  await expect(page.getByTestId('run-start')).toBeVisible();
  await page.getByTestId('cfg-d.norm').selectOption('sn');
  await setField(page, 'steps', '2000');
  await setField(page, 'batch', '16');
  await setField(page, 'sampleEvery', '5');
  await setField(page, 'logEvery', '2');
  await setField(page, 'd.ch', '16');
  await setField(page, 'g.ch', '16');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('run-controls')).toHaveAttribute('data-run-state', 'running', { timeout: 60_000 });
  await expect(page.getByTestId('train-preview')).toBeVisible({ timeout: 120_000 });
  await page.screenshot({ path: `${SHOTS}/train.png` });

  // Diagnostics: σ charts exist and are fed by streaming metrics.
  await page.getByTestId('nav-diagnostics').click();
  await expect(page.getByTestId('sigma-chart')).toBeVisible();
  await expect(page.getByTestId('diag-latest')).toContainText(/\d/, { timeout: 60_000 });
  const before = await page.getByTestId('diag-latest').innerText();
  await expect.poll(async () => page.getByTestId('diag-latest').innerText(), { timeout: 60_000 }).not.toBe(before);

  // The UI stays responsive while metrics stream: a view switch completes within 200 ms, timed in the page.
  const switchMs = await page.evaluate(async () => {
    const t0 = performance.now();
    (document.querySelector('[data-testid="nav-samples"]') as HTMLElement).click();
    for (;;) {
      if (document.querySelector('[data-testid="step-slider"]') || document.querySelector('[data-testid="sample-grid"]')) break;
      await new Promise((r) => requestAnimationFrame(r));
      if (performance.now() - t0 > 5000) break;
    }
    return performance.now() - t0;
  });
  expect(switchMs).toBeLessThan(200);
  await page.getByTestId('nav-diagnostics').click();
  await page.screenshot({ path: `${SHOTS}/diagnostics.png` });

  // Samples: the live grid; pause, scrub the step slider over saved snapshots, resume, stop.
  await page.getByTestId('nav-samples').click();
  await expect(page.getByTestId('sample-grid')).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => Number(await page.getByTestId('sample-grid').getAttribute('data-step')), { timeout: 120_000 }).toBeGreaterThanOrEqual(10);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('run-controls')).toHaveAttribute('data-run-state', 'paused', { timeout: 60_000 });
  const slider = page.getByTestId('step-slider');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('sample-grid')).toHaveAttribute('data-step', /^(0|5)$/, { timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/samples.png` });
  await page.getByTestId('run-resume').click();
  await expect(page.getByTestId('run-controls')).toHaveAttribute('data-run-state', 'running', { timeout: 60_000 });
  await page.getByTestId('run-stop').click();
  await expect(page.getByTestId('run-controls')).toHaveAttribute('data-run-state', /stopped|finished/, { timeout: 120_000 });
  await expect(page.getByTestId('run-item').first().getByTestId('run-state')).toHaveText(/stopped|finished/);

  // Latent interpolation between two cells of the fixed-latent grid, picked on the grid itself.
  await expect(page.getByTestId('interp-panel')).toBeVisible();
  await page.getByTestId('interp-pick-a').click();
  const grid = page.getByTestId('sample-open');
  const box = (await grid.boundingBox())!;
  await grid.click({ position: { x: box.width * 0.06, y: box.height * 0.06 } }); // cell 0 (top left)
  await grid.click({ position: { x: box.width * 0.94, y: box.height * 0.94 } }); // cell 63 (bottom right)
  await expect(page.getByTestId('interp-a')).toHaveValue('0');
  await expect(page.getByTestId('interp-b')).toHaveValue('63');
  await page.getByTestId('interp-steps').fill('6');
  await page.getByTestId('interp-go').click();
  await expect(page.getByTestId('interp-strip')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('interp-strip')).toHaveAttribute('alt', /6 images interpolated from cell 0 → cell 63/);
  await page.getByTestId('interp-strip').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/interpolate.png` });

  // Export: a PNG grid of 16 samples from the newest checkpoint, written by a background process.
  await page.getByTestId('nav-export').click();
  await expect(page.getByTestId('export-checkpoint')).toBeEnabled({ timeout: 30_000 });
  await page.getByTestId('export-format-png').check();
  await page.getByTestId('export-n').fill('16');
  await page.getByTestId('export-seed').fill('3');
  await page.getByTestId('export-go').click();
  await expect(page.getByTestId('export-result').first()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('export-files').first()).toContainText('grid.png');
  await expect(page.getByTestId('export-files').first()).toContainText('manifest.json');
  await page.screenshot({ path: `${SHOTS}/export.png` });
  // A readable error: the folder just written exists, so exporting into it again is refused.
  const written = await page.getByTestId('export-result').first().locator('.path').innerText();
  await page.getByTestId('export-out').fill(written);
  await page.getByTestId('export-go').click();
  await expect(page.getByTestId('export-error')).toContainText(/failed/i, { timeout: 120_000 });
});

test('2D ring: real vs generated points over the discriminator’s decision field, updating live', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(app().url);
  await page.getByTestId('nav-train').click();
  await page.getByTestId('train-dataset').selectOption('builtin:ring8');
  await setField(page, 'steps', '5000');
  await setField(page, 'sampleEvery', '20');
  await setField(page, 'logEvery', '10');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('run-controls')).toHaveAttribute('data-run-state', 'running', { timeout: 60_000 });
  await page.getByTestId('nav-samples').click();
  const field = page.getByTestId('points-field');
  await expect(field).toBeVisible({ timeout: 120_000 });
  await expect(field).toHaveAttribute('data-field-n', '48');
  const first = Number(await field.getAttribute('data-step'));
  await expect.poll(async () => Number(await field.getAttribute('data-step')), { timeout: 120_000 }).toBeGreaterThan(first);
  await expect(page.getByTestId('field-fooled')).toContainText('%');
  // The heatmap is drawn under the points: the chart area is not blank.
  const coloured = await field.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 16) if (Math.abs(d[i]! - d[i + 1]!) > 12 || Math.abs(d[i + 1]! - d[i + 2]!) > 12) n++;
    return n;
  });
  expect(coloured).toBeGreaterThan(500);
  await expect(page.getByTestId('interp-panel')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/samples-2d.png` });
  await page.getByTestId('run-stop').click();
  await expect(page.getByTestId('run-controls')).toHaveAttribute('data-run-state', /stopped|finished/, { timeout: 120_000 });
});

test('settings: the theme applies at once and is kept in the workspace', async ({ page }) => {
  await page.goto(app().url);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-workspace')).toHaveText(app().workspace);
  await page.getByTestId('settings-theme-dark').check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await page.getByTestId('settings-backend').selectOption('wasm');
  await expect(page.getByTestId('settings-saved')).toContainText('backend');
  await page.screenshot({ path: `${SHOTS}/settings.png` });
  // another browser profile (no local storage) gets the theme from the workspace
  const other = await page.context().browser()!.newContext();
  const p2 = await other.newPage();
  await p2.goto(app().url);
  await expect(p2.locator('html')).toHaveAttribute('data-theme', 'dark', { timeout: 30_000 });
  await p2.getByTestId('run-item').filter({ hasText: 'ring8' }).first().click();
  await p2.getByTestId('nav-samples').click();
  await expect(p2.getByTestId('points-field')).toBeVisible({ timeout: 30_000 });
  await p2.screenshot({ path: `${SHOTS}/samples-2d-dark.png` });
  await p2.getByTestId('run-item').filter({ hasText: 'fashion' }).first().click();
  await p2.getByTestId('nav-export').click();
  await expect(p2.getByTestId('export-checkpoint')).toBeEnabled({ timeout: 30_000 });
  await p2.screenshot({ path: `${SHOTS}/export-dark.png` });
  await other.close();
  await page.getByTestId('settings-theme-light').check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('settings-theme-system').check();
  await page.getByTestId('settings-backend').selectOption('auto');
});

test('desktop menu commands (the preload bridge, simulated) open a run, Export with a native folder dialog, Import, Settings', async ({ page }) => {
  // The Electron preload's window.sngan, stood in for in web mode: menu commands and native dialogs.
  await page.addInitScript(() => {
    const w = window as unknown as { sngan: unknown; __menu?: (c: unknown) => void; __dialogs: { kind: string; format?: string }[] };
    w.__dialogs = [];
    w.sngan = {
      onMenu: (l: (c: unknown) => void) => ((w.__menu = l), () => {}),
      dialog: async (req: { kind: string }) => {
        w.__dialogs.push(req);
        return req.kind === 'exportGenerator' ? { canceled: false, paths: ['/tmp/sngan-e2e-export-choice'] } : { canceled: true, paths: [] };
      },
    };
  });
  await page.goto(app().url);
  await expect(page.getByTestId('app-version')).toBeVisible({ timeout: 60_000 });
  const menu = (cmd: object) => page.evaluate((c) => (window as unknown as { __menu: (c: unknown) => void }).__menu(c), cmd);
  const fashion = page.getByTestId('run-item').filter({ hasText: 'fashion' }).first();
  const id = (await fashion.getAttribute('data-run-id'))!;

  await menu({ command: 'openRun', id });
  await expect(page.getByTestId('nav-samples')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('run-select')).toHaveValue(id);

  await menu({ command: 'export' });
  await expect(page.getByTestId('nav-export')).toHaveAttribute('aria-current', 'page');
  await page.getByTestId('export-format-onnx').check();
  await page.getByTestId('export-choose').click();
  await expect(page.getByTestId('export-out')).toHaveValue('/tmp/sngan-e2e-export-choice');
  expect(await page.evaluate(() => (window as unknown as { __dialogs: unknown[] }).__dialogs)).toContainEqual({ kind: 'exportGenerator', format: 'onnx', defaultName: `${id}-onnx` });

  await menu({ command: 'import' });
  await expect(page.getByTestId('nav-datasets')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('import-path-input')).toBeFocused(); // the native dialog was cancelled
  expect(await page.evaluate(() => (window as unknown as { __dialogs: { kind: string }[] }).__dialogs.map((d) => d.kind))).toContain('openDataset');

  await menu({ command: 'settings' });
  await expect(page.getByTestId('nav-settings')).toHaveAttribute('aria-current', 'page');
  await menu({ command: 'format-disk' }); // unknown commands are ignored
  await menu({ command: 'openRun', id: '../../etc' });
  await expect(page.getByTestId('nav-settings')).toHaveAttribute('aria-current', 'page');
});

test('a folder with bad files imports the good ones and reports each bad one with its reason', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'sngan-bad-'));
  for (let i = 0; i < 6; i++) {
    const png = await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: { r: 40 * i, g: 100, b: 200 } } }).png().toBuffer();
    writeFileSync(join(dir, `good-${i}.png`), png);
  }
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#88aa44' } }).jpeg().toBuffer();
  writeFileSync(join(dir, 'truncated.jpg'), jpeg.subarray(0, 200));
  writeFileSync(join(dir, 'notes.png'), 'this is not an image');
  writeFileSync(join(dir, 'empty.png'), '');

  await page.goto(app().url);
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('import-path-input').fill(dir);
  await page.getByTestId('import-name').fill('with-bad-files');
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('import-progress').first()).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
  const report = page.getByTestId('import-report').first();
  await report.locator('summary').click();
  const list = page.getByTestId('import-skipped-list').first();
  await expect(list).toContainText('truncated.jpg');
  await expect(list).toContainText('notes.png');
  await expect(list).toContainText('empty.png');
  await expect(page.getByTestId('dataset-item').filter({ hasText: 'with-bad-files' })).toContainText('6');
  await page.screenshot({ path: `${SHOTS}/import-report.png` });
});
