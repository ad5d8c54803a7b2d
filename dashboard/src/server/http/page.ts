/**
 * The HTML shell of every page: the header with the user and the logout form, the first paint
 * rendered from the shared components, the page's data as a JSON block (inert: not a script),
 * and the one external bundle. Nothing inline executes, so the Content-Security-Policy can
 * forbid inline script and style altogether.
 */
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { Viewer } from '../../ui/model.ts';

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** JSON safe inside a `<script type="application/json">` block. */
function inertJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

/** What one page is made of. */
export interface PageParts {
  title: string;
  /** Which client view boots on the page (`list`, `detail`), or none. */
  view?: string;
  viewer?: Viewer;
  body: VNode | string;
  data?: unknown;
}

/** The complete document. */
export function renderPage(parts: PageParts): string {
  const body = typeof parts.body === 'string' ? parts.body : renderToString(parts.body);
  const viewer = parts.viewer;
  const header = viewer
    ? `<header class="top"><a class="brand" href="/">Kustodian</a>
<span class="user" title="${escapeHtml(viewer.groups.join(', '))}">${escapeHtml(viewer.username)}</span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${escapeHtml(viewer.csrfToken)}"><button type="submit">Log out</button></form></header>`
    : '<header class="top"><a class="brand" href="/">Kustodian</a></header>';
  const data =
    parts.view && parts.data !== undefined
      ? `<script type="application/json" id="page-data">${inertJson({ view: parts.view, viewer, data: parts.data })}</script>
<script type="module" src="/assets/app.js"></script>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(parts.title)} · Kustodian</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
${header}
<main id="root">${body}</main>
<div id="dialog-root"></div>
${data}
</body>
</html>`;
}

/** A page with one message and, optionally, one link. */
export function messagePage(
  title: string,
  message: string,
  link?: { href: string; text: string },
): string {
  return renderPage({
    title,
    body: `<section class="message-page"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${
      link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : ''
    }</section>`,
  });
}
