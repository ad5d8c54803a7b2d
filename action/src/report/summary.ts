/**
 * The job summary, in Markdown: what ran, what landed, every problem, the image changes and the
 * rendered diff. GitHub drops a step summary over 1 MiB, so everything is measured in UTF-8
 * bytes as it is added and the summary degrades to stay under `summaryLimitBytes`: the full
 * diff, else a per-overlay list of changed line counts; every problem, else each message cut
 * short, else the first problems and a count of the rest. Any section that could grow without
 * bound (image updates, the diff list) is cut the same way.
 */
import type { ImageChange } from '@kustodian/shared/images/kustomization';
import type { Problem } from '../validate/problems.ts';
import { byteSize, fitLines, truncateBytes } from './bytes.ts';
import type { OverlayDiff } from './diff.ts';

/** GitHub's limit is 1 MiB per step; keep a margin for what else a step may append. */
export const summaryLimitBytes = 1024 * 1024 - 16 * 1024;

/** Everything the summary reports. */
export interface SummaryFacts {
  readonly repository: string;
  readonly branch?: string;
  readonly commitMode: string;
  readonly kustomizeVersion?: string;
  readonly kubernetesVersion: string;
  readonly overlays: readonly string[];
  /** One line: `committed 1a2b3c4 after 2 attempts`, `no change`, `not landed: ...`. */
  readonly outcome: string;
  readonly changes: ReadonlyMap<string, readonly ImageChange[]>;
  readonly problems: readonly Problem[];
  readonly diffs: readonly OverlayDiff[];
  readonly diffFile?: string;
}

/** Longest message, in bytes, at each step of shortening the problem list. */
const messageCaps = [Number.POSITIVE_INFINITY, 2048, 512] as const;

/** The summary, as large as `limit` (bytes) allows. */
export function renderSummary(facts: SummaryFacts, limit = summaryLimitBytes): string {
  const head = header(facts) + changesTable(facts.changes, Math.floor(limit / 8));
  const left = limit - byteSize(head);
  const full = fullDiff(facts, left);
  const withFull =
    full === undefined ? undefined : problemList(facts.problems, left - byteSize(full));
  const list = diffList(facts, Math.floor(limit / 8));
  const text = withFull?.complete
    ? head + withFull.text + (full ?? '')
    : head + problemList(facts.problems, left - byteSize(list)).text + list;
  if (byteSize(text) <= limit) return text;
  // Only a header larger than the limit gets here; it is cut, never sent whole.
  const note = "\n\n(The summary was cut to fit GitHub's limit; see the step's log.)\n";
  return truncateBytes(text, limit - byteSize(note)) + note;
}

function header(facts: SummaryFacts): string {
  const errors = facts.problems.filter((p) => p.severity === 'error').length;
  const warnings = facts.problems.length - errors;
  const rows = [
    [
      'Repository',
      `\`${short(facts.repository)}\`${facts.branch ? ` at \`${short(facts.branch)}\`` : ''}`,
    ],
    ['Commit mode', `\`${facts.commitMode}\``],
    ['Outcome', escapeMarkdown(truncateBytes(facts.outcome, 2048))],
    ['Overlays', `${facts.overlays.length}`],
    ['Problems', `${errors} errors, ${warnings} warnings`],
    ['kustomize', facts.kustomizeVersion ? `\`${facts.kustomizeVersion}\`` : 'not found'],
    ['Schemas', `Kubernetes \`${facts.kubernetesVersion}\``],
  ];
  const table = rows.map(([key, value]) => `| ${key} | ${value} |`).join('\n');
  return `## Kustodian\n\n| | |\n| --- | --- |\n${table}\n\n`;
}

function changesTable(
  changes: ReadonlyMap<string, readonly ImageChange[]>,
  budget: number,
): string {
  const rows: string[] = [];
  for (const [file, list] of changes) {
    for (const change of list) {
      const from = change.from === undefined ? '(none)' : `\`${short(change.from)}\``;
      const to = change.to === undefined ? '(removed)' : `\`${short(change.to)}\``;
      rows.push(
        `| \`${short(file)}\` | \`${short(change.name)}\` | ${change.field} | ${from} | ${to} | ${change.outcome} |`,
      );
    }
  }
  if (rows.length === 0) return '';
  const title =
    '### Image updates\n\n| File | Image | Field | From | To | |\n| --- | --- | --- | --- | --- | --- |\n';
  const shown = fitLines(
    rows,
    budget - byteSize(title) - 2,
    (rest) => `| ...and ${rest} more | | | | | |`,
  );
  return shown.length === 0 ? '' : `${title}${shown.join('\n')}\n\n`;
}

/** The problem list within `budget` bytes; `complete` when every message is there in full. */
function problemList(
  problems: readonly Problem[],
  budget: number,
): { text: string; complete: boolean } {
  if (problems.length === 0) return { text: '', complete: true };
  const title = '### Problems\n\n';
  const room = budget - byteSize(title) - 2;
  let lines: string[] = [];
  for (const cap of messageCaps) {
    lines = problems.map((problem) => problemLine(problem, cap));
    const size = lines.reduce((sum, line) => sum + byteSize(line) + 1, 0);
    if (size <= room) {
      return { text: `${title}${lines.join('\n')}\n\n`, complete: cap === messageCaps[0] };
    }
  }
  const shown = fitLines(lines, room, (rest) => `- ...and ${rest} more, listed in the step's log`);
  if (shown.length === 0) return { text: '', complete: false };
  return { text: `${title}${shown.join('\n')}\n\n`, complete: false };
}

function problemLine(problem: Problem, cap: number): string {
  const mark = problem.severity === 'error' ? 'error' : 'warning';
  const where =
    problem.file === undefined
      ? ''
      : ` (\`${short(problem.file)}${problem.line ? `:${problem.line}` : ''}\`)`;
  const message = escapeMarkdown(truncateBytes(problem.message, cap));
  return `- **${mark}** [${problem.check}]${where}: ${message}`;
}

/** Every diff in full, or `undefined` when the patches alone are over `budget` bytes. */
function fullDiff(facts: SummaryFacts, budget: number): string | undefined {
  const changed = facts.diffs.filter((diff) => diff.patch !== '');
  if (changed.length === 0) return '';
  let size = 0;
  for (const diff of changed) {
    size += byteSize(diff.patch);
    if (size > budget) return undefined;
  }
  const blocks = changed.map(
    (diff) =>
      `<details><summary><code>${diff.overlay}</code> +${diff.added} -${diff.removed}</summary>\n\n\`\`\`\`diff\n${diff.patch}\`\`\`\`\n\n</details>\n`,
  );
  const text = `### Rendered diff\n\n${blocks.join('\n')}${fileNote(facts)}`;
  return byteSize(text) <= budget ? text : undefined;
}

function diffList(facts: SummaryFacts, budget: number): string {
  const changed = facts.diffs.filter((diff) => diff.patch !== '');
  if (changed.length === 0) return '';
  const title = '### Rendered diff\n\nThe full diff is too large for the job summary.\n\n';
  const note = fileNote(facts);
  const rows = changed.map(
    (diff) => `- \`${short(diff.overlay)}\`: +${diff.added} -${diff.removed} lines`,
  );
  const room = budget - byteSize(title) - byteSize(note) - 2;
  const shown = fitLines(rows, room, (rest) => `- ...and ${rest} more overlays`);
  return `${title}${shown.join('\n')}\n\n${note}`;
}

function fileNote(facts: SummaryFacts): string {
  return facts.diffFile
    ? `The whole diff is in \`${facts.diffFile}\` (output \`diff-file\`).\n`
    : '';
}

/** A name or value from the repository, cut to a length a table cell can hold. */
function short(text: string): string {
  return truncateBytes(text, 512);
}

/** Keeps a message from being read as Markdown structure or HTML. */
function escapeMarkdown(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\n/g, ' ');
}
