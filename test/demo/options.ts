/**
 * The demo's command line: `npm run demo [-- --exit]`. With `--exit`, or whenever `CI` is set,
 * it cleans up and exits once the loop has converged (0) or failed (non-zero); otherwise it keeps
 * everything running for people to look around until Ctrl-C.
 */

/** What the demo was asked to do. */
export interface DemoOptions {
  readonly exitWhenDone: boolean;
  readonly help: boolean;
}

/** How to call the demo. */
export const usage = `usage: npm run demo [-- --exit]
  Brings up the local environment, pushes examples/config-repo to its git server, starts the
  reconciler, creates the example Applications, releases a new web image through the bundled
  action and shows the cluster converging on it, with timings.
  --exit   clean up and exit once the loop converged (the default when CI is set)
  --help   this text`;

/** Reads the arguments and the environment (pure); throws on an unknown argument. */
export function demoOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DemoOptions {
  for (const arg of args) {
    if (!['--exit', '--help', '-h'].includes(arg)) {
      throw new Error(`unknown argument "${arg}"\n${usage}`);
    }
  }
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return {
    exitWhenDone: args.includes('--exit') || ci,
    help: args.includes('--help') || args.includes('-h'),
  };
}
