/**
 * What the CLI prints: tables for people (colours only on a TTY), JSON or YAML for scripts.
 */

import { stripVTControlCharacters } from 'node:util';
import type { ApplicationSummary } from '@kustodian/query/applications';
import type { EventRecord } from '@kustodian/query/objects';
import type { TreeNode } from '@kustodian/query/tree';
import pc from 'picocolors';
import { stringify } from 'yaml';

/** The output formats of `-o`. */
export const outputs = ['table', 'json', 'yaml'] as const;
export type Output = (typeof outputs)[number];

/** Colours when stdout is a terminal and NO_COLOR is unset. */
export const colours = pc.createColors(process.stdout.isTTY === true && !process.env.NO_COLOR);

/** Prints `value` as JSON or YAML, or `table()` for people. */
export function print(output: Output, value: unknown, table: () => string): void {
  if (output === 'json') process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else if (output === 'yaml') process.stdout.write(stringify(value));
  else process.stdout.write(table());
}

const visible = (text: string) => stripVTControlCharacters(text).length;

/** Rows aligned in columns, separated by three spaces. */
export function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => visible(r[i] ?? '')))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c + ' '.repeat((widths[i] ?? 0) - visible(c)))
        .join('   ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** `42s`, `5m`, `3h`, `2d`. */
export function age(iso: string, now = Date.now()): string {
  if (!iso) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** `text` coloured by what it says: green when good, red when failed, yellow when waiting. */
export function paint(text: string): string {
  if (['True', 'Healthy', 'Current', 'InSync', 'Succeeded', 'done'].includes(text))
    return colours.green(text);
  if (['False', 'Degraded', 'Failed', 'Missing', 'NotFound', 'Changed', 'failed'].includes(text))
    return colours.red(text);
  if (['Unknown', 'Progressing', 'InProgress', 'Suspended', 'pending', 'unknown'].includes(text))
    return colours.yellow(text);
  return text;
}

/** `850ms`, `42s`, `5m`, `3h`: a duration between two recorded times. */
export { durationText as duration } from '@kustodian/query/format';

/** The `get` table. */
export function summaryTable(list: ApplicationSummary[], withNamespace: boolean): string {
  if (list.length === 0) return 'No Applications found.\n';
  const head = ['NAME', 'READY', 'HEALTH', 'REVISION', 'SOURCE', 'AGE', 'LAST SYNC', 'MESSAGE'];
  return columns([
    (withNamespace ? ['NAMESPACE', ...head] : head).map((h) => colours.bold(h)),
    ...list.map((a) => [
      ...(withNamespace ? [a.namespace] : []),
      a.name,
      paint(a.suspended ? 'Suspended' : a.ready),
      paint(a.health),
      a.revision ? a.revision.replace(a.commit, a.commit.slice(0, 12)) : '-',
      a.sourceCommit.slice(0, 12) || '-',
      age(a.createdAt),
      a.lastSyncAt ? `${age(a.lastSyncAt)} ago` : '-',
      a.message,
    ]),
  ]);
}

/** The `tree` view: one line per object, children indented under their owner. */
export function treeText(name: string, nodes: TreeNode[]): string {
  const rows: string[][] = [['OBJECT', 'HEALTH', 'DRIFT', 'MESSAGE'].map((h) => colours.bold(h))];
  const walk = (node: TreeNode, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`;
    rows.push([
      `${branch}${node.kind}/${node.name}`,
      paint(node.health),
      node.drift === 'Owned' ? '-' : paint(node.drift),
      [node.healthMessage, node.note].filter(Boolean).join('; '),
    ]);
    const next = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
    node.children.forEach((child, i) => {
      walk(child, next, i === node.children.length - 1, false);
    });
  };
  for (const node of nodes) walk(node, '', true, true);
  return nodes.length === 0
    ? `Application ${name} has no objects in its inventory yet.\n`
    : columns(rows);
}

/** The `events` table. */
export function eventsTable(events: EventRecord[]): string {
  if (events.length === 0) return 'No events found.\n';
  return columns([
    ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'].map((h) => colours.bold(h)),
    ...events.map((e) => [
      age(e.lastSeen),
      e.type === 'Warning' ? colours.red(e.type) : e.type,
      e.reason,
      e.object,
      e.message,
    ]),
  ]);
}
