/**
 * The detail page in the browser: hydrates the first paint, follows the live stream of the
 * Application's namespace and reads the detail again (at most once a second) when the
 * Application changes; loads the diff and the logs when asked.
 */
import type { ApplicationDiff } from '@kustodian/query/diff-run';
import { signal } from '@preact/signals';
import { html } from 'htm/preact';
import { hydrate, render } from 'preact';
import { ApplicationDetail, type Loaded } from '../ui/detail.ts';
import type { AllowedActions, DetailView, LogsView, Viewer } from '../ui/model.ts';
import { postAction } from './actions.ts';
import { ConfirmDialog, type Pending } from './confirm.ts';
import { type LiveState, openLive } from './live.ts';

async function getJson<T>(url: string): Promise<Loaded<T>> {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (response.status === 401) location.assign('/login');
  const body = (await response.json()) as T & { message?: string };
  return response.ok
    ? { state: 'done', data: body }
    : { state: 'error', message: body.message ?? `HTTP ${response.status}` };
}

export function bootDetail(root: HTMLElement, initial: DetailView, viewer: Viewer): void {
  const view = signal(initial);
  const live = signal<LiveState>('connecting');
  const diff = signal<Loaded<ApplicationDiff>>({ state: 'idle' });
  const logs = signal<Loaded<LogsView>>({ state: 'idle' });
  const pending = signal<Pending | undefined>(undefined);
  const notice = signal('');
  const { namespace, name } = initial.application;
  const base = `/api/applications/${namespace}/${name}`;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const reloadSoon = () => {
    if (timer) return;
    timer = setTimeout(async () => {
      timer = undefined;
      const next = await getJson<DetailView>(base);
      if (next.state === 'done') view.value = next.data;
    }, 1000);
  };
  openLive(namespace, initial.resourceVersion, {
    onChange: ({ application }) => {
      if (application.name === name) reloadSoon();
    },
    onReset: reloadSoon,
    onState: (state, message) => {
      live.value = state;
      if (message) notice.value = message;
    },
    onSignedOut: () => location.assign('/signed-out'),
  });

  const onAction = (action: keyof AllowedActions) => {
    pending.value = { action, target: `${namespace}/${name}` };
  };
  const confirm = async () => {
    const chosen = pending.value;
    pending.value = undefined;
    if (chosen) notice.value = await postAction(namespace, name, chosen.action, viewer.csrfToken);
  };
  const onRefresh = async () => {
    const next = await getJson<DetailView>(base);
    if (next.state === 'done') view.value = next.data;
    else if (next.state === 'error') notice.value = next.message;
  };
  const onDiff = async () => {
    diff.value = { state: 'loading' };
    diff.value = await getJson<ApplicationDiff>(`${base}/diff`);
  };
  const onLogs = async (workload: string) => {
    logs.value = { state: 'loading' };
    logs.value = await getJson<LogsView>(`${base}/logs?object=${encodeURIComponent(workload)}`);
  };

  const Page = () =>
    html`${ApplicationDetail({ view: view.value, live: live.value, diff: diff.value, logs: logs.value, onAction, onRefresh, onDiff, onLogs })}${
      notice.value ? html`<p class="notice" role="status" id="notice">${notice.value}</p>` : ''
    }`;
  hydrate(html`<${Page} />`, root);
  const dialogRoot = document.getElementById('dialog-root');
  if (dialogRoot) {
    const Dialog = () =>
      html`<${ConfirmDialog} pending=${pending.value} onConfirm=${confirm} onCancel=${() => {
        pending.value = undefined;
      }} />`;
    render(html`<${Dialog} />`, dialogRoot);
  }
}
