/**
 * The real boundaries of `run`, as a GitHub runner provides them: inputs from `INPUT_*`
 * through `@actions/core`, the process environment, `spawnRunner` for processes (a large
 * repository starts one kustomize per overlay, and execa's work per process adds up), the git
 * CLI, the GitHub API landers, the system clock, and `@actions/core` for outputs, annotations
 * and the job summary. The token and its derived forms are masked here, before anything can log them.
 */
import * as core from '@actions/core';
import { spawnRunner } from '@kustodian/shared/spawn-runner';
import { systemClock } from './clock.ts';
import { createGitCli } from './git/cli.ts';
import { inputNames, inputSecrets, type RawInputs } from './inputs.ts';
import type { GitHubLanderFactory } from './land/select.ts';
import type { ActionSink } from './report/sink.ts';
import type { RunBoundaries } from './run.ts';

/** The sink over `@actions/core`. */
export const coreSink: ActionSink = {
  info: (line) => core.info(line),
  warning: (message, place) => core.warning(message, annotation(place)),
  error: (message, place) => core.error(message, annotation(place)),
  setOutput: (name, value) => core.setOutput(name, value),
  setSecret: (value) => core.setSecret(value),
  appendSummary: async (markdown) => {
    try {
      await core.summary.addRaw(markdown).write();
    } finally {
      core.summary.emptyBuffer(); // a failed write keeps the text buffered; drop it
    }
  },
};

function annotation(place: Parameters<ActionSink['error']>[1]): core.AnnotationProperties {
  return {
    ...(place?.title === undefined ? {} : { title: place.title }),
    ...(place?.file === undefined ? {} : { file: place.file }),
    ...(place?.line === undefined ? {} : { startLine: place.line }),
  };
}

/** Reads every input once and masks the tokens and the headers that carry them. */
export function readRunnerInputs(): RawInputs {
  const raw: Partial<Record<(typeof inputNames)[number], string>> = {};
  for (const name of inputNames) raw[name] = core.getInput(name);
  for (const secret of inputSecrets(raw)) core.setSecret(secret);
  return raw;
}

/** The boundaries of a run on a GitHub runner, with `github` making the API landers. */
export function runnerBoundaries(github: GitHubLanderFactory): RunBoundaries {
  return {
    inputs: readRunnerInputs(),
    env: process.env,
    runCommand: spawnRunner,
    createGit: (options) => createGitCli({ ...options, runCommand: spawnRunner }),
    github,
    clock: systemClock,
    sink: coreSink,
  };
}

/**
 * The `api` and `pull-request` landers of `./github/`, from the pipeline's context. The GitHub
 * API client (octokit and its HTTP stack) is loaded when a run lands through the API, not by
 * every run: a run that validates, or lands with git, never pays for compiling it.
 */
export const gitHubLanders: GitHubLanderFactory = (context) => ({
  land: async (input) => {
    const { createGitHubLander } = await import('./github/factory.ts');
    const lander = createGitHubLander({
      mode: context.mode,
      token: context.token,
      apiUrl: context.apiUrl,
      owner: context.owner,
      repo: context.repo,
      git: context.git,
      branch: context.branch,
      retry: context.retry,
      clock: context.clock,
      log: context.log,
      pullRequest: context.pullRequest,
    });
    return lander.land(input);
  },
});
