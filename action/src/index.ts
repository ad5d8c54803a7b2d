/**
 * The entry point of the bundled action: run the pipeline with the runner's boundaries, and
 * fail the step, once, when it reports failures. The only place that calls `core.setFailed`.
 */
import * as core from '@actions/core';
import { messageOf } from '@kustodian/shared/errors';
import { redactAll } from '@kustodian/shared/redact';
import { inputSecrets } from './inputs.ts';
import { run } from './run.ts';
import { gitHubLanders, runnerBoundaries } from './runner.ts';

try {
  const boundaries = runnerBoundaries(gitHubLanders);
  const { failures } = await run(boundaries);
  if (failures.length > 0) {
    const list = failures.map((failure) => `- ${failure}`).join('\n');
    const text = `${failures.length === 1 ? '1 failure' : `${failures.length} failures`}:\n${list}`;
    core.setFailed(redactAll(text, inputSecrets(boundaries.inputs)));
  }
} catch (thrown) {
  core.setFailed(`unexpected error: ${messageOf(thrown)}`);
}
