// Compare stabilisers in one action, in Chromium against web mode: a 'stabilisers' study on the 2D ring with
// sn and none, queued as two normal runs, ends in a summary table and fills the overlaid charts.
import { expect, test } from '@playwright/test';
import { serveForFile, SHOTS } from './web-server';

const app = serveForFile();

test('a stabilisers study (sn, none) on ring8: two queued runs, a summary table, overlaid charts', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(app().url);
  await expect(page.getByTestId('app-backend')).toContainText(/wasm|tensorflow|webgpu/, { timeout: 60_000 });
  await page.getByTestId('nav-compare').click();

  await page.getByTestId('study-dataset').selectOption('builtin:ring8');
  await page.getByTestId('study-kind-stabilisers').check();
  await page.getByTestId('study-norm-gp').uncheck();
  await page.getByTestId('study-norm-bn').uncheck();
  await expect(page.getByTestId('study-count')).toContainText('2 runs');
  await page.getByTestId('study-steps').fill('60');
  await page.getByTestId('study-start').click();

  const item = page.getByTestId('study-item').first();
  await expect(item).toHaveAttribute('data-state', /queued|running/);
  await expect(item).toHaveAttribute('data-state', 'finished', { timeout: 90_000 });
  await expect(item).toContainText('2/2');

  const table = page.getByTestId('study-table');
  const rows = table.getByTestId('study-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).locator('td').first()).toHaveText('sn');
  await expect(rows.nth(1).locator('td').first()).toHaveText('none');
  for (const label of ['Modes ≥20', 'Modes ≥1', 'HQ %', 'Steps→Q', 'Wall s', 'NaN']) await expect(table.locator('th', { hasText: label })).toHaveCount(1);
  await expect(table.locator('th', { hasText: 'FID*' })).toHaveCount(0);
  // every row has its modes and wall time
  for (let i = 0; i < 2; i++) await expect(rows.nth(i)).toContainText(/\d\/8/);
  await expect(page.getByTestId('study-cancel')).toHaveCount(0);

  // The study's runs fill the overlaid charts and sample grids below, and are ordinary runs.
  await expect(page.locator('[data-testid="compare-pick"]:checked')).toHaveCount(2);
  await expect(page.getByTestId('compare-chart')).toBeVisible();
  await expect(page.locator('.grids img')).toHaveCount(2, { timeout: 30_000 });
  await page.getByTestId('study-detail').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/studies.png`, fullPage: true });
});
