/**
 * The detail page in Chromium against a real reconciler: objects with health and drift,
 * conditions, history, Events, the diff of the next sync, pod logs (no log file is served for
 * these pods, so the reason shows), a new commit synced from the page arriving live; axe-core
 * finds no serious violation on the list and the detail page, light or dark; screenshots of
 * both (into `dashboard/docs/` with KUSTODIAN_SCREENSHOTS=1).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import {
  adminKube,
  configMap,
  createApplication,
  deployment,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
} from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { launchBrowser, seriousViolations, signInWithBrowser } from './browser.ts';
import { bindTestUsers, createApp, startDashboard, type TestDashboard } from './support.ts';

const env = localEnv();
const appCommit = '9be1c0d2a7f3'.padEnd(40, '0');
const screenshots = process.env.KUSTODIAN_SCREENSHOTS
  ? new URL('../docs/', import.meta.url).pathname
  : join(tmpdir(), 'kustodian-dashboard-screenshots');

describe('the Application detail page in Chromium', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let dashboard: TestDashboard;
  let reconciler: Awaited<ReturnType<typeof startTestReconciler>>;
  let unbind: () => Promise<void>;
  const kube = () => adminKube(env());

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('shop');
    repo = await git.repo('team/shop');
    await repo.commit(
      {
        'app/settings.yaml': configMap('settings', { mode: 'blue' }),
        'app/web.yaml': deployment('web', 'registry.example/web:1.0.0'),
        'app/api.yaml': deployment('api', 'registry.example/api:2.1.0', 1),
      },
      'first',
    );
    reconciler = await startTestReconciler(env(), namespace);
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' } },
      { username: git.username, password: git.password },
    );
    for (const [name, ready, message] of [
      ['billing', 'False', 'apply Deployment/billing: field is immutable: spec.selector'],
      ['search', 'Unknown', 'reconciling main@sha1:3f2c1ab9d0e4'],
    ] as const)
      await createApp(env(), namespace, name, { ready, message });
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'web Ready',
      (app) => readyOf(app)?.status === 'True',
    );
    unbind = await bindTestUsers(env(), namespace);
    // The diff is a server-side dry run as the user (authorized as a patch) from the source
    // fetched with its Secret: platform admins may edit this namespace.
    await env()
      .kc.makeApiClient(RbacAuthorizationV1Api)
      .createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: 'platform-admins-edit' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
          subjects: [
            { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:platform-admins' },
          ],
        },
      });
    dashboard = await startDashboard(env(), { flags: ['--allow-http=true'] });
    await mkdir(screenshots, { recursive: true });
  });
  after(async () => {
    await dashboard?.stop();
    await reconciler?.stop();
    await git?.stop();
    await unbind?.();
  });

  test('alice sees objects, conditions, history and Events, computes the diff, reads why there are no logs, and a synced commit arrives live', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await signInWithBrowser(page, dashboard.origin, 'alice');
      await page.goto(`${dashboard.origin}/?namespace=${namespace}`);
      await page.getByRole('link', { name: `${namespace}/web` }).click();
      await page.waitForURL(`${dashboard.origin}/applications/${namespace}/web`);
      await page
        .getByRole('region', { name: 'Deployment objects' })
        .getByText(`Deployment/${namespace}/web`)
        .waitFor();
      await page
        .getByRole('region', { name: 'ConfigMap objects' })
        .getByText('InSync')
        .first()
        .waitFor();
      const conditions =
        (await page.getByRole('region', { name: 'Conditions' }).textContent()) ?? '';
      assert.match(conditions, /Ready\s*True/);
      const history = page.getByRole('region', { name: 'History' });
      assert.match((await history.textContent()) ?? '', /Succeeded/);
      await page.getByRole('region', { name: 'Events' }).locator('tbody tr').first().waitFor();

      await page.getByRole('button', { name: 'Compute the diff' }).click();
      const diffRegion = page.getByRole('region', { name: 'Diff (live vs desired)' });
      await diffRegion
        .locator('#diff-summary, [role="alert"]')
        .first()
        .waitFor({ timeout: 120_000 });
      assert.match((await diffRegion.textContent()) ?? '', /unchanged/);

      await page.getByRole('button', { name: 'Show logs' }).click();
      await page
        .getByText(/without a kubelet that serves logs|not scheduled on a node yet|has not started/)
        .first()
        .waitFor();

      await page.screenshot({ path: join(screenshots, 'detail-light.png'), fullPage: true });

      const commit = await repo.commit(
        { 'app/web.yaml': deployment('web', 'registry.example/web:1.1.0') },
        `web 1.1.0\n\nKustodian-Source-Repository: acme/web\nKustodian-Source-Commit: ${appCommit}`,
      );
      await page.getByRole('button', { name: 'Sync' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Sync' }).click();
      await page.locator('#notice').getByText('sync requested').waitFor();
      await history.getByText(commit.slice(0, 12)).waitFor({ timeout: 120_000 });
      assert.match((await history.textContent()) ?? '', new RegExp(appCommit.slice(0, 12)));

      // What runs where: the timeline of the image and of the app commit, and the matrix.
      for (const target of ['registry.example/web:1.1.0', appCommit.slice(0, 10)]) {
        await page.goto(`${dashboard.origin}/trace?target=${encodeURIComponent(target)}`);
        const trace = page.getByRole('article', { name: `${namespace}/web`, exact: true });
        await trace.waitFor();
        const steps = await trace
          .getByRole('list', { name: `Steps of ${namespace}/web` })
          .getByRole('listitem')
          .allTextContents();
        assert.equal(steps.length, 5, steps.join('\n'));
        const [app, bump, fetched, applied, healthy] = steps;
        assert.match(
          app ?? '',
          new RegExp(`^app commit done .*acme/web@${appCommit.slice(0, 12)}`),
        );
        // No Kustodian-Source-Time trailer: the app commit has no time, the bump no duration.
        assert.match(
          bump ?? '',
          new RegExp(`^bump commit done \\d+\\w ago .* ${commit.slice(0, 12)}`),
        );
        assert.match(
          fetched ?? '',
          /^fetched done \d+\w ago \(\d+(ms|s|m|h) after the step before\)/,
        );
        assert.match(
          applied ?? '',
          /^applied done \d+\w ago \(\d+(ms|s|m|h) after the step before\)/,
        );
        assert.match(healthy ?? '', /^healthy (done|pending|unknown)/);
        if (target.startsWith('registry.'))
          assert.match(
            (await trace.textContent()) ?? '',
            /Deployment\/web · web · registry\.example\/web:1\.1\.0/,
          );
      }
      await page.goto(`${dashboard.origin}/environments`);
      const row = page.getByRole('row', { name: /^web/ });
      const cell = (await row.getByRole('cell').first().textContent()) ?? '';
      assert.match(cell, new RegExp(`${namespace}/web`));
      assert.match(cell, new RegExp(`@${commit.slice(0, 12)}`));
      assert.match(cell, new RegExp(`app acme/web@${appCommit.slice(0, 12)}`));
      assert.match(cell, /images 1\.1\.0 · Ready True · \w+ · since \d+\w ago/);
    } finally {
      await browser.close();
    }
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe-core finds no serious violation on the list, detail, trace and environments pages (${colorScheme})`, async () => {
      const browser = await launchBrowser({ colorScheme, bypassCsp: true });
      try {
        const page = await browser.context.newPage();
        await signInWithBrowser(page, dashboard.origin, 'alice');
        await page.goto(`${dashboard.origin}/?namespace=${namespace}`);
        await page.locator(`tr[data-app="${namespace}/web"]`).waitFor();
        await page.locator('.live.live').waitFor();
        await page.screenshot({ path: join(screenshots, `list-${colorScheme}.png`) });
        assert.deepEqual(await seriousViolations(page), []);
        await page.goto(`${dashboard.origin}/applications/${namespace}/web`);
        await page.getByRole('region', { name: 'Deployment objects' }).waitFor();
        assert.deepEqual(await seriousViolations(page), []);
        await page.goto(`${dashboard.origin}/trace?target=registry.example%2Fweb`);
        await page.getByRole('article').first().waitFor();
        assert.deepEqual(await seriousViolations(page), []);
        await page.goto(`${dashboard.origin}/environments`);
        await page.getByRole('table').waitFor();
        assert.deepEqual(await seriousViolations(page), []);
        if (colorScheme === 'dark')
          await page.screenshot({ path: join(screenshots, 'detail-dark.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    });
  }

  test('at phone width the list and the detail page need no sideways scrolling', async () => {
    const browser = await launchBrowser({ width: 390 });
    try {
      const page = await browser.context.newPage();
      await signInWithBrowser(page, dashboard.origin, 'alice');
      await page.goto(`${dashboard.origin}/?namespace=${namespace}`);
      await page.locator(`tr[data-app="${namespace}/web"]`).waitFor();
      const wide = await page.evaluate(
        () => document.documentElement.scrollWidth > window.innerWidth + 1,
      );
      assert.equal(wide, false);
      await page.screenshot({ path: join(screenshots, 'list-phone.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
