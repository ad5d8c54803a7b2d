/**
 * What `build` and `validate` run: the action's `checkCheckout` on the directory, its problems
 * printed as the action logs them, the result as a table, JSON or YAML.
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
import { exitCodes } from '../exit-codes.ts';
import { colours, print } from '../render.ts';
import type { CheckOptions } from './check.ts';
import { CommandUsageError } from './kit.ts';

/** How `build` and `validate` print one problem: as the action logs it (`error: …`). */
export function problemLine(problem: Problem): string {
  return `${problem.severity}: ${annotationOf(problem, 'text').message}`;
}

/** Runs `build` or `validate` on `dir`; the exit code. */
export async function check(
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
