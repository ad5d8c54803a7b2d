/**
 * `npm run demo`: the whole Kustodian loop on the embedded local environment, step by step.
 *
 * It brings up a real control plane with fake nodes and an HTTPS git server, pushes the example
 * config repository, installs the Application CRD, starts the reconciler, creates the example
 * Applications and waits until they are healthy; then a release runs the bundled action as a
 * runner would to bump an image tag, and the cluster converges on that commit. It ends with the
 * timings of bump commit → applied → healthy and, unless `--exit` or `CI`, keeps running for
 * people to look around until Ctrl-C. Everything it started is stopped and removed at the end.
 */
import { messageOf } from '@kustodian/shared/errors';
import { dashboardLines, runDemo } from './demo.ts';
import { clusterLines, instructions } from './look-around.ts';
import { demoOptions, usage } from './options.ts';
import { createReporter } from './report.ts';

const say = createReporter(process.stdout);
const stopping = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => stopping.abort(new Error(`stopped by ${signal}`)));
}
const cleanups: { what: string; run: () => Promise<void> }[] = [];

async function main(): Promise<number> {
  const options = demoOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const outcome = await runDemo({
    say,
    signal: stopping.signal,
    defer: (what, run) => cleanups.push({ what, run }),
  });
  say.step('the cluster now');
  for (const line of await clusterLines(outcome.kube, 'kustodian-system', 'web')) say.detail(line);
  if (!options.exitWhenDone) {
    say.step('keeping everything running');
    for (const line of instructions(outcome.env.info.kubeconfig, outcome.reconciler.logFile)) {
      say.detail(line);
    }
    for (const line of dashboardLines(outcome.dashboard.url, outcome.env.info.oidc.issuer))
      say.detail(line);
    await new Promise<void>((resolve) => {
      if (stopping.signal.aborted) resolve();
      stopping.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  say.endProgress();
  const interrupted = stopping.signal.aborted;
  console.error(`\ndemo ${interrupted ? 'interrupted' : 'failed'}: ${messageOf(error)}`);
  code = interrupted ? 130 : 1;
} finally {
  if (cleanups.length > 0) {
    say.step(
      `stopping ${cleanups
        .map((c) => c.what)
        .reverse()
        .join(' and ')}; removing their files`,
    );
    for (const cleanup of cleanups.reverse()) {
      await cleanup.run().catch((error: unknown) => {
        console.error(`could not stop ${cleanup.what}: ${messageOf(error)}`);
        code = code === 0 ? 1 : code;
      });
    }
  }
}
process.exit(code);
