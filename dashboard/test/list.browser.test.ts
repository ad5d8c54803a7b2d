/**
 * The dashboard in Chromium: sign in through the provider's own page, see the list, watch a
 * change arrive live, be refused what RBAC refuses, confirm an action, log out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { adminKube, installCrd } from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { launchBrowser } from './browser.ts';
import {
  bindTestUsers,
  createApp,
  setStatus,
  startDashboard,
  type TestDashboard,
} from './support.ts';

const env = localEnv();

/** Signs in as `login` on the provider's page the dashboard sends the browser to. */
export async function signInWithBrowser(page: Page, origin: string, login: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${origin}/**`);
}

describe('the Applications list in Chromium', () => {
  let dashboard: TestDashboard;
  let teamA: string;
  let teamB: string;
  let unbind: () => Promise<void>;

  before(async () => {
    await installCrd(adminKube(env()));
    teamA = await env().createNamespace('team-a');
    teamB = await env().createNamespace('team-b');
    unbind = await bindTestUsers(env(), teamB);
    await createApp(env(), teamA, 'payments', { ready: 'True', message: 'applied 3 objects' });
    await createApp(env(), teamB, 'web', { ready: 'False', message: 'health check failed' });
    dashboard = await startDashboard(env());
  });
  after(async () => {
    await dashboard?.stop();
    await unbind?.();
  });

  test('alice signs in, sees the list, a change arrives live, syncs after confirming, and logs out', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && m.location().url.startsWith(dashboard.origin))
          errors.push(`${m.location().url}: ${m.text()}`);
      });
      await signInWithBrowser(page, dashboard.origin, 'alice');
      await page.goto(`${dashboard.origin}/?namespace=${teamA}`);
      const row = page.locator(`tr[data-app="${teamA}/payments"]`);
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /applied 3 objects/);
      await page.locator('.live.live').waitFor();

      await setStatus(env(), teamA, 'payments', {
        ready: 'False',
        message: 'changed while watched',
      });
      await row.getByText('changed while watched').waitFor();
      assert.match((await row.textContent()) ?? '', /failing/);

      await row.getByRole('button', { name: `Sync ${teamA}/payments` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      assert.match((await dialog.textContent()) ?? '', new RegExp(`Sync ${teamA}/payments`));
      await dialog.getByRole('button', { name: 'Sync' }).click();
      await page.locator('#notice').getByText('sync requested').waitFor();

      await page.getByRole('button', { name: 'Log out' }).click();
      // The provider asks whether to sign out there too.
      await page.locator('button[autofocus], button[type="submit"]').first().click();
      await page.waitForURL(`${dashboard.origin}/signed-out`);
      await page.goto(`${dashboard.origin}/`);
      await page.locator('input[name="login"]').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  test('bob sees only team b, is shown no action and is refused a sync', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await signInWithBrowser(page, dashboard.origin, 'bob');
      await page.locator(`tr[data-app="${teamB}/web"]`).waitFor();
      assert.equal(await page.locator(`tr[data-app^="${teamA}/"]`).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^Sync / }).count(), 0);
      const refused = await page.evaluate(async (namespace) => {
        const data = JSON.parse(document.getElementById('page-data')?.textContent ?? '{}');
        const response = await fetch(`/api/applications/${namespace}/web/sync`, {
          method: 'POST',
          headers: { 'X-CSRF-Token': data.viewer.csrfToken },
        });
        return { status: response.status, body: await response.json() };
      }, teamB);
      assert.equal(refused.status, 403);
      assert.match(refused.body.message, /may not sync/);
    } finally {
      await browser.close();
    }
  });
});
