/**
 * The list page in the browser: hydrates the server's first paint, follows the live stream and
 * reads pages from `/api/applications` when the user filters, sorts or pages. A live change to
 * a row on the page updates it in place; one that may change which rows the page holds (added,
 * deleted, moved in or out of the filter) reads the page again, at most once a second.
 */
import type { ApplicationSummary } from '@kustodian/query/applications';
import { signal } from '@preact/signals';
import { html } from 'htm/preact';
import { hydrate, render } from 'preact';
import { listQueryParams, matches } from '../shared/list-query.ts';
import { ApplicationsList } from '../ui/list.ts';
import type { AllowedActions, ListView, Viewer } from '../ui/model.ts';
import { ConfirmDialog, type Pending } from './confirm.ts';
import { type LiveState, openLive } from './live.ts';

export function bootList(root: HTMLElement, initial: ListView, viewer: Viewer): void {
  const view = signal(initial);
  const live = signal<LiveState>('connecting');
  const pending = signal<(Pending & { app: ApplicationSummary }) | undefined>(undefined);
  const notice = signal('');

  const load = async (search: string, push: boolean) => {
    const response = await fetch(`/api/applications${search}`, {
      headers: { Accept: 'application/json' },
    });
    if (response.status === 401) return location.assign('/login');
    const next = (await response.json()) as ListView;
    const namespaceChanged = next.page.query.namespace !== view.value.page.query.namespace;
    view.value = next;
    if (push) history.pushState(null, '', `/${search}`);
    if (namespaceChanged || push) stream.restart(next.page.query.namespace, next.resourceVersion);
  };
  const searchOf = () => {
    const params = listQueryParams(view.value.page.query).toString();
    return params ? `?${params}` : '';
  };
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  const reloadSoon = () => {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = undefined;
      void load(searchOf(), false);
    }, 1000);
  };

  const stream = openLive(initial.page.query.namespace, initial.resourceVersion, {
    onChange: ({ type, application }) => {
      const current = view.value;
      const id = `${application.namespace}/${application.name}`;
      const index = current.page.items.findIndex((a) => `${a.namespace}/${a.name}` === id);
      const fits = matches(current.page.query, application);
      if (type !== 'DELETED' && index >= 0 && fits) {
        const items = current.page.items.slice();
        items[index] = application;
        view.value = { ...current, page: { ...current.page, items }, now: Date.now() };
        if (current.page.query.sort !== 'namespace' && current.page.query.sort !== 'name')
          reloadSoon();
      } else if (index >= 0 || fits) reloadSoon();
    },
    onReset: reloadSoon,
    onState: (state, message) => {
      live.value = state;
      if (message) notice.value = message;
    },
    onSignedOut: () => location.assign('/signed-out'),
  });

  const onAction = (action: keyof AllowedActions, app: ApplicationSummary) => {
    pending.value = { action, target: `${app.namespace}/${app.name}`, app };
  };
  const confirm = async () => {
    const chosen = pending.value;
    pending.value = undefined;
    if (!chosen) return;
    const response = await fetch(
      `/api/applications/${chosen.app.namespace}/${chosen.app.name}/${chosen.action}`,
      { method: 'POST', headers: { 'X-CSRF-Token': viewer.csrfToken } },
    );
    const body = (await response.json()) as { message: string };
    notice.value = body.message;
  };

  const List = () =>
    html`${ApplicationsList({ view: view.value, live: live.value, onAction })}${
      notice.value ? html`<p class="notice" role="status" id="notice">${notice.value}</p>` : ''
    }`;
  hydrate(html`<${List} />`, root);
  const dialogRoot = document.getElementById('dialog-root');
  if (dialogRoot) {
    const Dialog = () =>
      html`<${ConfirmDialog} pending=${pending.value} onConfirm=${confirm} onCancel=${() => {
        pending.value = undefined;
      }} />`;
    render(html`<${Dialog} />`, dialogRoot);
  }

  // In-page navigation for the filter form, the sort headers and the pager.
  root.addEventListener('submit', (event) => {
    const form = event.target as HTMLFormElement;
    if (!form.classList.contains('filters')) return;
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form))
      if (typeof value === 'string' && value) params.set(key, value);
    const text = params.toString();
    void load(text ? `?${text}` : '', true);
  });
  root.addEventListener('click', (event) => {
    const link = (event.target as Element).closest('a[data-nav]') as HTMLAnchorElement | null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    void load(new URL(link.href).search, true);
  });
  window.addEventListener('popstate', () => void load(location.search, false));
}
