/**
 * `kustodian get --watch`: the `get` table kept current from a Kubernetes watch (no polling).
 * On a terminal the table is redrawn in place; otherwise each change appends a line (the header
 * once), or, with `-o json`/`-o yaml`, one JSON line or YAML document per change, with its type.
 * Runs until interrupted (Ctrl-C ends it with exit 0).
 */
import { stripVTControlCharacters } from 'node:util';
import { type ApplicationSummary, summarize } from '@kustodian/query/applications';
import type { ChangeType } from '@kustodian/query/watch';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { summaryTable } from '../render.ts';
import type { CommonOptions, Connection, Kit } from './kit.ts';

/** Adds `-w/--watch` to the `get` command of `program`. */
export function registerGetWatch(program: Command): void {
  program.commands
    .find((c) => c.name() === 'get')
    ?.option('-w, --watch', 'keep the table current from a watch (in place on a terminal)');
}

/**
 * Follows the Applications `get` would list, or only `app` (which must exist), until SIGINT or
 * SIGTERM.
 */
export async function watchGet(
  connection: Connection,
  options: CommonOptions,
  app: string | undefined,
  oneNamespace: Kit['oneNamespace'],
): Promise<number> {
  const namespace = app
    ? oneNamespace(options, connection.namespace)
    : options.allNamespaces
      ? undefined
      : connection.namespace;
  // A missing Application is exit 3 here; a watch of it would only stay silent.
  if (app && namespace) await connection.apps.get(namespace, app);
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const inPlace = process.stdout.isTTY === true && options.output === 'table';
  const withNamespace = options.allNamespaces === true;
  const shown = new Map<string, ApplicationSummary>();
  const printed = new Map<string, string>();
  let drawnLines = 0;
  let headerDone = false;
  const onChange = (type: ChangeType, raw: Parameters<typeof summarize>[0]) => {
    const summary = summarize(raw);
    const key = `${summary.namespace}/${summary.name}`;
    // Status writes that change nothing `get` shows (a resourceVersion, a heartbeat) print nothing.
    const text = JSON.stringify(summary);
    if (type !== 'DELETED' && printed.get(key) === text) return;
    if (type === 'DELETED') {
      shown.delete(key);
      printed.delete(key);
    } else {
      shown.set(key, summary);
      printed.set(key, text);
    }
    if (options.output === 'json')
      process.stdout.write(`${JSON.stringify({ type, application: summary })}\n`);
    else if (options.output === 'yaml')
      process.stdout.write(`---\n${stringify({ type, application: summary })}`);
    else if (inPlace) {
      const list = [...shown.values()].sort((a, b) =>
        `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
      );
      const table = summaryTable(list, withNamespace);
      // Up to the first line of the last drawing, clear to the end of the screen, draw again.
      process.stdout.write(`${drawnLines > 0 ? `\u001b[${drawnLines}A\u001b[J` : ''}${table}`);
      drawnLines = screenLines(table, process.stdout.columns ?? 0);
    } else {
      const [header = '', row = ''] = summaryTable(
        [type === 'DELETED' ? { ...summary, message: '(deleted)' } : summary],
        withNamespace,
      ).split('\n');
      process.stdout.write(`${headerDone ? '' : `${header}\n`}${row}\n`);
      headerDone = true;
    }
  };
  await connection.apps.changes.follow(namespace, app, onChange, stop.signal);
  return 0;
}

/** How many terminal rows `text` takes: a line wider than the terminal wraps onto more. */
export function screenLines(text: string, width: number): number {
  return text
    .split('\n')
    .slice(0, -1)
    .reduce(
      (rows, line) =>
        rows +
        (width > 0 ? Math.max(1, Math.ceil(stripVTControlCharacters(line).length / width)) : 1),
      0,
    );
}
