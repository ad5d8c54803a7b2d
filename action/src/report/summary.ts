/**
 * The job summary, in Markdown: what ran, what landed, every problem, the image changes and the
 * rendered diff. GitHub refuses a step summary over 1 MiB, so the summary degrades to stay
 * under `summaryLimitBytes`: the full diff first, then a per-overlay list of changed line
 * counts, then a shortened problem list.
 */
import type { ImageChange } from '@kustodian/shared/images/kustomization';
import type { Problem } from '../validate/problems.ts';
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

/** The summary, as large as the limit allows. */
export function renderSummary(facts: SummaryFacts, limit = summaryLimitBytes): string {
  const head = [header(facts), changesTable(facts.changes)].join('');
  for (const diffs of [fullDiff(facts), diffList(facts)]) {
    const text = head + problemList(facts.problems, Number.POSITIVE_INFINITY) + diffs;
    if (Buffer.byteLength(text) <= limit) return text;
  }
  const budget = limit - Buffer.byteLength(head + diffList(facts));
  return (
    head + problemList(facts.problems, Math.max(0, Math.floor(budget / 400))) + diffList(facts)
  );
}

function header(facts: SummaryFacts): string {
  const errors = facts.problems.filter((p) => p.severity === 'error').length;
  const warnings = facts.problems.length - errors;
  const rows = [
    ['Repository', `\`${facts.repository}\`${facts.branch ? ` at \`${facts.branch}\`` : ''}`],
    ['Commit mode', `\`${facts.commitMode}\``],
    ['Outcome', escapeMarkdown(facts.outcome)],
    ['Overlays', `${facts.overlays.length}`],
    ['Problems', `${errors} errors, ${warnings} warnings`],
    ['kustomize', facts.kustomizeVersion ? `\`${facts.kustomizeVersion}\`` : 'not found'],
    ['Schemas', `Kubernetes \`${facts.kubernetesVersion}\``],
  ];
  const table = rows.map(([key, value]) => `| ${key} | ${value} |`).join('\n');
  return `## Kustodian\n\n| | |\n| --- | --- |\n${table}\n\n`;
}

function changesTable(changes: ReadonlyMap<string, readonly ImageChange[]>): string {
  const rows: string[] = [];
  for (const [file, list] of changes) {
    for (const change of list) {
      const from = change.from === undefined ? '(none)' : `\`${change.from}\``;
      const to = change.to === undefined ? '(removed)' : `\`${change.to}\``;
      rows.push(
        `| \`${file}\` | \`${change.name}\` | ${change.field} | ${from} | ${to} | ${change.outcome} |`,
      );
    }
  }
  if (rows.length === 0) return '';
  return `### Image updates\n\n| File | Image | Field | From | To | |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n\n`;
}

function problemList(problems: readonly Problem[], max: number): string {
  if (problems.length === 0) return '';
  const shown = problems.slice(0, max).map((problem) => {
    const mark = problem.severity === 'error' ? 'error' : 'warning';
    const where =
      problem.file === undefined
        ? ''
        : ` (\`${problem.file}${problem.line ? `:${problem.line}` : ''}\`)`;
    return `- **${mark}** [${problem.check}]${where}: ${escapeMarkdown(problem.message)}`;
  });
  const rest = problems.length - shown.length;
  const more = rest > 0 ? `\n- ...and ${rest} more, listed in the step's log` : '';
  return `### Problems\n\n${shown.join('\n')}${more}\n\n`;
}

function fullDiff(facts: SummaryFacts): string {
  const changed = facts.diffs.filter((diff) => diff.patch !== '');
  if (changed.length === 0) return '';
  const blocks = changed.map(
    (diff) =>
      `<details><summary><code>${diff.overlay}</code> +${diff.added} -${diff.removed}</summary>\n\n\`\`\`\`diff\n${diff.patch}\`\`\`\`\n\n</details>\n`,
  );
  return `### Rendered diff\n\n${blocks.join('\n')}${fileNote(facts)}`;
}

function diffList(facts: SummaryFacts): string {
  const changed = facts.diffs.filter((diff) => diff.patch !== '');
  if (changed.length === 0) return '';
  const rows = changed.map(
    (diff) => `- \`${diff.overlay}\`: +${diff.added} -${diff.removed} lines`,
  );
  return `### Rendered diff\n\nThe full diff is too large for the job summary.\n\n${rows.join('\n')}\n\n${fileNote(facts)}`;
}

function fileNote(facts: SummaryFacts): string {
  return facts.diffFile
    ? `The whole diff is in \`${facts.diffFile}\` (output \`diff-file\`).\n`
    : '';
}

/** Keeps a message from being read as Markdown structure or HTML. */
function escapeMarkdown(text: string): string {
  return text.replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\n/g, ' ');
}
