/**
 * `kustodian diff <app> [--revision REF | --path DIR]`: what the next sync would change, per
 * object, found with a server-side dry run against the live objects (see
 * `@kustodian/query/diff-run`). Exits 0 without differences and 1 with some, like `diff`.
 */

import { CommandUsageError, type CommonOptions, type Kit } from './kit.ts';

/** The options of `diff`. */
export interface DiffOptions extends CommonOptions {
  revision?: string;
  path?: string;
  allowHttp?: boolean;
  kustomize?: string;
}

/** Registers `diff`. */
export function registerDiff(kit: Kit): void {
  kit
    .command(
      'diff <app>',
      "what the next sync would change: each object's server-side dry run against the live object (managed fields and server defaults left out), and what it would prune; exits 1 when there are differences",
      [
        'kustodian diff web -n team',
        'kustodian diff web --revision release-2',
        'kustodian diff web --path ~/src/config-repo',
        'kustodian diff web -o json',
      ],
    )
    .option('--revision <ref>', 'a branch, tag or full commit of the repository (default: its ref)')
    .option('--path <dir>', 'a local checkout of the repository, rendered as it is')
    .option(
      '--kustomize <path>',
      'the kustomize binary (default: kustomize, else kubectl, on PATH)',
    )
    .option('--allow-http', 'let git fetch over plain HTTP, as the reconciler with --allow-http')
    .action((app: string, options: DiffOptions) =>
      kit.run(async () => {
        if (options.revision !== undefined && options.path !== undefined)
          throw new CommandUsageError('--revision and --path exclude each other: give one');
        // The reconciler's render and apply steps load only for this command.
        const { showDiff } = await import('./diff-show.ts');
        return showDiff(kit, app, options);
      }),
    );
}
