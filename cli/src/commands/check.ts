/**
 * `kustodian build <dir>` and `kustodian validate <dir>`: the action's render and validation
 * (its `checkCheckout`, steps 5 to 7 of its pipeline) on a local checkout, offline: the same
 * overlays, the same jailed builds, the same checks and messages, and exit 1 when there is an
 * error, as the action fails its step.
 */

import { type Command, Option } from 'commander';
import { type Output, outputs } from '../render.ts';

/** The options of `build` and `validate`. */
export interface CheckOptions {
  output: Output;
  overlays?: string;
  allowRemote?: string;
  concurrency: string;
  kustomize?: string;
}

/** Registers `build` and `validate` on `program` (they take no kubeconfig). */
export function registerChecks(program: Command, help: string): void {
  for (const until of ['build', 'validate'] as const) {
    const examples =
      until === 'build'
        ? [
            'kustodian build .',
            'kustodian build . --overlays apps/web/overlays/prod',
            'kustodian build ~/src/config -o json',
          ]
        : ['kustodian validate .', "kustodian validate . --overlays 'apps/**,!apps/legacy/**'"];
    program
      .command(`${until} <dir>`)
      .description(
        until === 'build'
          ? 'render every overlay of a local checkout as the action does (jailed kustomize build), offline; prints the YAML, exits 1 when one does not build'
          : "the action's validation of every overlay of a local checkout, offline: build, parse, schemas (CRDs of the repository included), served API versions, images, overlays deployed to one place; exits 1 on an error",
      )
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(outputs).default('table'),
      )
      .option(
        '--overlays <globs>',
        "the action's overlays input: globs, comma-separated, ! excludes (default: every overlay)",
      )
      .option(
        '--allow-remote <hosts>',
        "the action's allow-remote input: hosts remote resources may come from, or *",
      )
      .option('--concurrency <n>', 'overlays built at once', '4')
      .option(
        '--kustomize <path>',
        'the kustomize binary (default: kustomize, else kubectl, on PATH)',
      )
      .addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n${help}`)
      .action(async (dir: string, options: CheckOptions) => {
        // The action's render and validation load only for these two commands.
        const { check } = await import('./check-run.ts');
        process.exitCode = await check(until, dir, options);
      });
  }
}
