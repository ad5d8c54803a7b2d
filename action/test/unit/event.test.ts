import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeRefusal } from '../../src/event.ts';

/** A `pull_request` payload from `head` into `base`. */
function pullRequest(head: string | undefined, base = 'acme/web'): unknown {
  return {
    pull_request: {
      head: { repo: head === undefined ? null : { full_name: head } },
      base: { repo: { full_name: base } },
    },
  };
}

/** A `workflow_run` payload: the triggering run's event and where its code came from. */
function workflowRun(trigger: string, head: string | undefined, repository = 'acme/web'): unknown {
  return {
    action: 'completed',
    workflow_run: {
      event: trigger,
      head_repository: head === undefined ? null : { full_name: head },
      repository: { full_name: repository },
      pull_requests: [],
    },
  };
}

describe('the event check', () => {
  it('refuses pull_request_review_comment on a pull request of a fork', () => {
    const refusal = writeRefusal({
      name: 'pull_request_review_comment',
      payload: pullRequest('mallory/web'),
    });
    assert.match(refusal ?? '', /fork \(mallory\/web\)/);
  });

  it('allows pull_request_review_comment on a pull request of the same repository', () => {
    const payload = pullRequest('acme/web');
    assert.equal(writeRefusal({ name: 'pull_request_review_comment', payload }), undefined);
  });

  it('refuses every pull request event whose head repository is gone or unknown', () => {
    for (const name of ['pull_request', 'pull_request_review', 'pull_request_review_comment']) {
      assert.match(writeRefusal({ name, payload: pullRequest(undefined) }) ?? '', /unknown/, name);
      assert.match(writeRefusal({ name, payload: {} }) ?? '', /fork/, name);
    }
  });

  it('refuses a workflow_run after a pull_request run of a fork', () => {
    const refusal = writeRefusal({
      name: 'workflow_run',
      payload: workflowRun('pull_request', 'mallory/web'),
    });
    assert.equal(
      refusal,
      "refusing to commit from a workflow_run of a fork's code (triggered by pull_request): the run came from mallory/web, not acme/web; use commit: none",
    );
  });

  it('refuses a workflow_run of a fork whatever triggered it', () => {
    for (const trigger of ['pull_request_review', 'pull_request_review_comment', 'push']) {
      const payload = workflowRun(trigger, 'mallory/web');
      assert.match(writeRefusal({ name: 'workflow_run', payload }) ?? '', /mallory\/web/, trigger);
    }
  });

  it('refuses a workflow_run whose head repository is unknown', () => {
    assert.match(
      writeRefusal({ name: 'workflow_run', payload: workflowRun('pull_request', undefined) }) ?? '',
      /an unknown repository/,
    );
    assert.match(writeRefusal({ name: 'workflow_run', payload: {} }) ?? '', /workflow_run/);
  });

  it('refuses a workflow_run triggered by pull_request_target, even from the same repository', () => {
    const payload = workflowRun('pull_request_target', 'acme/web');
    assert.match(
      writeRefusal({ name: 'workflow_run', payload }) ?? '',
      /workflow_run triggered by pull_request_target/,
    );
  });

  it('allows a workflow_run of the repository’s own code', () => {
    for (const trigger of ['push', 'release', 'pull_request']) {
      const payload = workflowRun(trigger, 'acme/web');
      assert.equal(writeRefusal({ name: 'workflow_run', payload }), undefined, trigger);
    }
  });
});
