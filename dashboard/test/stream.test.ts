/**
 * The live stream against the real API server: changes arrive as events whose id is the
 * resourceVersion; a stream resumed with `Last-Event-ID` gets what it missed; one resumed from a
 * version no longer kept is told to reset; tabs share one watch per scope.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminKube, installCrd } from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import {
  bindTestUsers,
  type CookieFetch,
  createApp,
  setStatus,
  signIn,
  startDashboard,
  type TestDashboard,
} from './support.ts';

const env = localEnv();

/** An open stream and the events read from it so far. */
function openStream(browser: CookieFetch, url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const events: { event: string; id: string; data: string }[] = [];
  const waiters: (() => void)[] = [];
  const done = (async () => {
    const response = await browser.request(url, { headers, signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}: `))
              ?.slice(name.length + 2) ?? '';
          if (field('event'))
            events.push({ event: field('event'), id: field('id'), data: field('data') });
          for (const wake of waiters.splice(0)) wake();
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    /** Resolves once an event satisfies `test`. */
    async until(test: (e: { event: string; id: string; data: string }) => boolean) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = events.find(test);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no such event in a minute; got ${JSON.stringify(events)}`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 1000).unref();
        });
      }
    },
    async close() {
      controller.abort();
      await done;
    },
  };
}

describe('the live stream', () => {
  let dashboard: TestDashboard;
  let namespace: string;
  let unbind: () => Promise<void>;

  before(async () => {
    await installCrd(adminKube(env()));
    namespace = await env().createNamespace('live');
    unbind = await bindTestUsers(env(), namespace);
    await createApp(env(), namespace, 'web', { ready: 'True', message: 'first' });
    dashboard = await startDashboard(env());
  });
  after(async () => {
    await dashboard?.stop();
    await unbind?.();
  });

  test('a stream resumed with Last-Event-ID gets the change it missed, and two tabs share one watch', async () => {
    const { browser } = await signIn(dashboard, 'alice');
    const page = (await (
      await browser.request(`${dashboard.origin}/api/applications?namespace=${namespace}`)
    ).json()) as {
      resourceVersion: string;
    };
    const base = `${dashboard.origin}/api/stream?namespace=${namespace}`;
    const first = openStream(browser, `${base}&from=${page.resourceVersion}`);
    const second = openStream(browser, `${base}&from=${page.resourceVersion}`);
    await setStatus(env(), namespace, 'web', { ready: 'True', message: 'second' });
    const seen = await first.until(
      (e) => e.event === 'change' && e.data.includes('"message":"second"'),
    );
    await second.until((e) => e.event === 'change' && e.data.includes('"message":"second"'));
    assert.ok(Number(seen.id) > Number(page.resourceVersion));
    assert.equal(dashboard.hubs.size, 1);
    await first.close();
    await second.close();

    await setStatus(env(), namespace, 'web', { ready: 'False', message: 'missed while away' });
    const resumed = openStream(browser, base, { 'Last-Event-ID': seen.id });
    const missed = await resumed.until(
      (e) => e.event === 'change' && e.data.includes('missed while away'),
    );
    assert.ok(Number(missed.id) > Number(seen.id));
    assert.equal(
      resumed.events.some((e) => e.data.includes('"message":"second"')),
      false,
    );
    await resumed.close();
  });

  test('a stream resumed from a version no longer kept is told to reset', async () => {
    const { browser } = await signIn(dashboard, 'alice');
    const stream = openStream(
      browser,
      `${dashboard.origin}/api/stream?namespace=${namespace}&from=1`,
    );
    await stream.until((e) => e.event === 'reset');
    await stream.close();
  });

  test('the stream is refused when the session is gone', async () => {
    const response = await fetch(`${dashboard.origin}/api/stream?namespace=${namespace}`);
    assert.equal(response.status, 401);
  });
});
