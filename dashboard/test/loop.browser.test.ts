/**
 * The loop seen from the dashboard: an open detail page of the staging web Application while a
 * release runs the bundled Action, which bumps the config repository; the push webhook makes the
 * reconciler sync, and the new revision and its app commit arrive in the page live, with no reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { pushForge } from '../../test/e2e/forges.ts';
import { runLoop } from '../../test/e2e/loop-support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { launchBrowser, signInWithBrowser } from './browser.ts';
import { bindTestUsers, startDashboard, type TestDashboard } from './support.ts';

const env = localEnv();

describe('the loop in the dashboard', () => {
  let dashboard: TestDashboard;
  let unbind: () => Promise<void>;

  before(async () => {
    unbind = await bindTestUsers(env(), await env().createNamespace('loop-viewers'));
    dashboard = await startDashboard(env());
  });
  after(async () => {
    await dashboard?.stop();
    await unbind?.();
  });

  test('a bump made by the bundled Action arrives live in an open detail page', async (t) => {
    const forge = await pushForge();
    const browser = await launchBrowser();
    try {
      let page: Page | undefined;
      const run = await runLoop(t, env, forge, {
        beforeRelease: async (appKey) => {
          page = await browser.context.newPage();
          await signInWithBrowser(page, dashboard.origin, 'alice');
          await page.goto(`${dashboard.origin}/applications/${appKey}`);
          await page.locator('.live.live').waitFor();
        },
      });
      assert.ok(page);
      const navigations = await page.evaluate(
        () => performance.getEntriesByType('navigation').length,
      );
      const history = page.getByRole('region', { name: 'History' });
      await history.getByText(run.commit.slice(0, 12)).first().waitFor();
      const sha = run.release.step.context.sha;
      await history.getByText(sha.slice(0, 12)).first().waitFor();
      assert.match(
        (await page.locator('dl.summary').textContent()) ?? '',
        new RegExp(run.commit.slice(0, 12)),
      );
      // Still the page opened before the release: nothing reloaded it.
      assert.equal(
        await page.evaluate(() => performance.getEntriesByType('navigation').length),
        navigations,
      );
    } finally {
      await browser.close();
      await forge.stop();
    }
  });
});
