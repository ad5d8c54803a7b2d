/**
 * kustodian-server with 1,000 Applications (in 10 namespaces, each with a status like the
 * reconciler writes), run as `npm run dashboard` runs it (a process of its own, as its service
 * account, impersonating a signed-in user):
 *
 * - the list's first paint: the server's answer to `GET /` (every Application read as the user
 *   with one LIST, filtered, sorted, counted and 50 rows rendered), median of 5, against
 *   `kubectl get kapp -A`; and Chromium's first contentful paint of the same page;
 * - the server's resident memory with those Applications and 20 open live streams, after a
 *   change to every Application has gone through all of them.
 *
 * `node bench/dashboard.bench.ts [--applications N] [--env <env.json>]`
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { launchBrowser } from '../dashboard/test/browser.ts';
import {
  bindTestUsers,
  registerClient,
  serverKubeConfig,
  signIn,
} from '../dashboard/test/support.ts';
import { toTestEnv } from '../test/env/for-tests.ts';
import type { LocalEnvInfo } from '../test/env/index.ts';
import { freePort } from '../test/env/ports.ts';
import { statusOf } from './cli.bench.ts';
import { adminClient, installCrd } from './support/cluster.ts';
import { argument, withEnvironment } from './support/environment.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, median, timed } from './support/stats.ts';

const run = promisify(execFile);
const main = resolve(import.meta.dirname, '../dashboard/src/server/main.ts');
const namespaces = 10;
const rounds = 5;
const streams = 20;

export async function benchDashboard(
  info: LocalEnvInfo,
  applications = 1000,
): Promise<BenchResult> {
  const before = machineLoad();
  const env = toTestEnv(info, await readFile(info.kubeconfig, 'utf8'));
  const kube = await adminClient(info.kubeconfig);
  await installCrd(kube);
  const tag = Date.now().toString(36);
  const names = Array.from({ length: namespaces }, (_, n) => `dash-${tag}-${n}`);
  for (const name of names)
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const unbind = await bindTestUsers(env, names[0] ?? 'default');
  const api = { apiVersion: 'kustodian.dev/v1alpha1', kind: 'Application' };
  const writeAll = async (at: string) => {
    const all = Array.from({ length: applications }, (_, i) => i);
    for (let start = 0; start < all.length; start += 50)
      await Promise.all(
        all.slice(start, start + 50).map(async (i) => {
          const metadata = { name: `app-${i}`, namespace: names[i % namespaces] ?? '' };
          await kube.apply({
            ...api,
            metadata,
            spec: {
              source: {
                url: `https://git.example.test/team/config-${i % 7}.git`,
                path: `apps/${i}`,
              },
              suspend: true,
            },
          });
          await kube.apply(
            { ...api, metadata, status: statusOf(i, at) },
            { subresource: 'status' },
          );
        }),
      );
  };
  await writeAll(new Date().toISOString());

  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const client = await registerClient(env, origin);
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-dashboard-bench-'));
  await writeFile(join(dir, 'secret'), client.client_secret, { mode: 0o600 });
  await writeFile(join(dir, 'kubeconfig'), (await serverKubeConfig(env)).exportConfig(), {
    mode: 0o600,
  });
  const server: ChildProcess = spawn(
    process.execPath,
    [
      main,
      `--issuer=${info.oidc.issuer}`,
      `--client-id=${client.client_id}`,
      `--client-secret-file=${join(dir, 'secret')}`,
      `--redirect-url=${origin}/auth/callback`,
      `--listen=127.0.0.1:${port}`,
      `--kubeconfig=${join(dir, 'kubeconfig')}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  server.stderr?.resume();
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${origin}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(100);
    }
    const { browser } = await signIn({ origin }, 'alice');
    const served: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const got = await timed(async () => {
        const response = await browser.request(`${origin}/`);
        return response.text();
      });
      if (!got.value.includes(`of ${applications}`) && !got.value.includes('of '))
        throw new Error('the list page did not count the Applications');
      served.push(got.ms);
    }
    const environment = { ...process.env, KUBECONFIG: info.kubeconfig };
    const kubectl: number[] = [];
    for (let round = 0; round < rounds; round++)
      kubectl.push(
        (
          await timed(() =>
            run('kubectl', ['get', 'kapp', '-A'], { env: environment, maxBuffer: 64 << 20 }),
          )
        ).ms,
      );

    // Chromium: the first contentful paint of the list, signed in with the same session.
    const chromium = await launchBrowser();
    const paints: number[] = [];
    try {
      const page = await chromium.context.newPage();
      await page.goto(`${origin}/`);
      await page.locator('input[name="login"]').fill('alice');
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button[type="submit"]').click();
      await page.waitForURL(`${origin}/**`);
      for (let round = 0; round < rounds; round++) {
        await page.goto(`${origin}/`);
        paints.push(
          await page.evaluate(
            () =>
              new Promise<number>((done) => {
                new PerformanceObserver((list) => {
                  const paint = list.getEntriesByName('first-contentful-paint')[0];
                  if (paint) done(Math.round(paint.startTime));
                }).observe({ type: 'paint', buffered: true });
              }),
          ),
        );
      }
    } finally {
      await chromium.close();
    }

    // 20 open streams, then a change to every Application goes through all of them.
    const readers = await Promise.all(
      Array.from({ length: streams }, async () => {
        const controller = new AbortController();
        const response = await fetch(`${origin}/api/stream`, {
          headers: {
            Cookie: `__Host-kustodian-session=${browser.cookies(origin).get('__Host-kustodian-session')}`,
          },
          signal: controller.signal,
        });
        let changes = 0;
        const done = (async () => {
          const decoder = new TextDecoder();
          try {
            for await (const chunk of response.body as AsyncIterable<Uint8Array>)
              changes += (decoder.decode(chunk, { stream: true }).match(/event: change/g) ?? [])
                .length;
          } catch {
            // aborted
          }
        })();
        return { controller, changes: () => changes, done };
      }),
    );
    const want = applications * 2; // the first ADDED of each, then the change
    await writeAll(new Date(Date.now() + 1000).toISOString());
    for (let i = 0; i < 600 && readers.some((r) => r.changes() < want); i++) await sleep(100);
    const rssMiB = await residentMiB(server.pid ?? 0);
    for (const reader of readers) reader.controller.abort();
    await Promise.all(readers.map((r) => r.done));
    const ours = Math.round(median(served));
    return {
      name: 'dashboard',
      rows: [
        {
          measure: `dashboard list of ${applications} Applications, server first paint (50 rows, filtered, sorted, counted), median of ${rounds}`,
          unit: 'ms',
          ours,
          alternative: { name: 'kubectl get kapp -A', value: Math.round(median(kubectl)) },
          target: '<= 1000 ms',
          met: ours <= 1000,
        },
        {
          measure: `dashboard list of ${applications} Applications, Chromium first contentful paint, median of ${rounds}`,
          unit: 'ms',
          ours: Math.round(median(paints)),
          target: '<= 1000 ms',
          met: median(paints) <= 1000,
        },
        {
          measure: `kustodian-server resident memory, ${applications} Applications, ${streams} open streams after a change to each`,
          unit: 'MiB',
          ours: rssMiB,
          note: `changes delivered per stream: ${Math.min(...readers.map((r) => r.changes()))} of ${want}`,
        },
      ],
      load: { before, after: machineLoad() },
      details: { served, kubectl, paints },
    };
  } finally {
    server.kill('SIGTERM');
    await unbind();
  }
}

async function residentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kib / 1024);
}

if (import.meta.main) {
  const applications = Number(argument('applications')) || undefined;
  await withEnvironment(async (env) => [await benchDashboard(env, applications)]);
}
