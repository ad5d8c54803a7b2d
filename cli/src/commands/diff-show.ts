/**
 * What `diff` runs: the dry-run diff of `@kustodian/query/diff-run`, with a spinner on a
 * terminal, printed per object, and the exit code (0 no differences, 1 some, 9 not found).
 */

import type { ObjectDiff } from '@kustodian/query/diff';
import { hasDifferences } from '@kustodian/query/diff';
import type { ApplicationDiff } from '@kustodian/query/diff-run';
import { diffApplication } from '@kustodian/query/diff-run';
import { QueryError } from '@kustodian/query/errors';
import { messageOf } from '@kustodian/shared/errors';
import { execaRunner } from '@kustodian/shared/exec';
import { locateKustomize } from '@kustodian/shared/kustomize/locate';
import { networkEnv } from '@kustodian/shared/network-env';
import ora from 'ora';
import { exitCodes } from '../exit-codes.ts';
import { colours, print } from '../render.ts';
import type { DiffOptions } from './diff.ts';
import type { Kit } from './kit.ts';

/** Computes and prints the diff of the Application `app`; the exit code. */
export async function showDiff(kit: Kit, app: string, options: DiffOptions): Promise<number> {
  const { kc, namespace } = kit.connect(options);
  const ns = kit.oneNamespace(options, namespace);
  const spinner =
    process.stderr.isTTY && options.output === 'table'
      ? ora({ text: `diffing Application ${ns}/${app}`, stream: process.stderr }).start()
      : undefined;
  let result: ApplicationDiff;
  try {
    const located = await locateKustomize({
      ...(options.kustomize ? { explicitPath: options.kustomize } : {}),
      pathEnv: process.env.PATH ?? '',
      runCommand: execaRunner,
    });
    result = await diffApplication({
      kc,
      namespace: ns,
      name: app,
      from:
        options.path !== undefined
          ? { kind: 'path', dir: options.path }
          : {
              kind: 'repository',
              ...(options.revision ? { revision: options.revision } : {}),
            },
      kustomize: located.command,
      runCommand: execaRunner,
      allowHttp: options.allowHttp === true,
      networkEnv: networkEnv(process.env),
    });
  } catch (error) {
    // Not about the kubeconfig or the Application: the changes could not be found.
    if (error instanceof QueryError && error.failure !== 'other') throw error;
    process.stderr.write(`error: ${messageOf(error)}\n`);
    return exitCodes.incomplete;
  } finally {
    spinner?.stop();
  }
  for (const object of result.objects)
    if (object.action === 'failed')
      process.stderr.write(`error: the sync would fail on ${object.id}: ${object.message}\n`);
  print(options.output, result, () => diffText(result));
  if (result.summary.failed > 0) return exitCodes.incomplete;
  return hasDifferences(result.summary) ? exitCodes.failed : exitCodes.ok;
}

/** The diff for people: each changed object's fields and unified diff, then a summary line. */
export function diffText(result: ApplicationDiff): string {
  const blocks = result.objects
    .filter((o) => !['unchanged', 'failed'].includes(o.action))
    .map(objectText);
  const { create, update, prune, unchanged, drift, failed } = result.summary;
  const counts = [
    [create, 'to create'],
    [update, 'to update'],
    [prune, 'to prune'],
    [failed, 'refused by the dry run'],
    [drift, 'changed in the cluster and left as they are (selfHeal is off)'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, what]) => `${n} ${what}`);
  const where = `Application ${result.application.namespace}/${result.application.name} at ${result.revision}`;
  const summary =
    counts.length === 0
      ? `${where}: no differences (${unchanged} unchanged)`
      : `${where}: ${counts.join(', ')}, ${unchanged} unchanged`;
  return `${blocks.join('\n')}${blocks.length > 0 ? '\n' : ''}${colours.bold(summary)}\n`;
}

const verbs = {
  create: 'create',
  update: 'update',
  prune: 'prune',
  drift: 'drift',
  unchanged: '',
  failed: '',
};

function objectText(object: ObjectDiff): string {
  const name = `${object.kind}/${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
  const fields = object.action === 'update' ? `: ${object.paths.join(', ')}` : '';
  const note = object.message ? ` (${object.message})` : '';
  const head = colours.bold(`${verbs[object.action]} ${name}${fields}${note}`);
  const lines = object.diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      if (line.startsWith('---') || line.startsWith('+++')) return colours.bold(line);
      if (line.startsWith('@@')) return colours.cyan(line);
      if (line.startsWith('-')) return colours.red(line);
      if (line.startsWith('+')) return colours.green(line);
      return line;
    });
  return `${head}\n${lines.join('\n')}\n`;
}
