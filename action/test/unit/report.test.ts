/**
 * Step 10, in-process: the job summary within GitHub's byte limit, annotations that point only
 * where GitHub can resolve them, and reporting that cannot change an outcome already decided.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInputs } from '../../src/inputs.ts';
import { annotationOf, placementFor } from '../../src/report/annotations.ts';
import { byteSize, truncateBytes } from '../../src/report/bytes.ts';
import { reportRun } from '../../src/report/report.ts';
import type { ActionSink, AnnotationPlace } from '../../src/report/sink.ts';
import { renderSummary, type SummaryFacts, summaryLimitBytes } from '../../src/report/summary.ts';
import type { RunState } from '../../src/run.ts';
import { coreSink } from '../../src/runner.ts';
import { error, type Problem, warning } from '../../src/validate/problems.ts';

/** GitHub drops a step summary larger than this. */
const gitHubSummaryLimit = 1024 * 1024;

const facts: SummaryFacts = {
  repository: 'acme/config',
  commitMode: 'push',
  kubernetesVersion: 'v1.36.3',
  overlays: ['prod'],
  outcome: 'not landed: validation failed',
  changes: new Map(),
  problems: [],
  diffs: [],
};

describe('the job summary, measured in bytes', () => {
  it('stays under the limit with 260 build errors of 4,096 characters each', () => {
    const problems = Array.from({ length: 260 }, (_, index) =>
      error(
        'build',
        `build apps/app-${index}/overlays/prod: kustomize exited 1: ${'e'.repeat(4096)}`,
      ),
    );
    const summary = renderSummary({ ...facts, problems });
    assert.ok(byteSize(summary) <= summaryLimitBytes, `${byteSize(summary)} bytes`);
    assert.match(summary, /build apps\/app-0\/overlays\/prod: kustomize exited 1: e/);
    assert.match(summary, /\| Problems \| 260 errors, 0 warnings \|/);
  });

  it('stays under the limit with thousands of huge multi-byte problems, keeping the first ones and the count', () => {
    const huge = '𝄞é漢'.repeat(2048); // 9 bytes per repeat: 18 KiB per message
    const problems: Problem[] = Array.from({ length: 5000 }, (_, index) =>
      error('schema', `object-${index}: ${huge}`, {
        file: `apps/app-${index}/overlays/prod/kustomization.yaml`,
        line: index + 1,
      }),
    );
    problems.push(warning('image', `last: ${huge}`));
    const diffs = Array.from({ length: 20_000 }, (_, index) => ({
      overlay: `apps/𝄞-${index}/overlays/prod`,
      patch: `--- a\n+++ b\n+${huge}\n`,
      added: 1,
      removed: 0,
    }));
    const changes = new Map([
      [
        'apps/web/kustomization.yaml',
        Array.from({ length: 20_000 }, (_, index) => ({
          name: `ghcr.io/acme/漢-${index}`,
          field: 'newTag' as const,
          from: '1.0.0',
          to: huge,
          outcome: 'updated' as const,
        })),
      ],
    ]);
    const summary = renderSummary({ ...facts, problems, diffs, changes });
    const size = Buffer.byteLength(summary, 'utf8');
    assert.ok(size < gitHubSummaryLimit, `${size} bytes`);
    assert.ok(size <= summaryLimitBytes, `${size} bytes`);
    assert.doesNotMatch(summary, /\uFFFD/, 'no character is cut in half');
    assert.match(
      summary,
      /\(`apps\/app-0\/overlays\/prod\/kustomization\.yaml:1`\): object-0: 𝄞é漢/,
    );
    assert.match(summary, /object-1: /);
    assert.match(summary, /\| Problems \| 5000 errors, 1 warnings \|/);
    const shown = summary.match(/^- \*\*(error|warning)\*\*/gm)?.length ?? 0;
    assert.ok(shown > 0 && shown < problems.length);
    assert.match(
      summary,
      new RegExp(`- \\.\\.\\.and ${problems.length - shown} more, listed in the step's log`),
    );
    assert.match(summary, /\| \.\.\.and \d+ more \|/);
    assert.match(summary, /- \.\.\.and \d+ more overlays/);
  });

  it('cuts each message before it leaves problems out', () => {
    const problems = Array.from({ length: 40 }, (_, index) =>
      error('build', `problem-${index} ${'é'.repeat(8000)}`),
    );
    const summary = renderSummary({ ...facts, problems }, 200_000);
    assert.ok(byteSize(summary) <= 200_000);
    for (let index = 0; index < 40; index++)
      assert.match(summary, new RegExp(`problem-${index} é`));
    assert.match(summary, /é…/);
    assert.doesNotMatch(summary, /more, listed in the step's log/);
  });

  it('cuts text at a character boundary', () => {
    assert.equal(truncateBytes('ab𝄞cd', 6), 'ab…');
    assert.equal(truncateBytes('ab𝄞cd', 8), 'ab𝄞cd');
    assert.equal(truncateBytes('ab𝄞cd', 7), 'ab…');
  });
});

const ownRepository = {
  GITHUB_REPOSITORY: 'acme/config',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_SERVER_URL: 'https://github.com',
};
const downgrade = error(
  'bump',
  'apps/web/overlays/staging/kustomization.yaml: refusing to downgrade ghcr.io/acme/web from 1.5.0 to 1.4.0',
  { file: 'apps/web/overlays/staging/kustomization.yaml', line: 11 },
);

/** What `@actions/core` prints for one annotation of the real sink. */
function printed(emit: () => void): string {
  const original = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    emit();
  } finally {
    process.stdout.write = original;
  }
  return out.trim();
}

describe('annotations', () => {
  it('give file and line when the config repository is the workflow repository at GITHUB_SHA', () => {
    const at = { head: 'a'.repeat(40), env: ownRepository };
    for (const repository of [
      'acme/config',
      'Acme/Config',
      'https://github.com/acme/config.git',
      'git@github.com:acme/config.git',
    ]) {
      assert.equal(placementFor({ repository, ...at }), 'properties', repository);
    }
    const { message, place } = annotationOf(downgrade, 'properties');
    assert.equal(message, downgrade.message);
    assert.deepEqual(place, {
      title: 'kustodian bump',
      file: 'apps/web/overlays/staging/kustomization.yaml',
      line: 11,
    });
    assert.equal(
      printed(() => coreSink.error(message, place)),
      '::error title=kustodian bump,file=apps/web/overlays/staging/kustomization.yaml,line=11::apps/web/overlays/staging/kustomization.yaml: refusing to downgrade ghcr.io/acme/web from 1.5.0 to 1.4.0',
    );
  });

  it('put the place in the text when the config repository is another one, or another commit', () => {
    const own = { repository: 'acme/config', env: ownRepository };
    assert.equal(placementFor({ ...own, head: 'b'.repeat(40) }), 'text');
    assert.equal(placementFor({ ...own }), 'text');
    assert.equal(placementFor({ ...own, head: 'a'.repeat(40), env: {} }), 'text');
    const app = { ...ownRepository, GITHUB_REPOSITORY: 'acme/web' };
    assert.equal(placementFor({ ...own, head: 'a'.repeat(40), env: app }), 'text');
    assert.equal(
      placementFor({
        repository: 'https://gitlab.com/acme/config.git',
        head: 'a'.repeat(40),
        env: ownRepository,
      }),
      'text',
    );
    const { message, place } = annotationOf(downgrade, 'text');
    assert.equal(
      message,
      'apps/web/overlays/staging/kustomization.yaml:11: refusing to downgrade ghcr.io/acme/web from 1.5.0 to 1.4.0',
    );
    assert.deepEqual(place, { title: 'kustodian bump' });
    assert.equal(
      printed(() => coreSink.error(message, place)),
      '::error title=kustodian bump::apps/web/overlays/staging/kustomization.yaml:11: refusing to downgrade ghcr.io/acme/web from 1.5.0 to 1.4.0',
    );
    const floating = warning('image', 'apps/Deployment/web/web: image "nginx" has no tag', {
      overlay: 'apps/web/overlays/staging',
      file: 'apps/web/overlays/staging/kustomization.yaml',
    });
    assert.equal(
      annotationOf(floating, 'text').message,
      'apps/web/overlays/staging/kustomization.yaml: apps/Deployment/web/web: image "nginx" has no tag',
    );
    const build = error('build', 'build apps/web/overlays/staging: kustomize exited 1', {
      overlay: 'apps/web/overlays/staging',
      file: 'apps/web/overlays/staging/kustomization.yaml',
    });
    assert.equal(annotationOf(build, 'text').message, build.message);
  });
});

/** A sink that records, and fails where told. */
function sinkFailing(fails: { summary?: boolean; outputs?: boolean }) {
  const outputs: Record<string, string> = {};
  const annotations: { severity: string; message: string; place?: AnnotationPlace | undefined }[] =
    [];
  const sink: ActionSink = {
    info: () => {},
    warning: (message, place) => annotations.push({ severity: 'warning', message, place }),
    error: (message, place) => annotations.push({ severity: 'error', message, place }),
    setOutput: (name, value) => {
      if (fails.outputs) throw new Error('Missing file at path: /runner/output');
      outputs[name] = value;
    },
    setSecret: () => {},
    appendSummary: async () => {
      if (fails.summary)
        throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY');
    },
  };
  return { sink, outputs, annotations };
}

function committedState(): RunState {
  return {
    problems: [],
    changes: new Map(),
    rendered: [],
    renderedChanges: [],
    outcome: 'committed 0d8267aa11bb',
    result: {
      outcome: 'committed',
      commitSha: '0d8267aa11bb'.padEnd(40, '0'),
      attempts: 1,
      changedPaths: ['apps/web/overlays/staging/kustomization.yaml'],
    },
  };
}

describe('reporting after the outcome is decided', () => {
  it('turns a job summary that cannot be written into a warning, and still sets every output', async () => {
    const state = committedState();
    const recorded = sinkFailing({ summary: true });
    await reportRun(state, {}, recorded.sink);
    assert.deepEqual(
      state.problems.filter((problem) => problem.severity === 'error'),
      [],
    );
    assert.equal(recorded.outputs['commit-sha'], state.result?.commitSha);
    assert.equal(recorded.outputs.changed, 'true');
    assert.equal(recorded.annotations.length, 1);
    assert.equal(recorded.annotations[0]?.severity, 'warning');
    assert.match(
      recorded.annotations[0]?.message ?? '',
      /^summary: cannot write the job summary: Unable to find environment variable/,
    );
  });

  it('fails on outputs that cannot be written, saying the outcome stands', async () => {
    const state = committedState();
    const recorded = sinkFailing({ outputs: true });
    await reportRun(state, {}, recorded.sink);
    const errors = state.problems.filter((problem) => problem.severity === 'error');
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]?.message ?? '',
      /^outputs: cannot write the step outputs \(GITHUB_OUTPUT\): Missing file at path: \/runner\/output; .* The run itself ended: committed 0d8267aa11bb$/,
    );
  });

  it('places problems found while landing in the text even in the workflow repository', async () => {
    const state: RunState = {
      ...committedState(),
      inputs: parseInputs({ repository: 'acme/config' }, 'acme/config'),
      head: 'a'.repeat(40),
      problems: [
        error('jail', 'build x: remote', { file: 'x/kustomization.yaml', line: 3 }),
        downgrade,
      ],
      landingFrom: 1,
    };
    const recorded = sinkFailing({});
    await reportRun(state, ownRepository, recorded.sink);
    assert.deepEqual(recorded.annotations[0]?.place, {
      title: 'kustodian jail',
      file: 'x/kustomization.yaml',
      line: 3,
    });
    assert.deepEqual(recorded.annotations[1]?.place, { title: 'kustodian bump' });
    assert.match(
      recorded.annotations[1]?.message ?? '',
      /^apps\/web\/overlays\/staging\/kustomization\.yaml:11: /,
    );
  });
});
