/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), headless, with a
 * fresh profile per launch and nothing reaching the network but the pages under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser context in a fresh profile; `close()` removes the profile. */
export async function launchBrowser(
  options: { colorScheme?: 'light' | 'dark'; width?: number; bypassCsp?: boolean } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'kustodian-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args,
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: options.width ?? 1280, height: 800 },
    // Only to inject axe-core, whose source the page's own policy rightly refuses.
    bypassCSP: options.bypassCsp === true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The serious and critical axe-core violations of the page, as `rule: target` lines. */
export async function seriousViolations(page: import('playwright-core').Page): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL(import.meta.resolve('axe-core/axe.min.js')), 'utf8');
  await page.addScriptTag({ content: source });
  const results = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe;
    return axe.run();
  })) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Signs in as `login` on the provider's page the dashboard sends the browser to. */
export async function signInWithBrowser(page: Page, origin: string, login: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${origin}/**`);
}
