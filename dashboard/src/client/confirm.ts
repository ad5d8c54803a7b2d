/**
 * The confirm step of every action: a native modal `<dialog>` (focus trapped and Escape closing
 * it, by the browser), naming the action and the Application.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** One action waiting for confirmation. */
export interface Pending {
  action: string;
  target: string;
}

export function ConfirmDialog(props: {
  pending: Pending | undefined;
  onConfirm: () => void;
  onCancel: () => void;
}): VNode {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.pending && !dialog.open) dialog.showModal();
    if (!props.pending && dialog.open) dialog.close();
  }, [props.pending]);
  const { pending } = props;
  return html`<dialog ref=${ref} aria-labelledby="confirm-title" onClose=${props.onCancel}>
    <form method="dialog">
      <h2 id="confirm-title">${pending ? `${capital(pending.action)} ${pending.target}?` : ''}</h2>
      <p>${pending ? describe(pending.action) : ''}</p>
      <div class="dialog-buttons">
        <button type="button" onClick=${props.onCancel}>Cancel</button>
        <button type="button" class="primary" onClick=${props.onConfirm} autofocus>${pending ? capital(pending.action) : ''}</button>
      </div>
    </form>
  </dialog>`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describe(action: string): string {
  if (action === 'sync') return 'The reconciler fetches the source and applies it now.';
  if (action === 'suspend')
    return 'The reconciler stops applying this Application until it is resumed.';
  if (action === 'resume') return 'The reconciler applies this Application again.';
  return '';
}
