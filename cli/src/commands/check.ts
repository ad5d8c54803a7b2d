/**
 * `kustodian build <dir>` and `kustodian validate <dir>`: the action's render and validation
 * (its `checkCheckout`, steps 5 to 7 of its pipeline) on a local checkout, offline: the same
 * overlays, the same jailed builds, the same checks and messages, and exit 1 when there is an
 * error, as the action fails its step.
 */

import { annotationOf } from '@kustodian/action/report/annotations';
import { checkCheckout } from '@kustodian/action/validate/checkout';
import type { Problem } from '@kustodian/action/validate/problems';
import { parseWith } from '@kustodian/shared/config/errors';
import { globListSchema } from '@kustodian/shared/config/paths';
import { messageOf } from '@kustodian/shared/errors';
import { execaRunner } from '@kustodian/shared/exec';
import { locateKustomize } from '@kustodian/shared/kustomize/locate';
import { parseRemoteAllowance } from '@kustodian/shared/kustomize/remote-allowance';
import { networkEnv } from '@kustodian/shared/network-env';
import { type Command, Option } from 'commander';
import { exitCodes } from '../exit-codes.ts';
import { colours, type Output, outputs, print } from '../render.ts';
import { CommandUsageError } from './kit.ts';

interface CheckOptions {
  output: Output;
  overlays?: string;
  allowRemote?: string;
  concurrency: string;
  kustomize?: string;
}

/** How `build` and `validate` print one problem: as the action logs it (`error: …`). */
export function problemLine(problem: Problem): string {
  return `${problem.severity}: ${annotationOf(problem, 'text').message}`;
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
        process.exitCode = await check(until, dir, options);
      });
  }
}

async function check(
  until: 'build' | 'validate',
  dir: string,
  options: CheckOptions,
): Promise<number> {
  let include: string[];
  let allowRemote: ReturnType<typeof parseRemoteAllowance>;
  const concurrency = Number(options.concurrency);
  try {
    include = parseWith(globListSchema(), options.overlays ?? '', 'inputs', 'overlays');
    allowRemote = parseRemoteAllowance(options.allowRemote ?? '');
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
      throw new CommandUsageError(
        `--concurrency ${options.concurrency}: give a whole number from 1 to 32`,
      );
  } catch (error) {
    process.stderr.write(`error: ${messageOf(error)}\n`);
    return exitCodes.usage;
  }
  try {
    const located = await locateKustomize({
      ...(options.kustomize ? { explicitPath: options.kustomize } : {}),
      pathEnv: process.env.PATH ?? '',
      runCommand: execaRunner,
    });
    const checked = await checkCheckout({
      root: dir,
      include,
      kustomize: located.command,
      runCommand: execaRunner,
      concurrency,
      allowRemote,
      networkEnv: networkEnv(process.env),
      until,
      // The action's progress lines, on stderr so that stdout holds only the result.
      ...(options.output === 'table'
        ? { info: (line: string) => process.stderr.write(`${line}\n`) }
        : {}),
    });
    for (const problem of checked.problems) process.stderr.write(`${problemLine(problem)}\n`);
    const errors = checked.problems.filter((p) => p.severity === 'error').length;
    const warnings = checked.problems.length - errors;
    const built = checked.rendered.filter((r) => r.yaml !== undefined);
    if (until === 'build')
      print(
        options.output,
        {
          overlays: built.map((r) => ({ overlay: r.overlay, file: r.file, yaml: r.yaml })),
          problems: checked.problems,
        },
        () => built.map((r) => `---\n# overlay: ${r.overlay}\n${r.yaml}`).join(''),
      );
    else
      print(
        options.output,
        { overlays: checked.overlays, problems: checked.problems, ok: errors === 0 },
        () => {
          const counts = `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`;
          const line = `validated ${checked.overlays.length} overlays: ${counts}`;
          return `${errors > 0 ? colours.red(line) : colours.green(line)}\n`;
        },
      );
    return errors > 0 ? exitCodes.failed : exitCodes.ok;
  } catch (error) {
    process.stderr.write(`error: ${messageOf(error)}\n`);
    return exitCodes.failed;
  }
}
