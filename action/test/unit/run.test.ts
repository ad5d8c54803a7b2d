/**
 * `run` in-process, with its boundaries passed in: the real git CLI and kustomize, a sink that
 * records, and no GitHub API.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execaRunner } from '@kustodian/shared/exec';
import { requireBinary } from '../../../test/env/binaries.ts';
import { systemClock } from '../../src/clock.ts';
import { createGitCli } from '../../src/git/cli.ts';
import type { ActionSink } from '../../src/report/sink.ts';
import { type RunBoundaries, run } from '../../src/run.ts';
import { bareConfigRepo, commitsOf, git, tempDir } from '../helpers.ts';

function recordingSink() {
  const lines: string[] = [];
  const outputs: Record<string, string> = {};
  const summaries: string[] = [];
  const sink: ActionSink = {
    info: (line) => lines.push(line),
    warning: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    setSecret: () => {},
    appendSummary: async (markdown) => {
      summaries.push(markdown);
    },
  };
  return { sink, lines, outputs, summaries };
}

describe('run, in-process', () => {
  let dir = '';
  let cleanup = async () => {};
  let url = '';
  let path = '';
  before(async () => {
    ({ dir, cleanup } = await tempDir('run'));
    url = await bareConfigRepo(dir);
    path = `${dirname(await requireBinary('kustomize'))}:/usr/bin:/bin`;
  });
  after(() => cleanup());

  const boundaries = (inputs: Record<string, string>, sink: ActionSink): RunBoundaries => ({
    inputs,
    env: { PATH: path, RUNNER_TEMP: dir, GITHUB_REPOSITORY: 'acme/web', GITHUB_EVENT_NAME: 'push' },
    runCommand: execaRunner,
    createGit: (options) => createGitCli({ ...options, runCommand: execaRunner }),
    github: () => {
      throw new Error('no GitHub API in this test');
    },
    clock: systemClock,
    sink,
  });

  it('validates every overlay and lands nothing when no image is given', async () => {
    const recorded = recordingSink();
    const result = await run(boundaries({ repository: url }, recorded.sink));
    assert.deepEqual(result.failures, []);
    assert.equal(recorded.outputs.changed, 'false');
    assert.match(recorded.summaries[0] ?? '', /\| Overlays \| 4 \|/);
    assert.equal((await commitsOf(join(dir, 'origin.git'))).length, 1);
  });

  it('writes the time of the app commit that the push event gives as a trailer of the bump', async () => {
    const recorded = recordingSink();
    const sha = '5f1d3c0ffee5f1d3c0ffee5f1d3c0ffee5f1d3c0';
    const event = join(dir, 'push-event.json');
    await writeFile(
      event,
      JSON.stringify({
        ref: 'refs/heads/main',
        after: sha,
        head_commit: { id: sha, timestamp: '2026-12-04T20:59:29+01:00', message: 'Fix the cart' },
      }),
    );
    const given = boundaries(
      { repository: url, commit: 'push', images: 'ghcr.io/acme/web=1.9.0' },
      recorded.sink,
    );
    const result = await run({
      ...given,
      env: { ...given.env, GITHUB_SHA: sha, GITHUB_EVENT_PATH: event },
    });
    assert.deepEqual(result.failures, []);
    const message = await git(['--git-dir', join(dir, 'origin.git'), 'log', '-1', '--format=%B']);
    assert.match(
      message,
      new RegExp(
        `\n\nKustodian-Source-Repository: acme/web\nKustodian-Source-Commit: ${sha}\nKustodian-Source-Time: 2026-12-04T19:59:29Z\n`,
      ),
    );
  });

  it('returns every failure instead of throwing, and says where', async () => {
    const recorded = recordingSink();
    const result = await run(boundaries({ repository: url, commit: 'api' }, recorded.sink));
    assert.equal(result.failures.length, 0, 'validation alone needs no GitHub repository');
    const bumped = await run(
      boundaries(
        { repository: url, commit: 'api', images: 'ghcr.io/acme/web=9.0.0' },
        recorded.sink,
      ),
    );
    assert.equal(bumped.failures.length, 1);
    assert.match(
      bumped.failures[0] ?? '',
      /commit: api: needs the repository as owner\/name on GitHub/,
    );
  });
});
