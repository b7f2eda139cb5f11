import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from '@ucupdates/admin-api';
import { explain } from './errors';

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog on the browser's own `<dialog>`: showModal makes the rest of the page inert (focus
 * stays inside) and Escape closes it; focus goes back to what opened it.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  // Taken while rendering, before anything inside the dialog can take focus.
  const opener = useRef(document.activeElement as HTMLElement | null);
  useEffect(() => {
    const dialog = ref.current!;
    dialog.showModal();
    const cancel = (event: Event) => {
      event.preventDefault();
      props.onClose();
    };
    // showModal makes the page behind inert, but Tab past the last control would leave for the
    // browser's own controls: wrap it around inside the dialog instead.
    const trap = (event: KeyboardEvent) => {
      if (event.key !== 'Tab') {
        return;
      }
      const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => !element.hasAttribute('disabled'));
      if (focusable.length === 0) {
        return;
      }
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    };
    dialog.addEventListener('cancel', cancel);
    dialog.addEventListener('keydown', trap);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      dialog.removeEventListener('keydown', trap);
      if (dialog.open) {
        dialog.close();
      }
      // Once the dialog is gone (a re-render may be under way): back to what opened it.
      const target = opener.current;
      target?.focus();
      requestAnimationFrame(() => {
        if (target?.isConnected && document.activeElement !== target) target.focus();
      });
    };
  }, []);
  return (
    <dialog ref={ref} class={props.wide ? 'dialog wide' : 'dialog'} aria-labelledby="dialog-title">
      <h2 id="dialog-title">{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** "Are you sure?" with the consequences spelled out; Confirm is not the default (Cancel gets focus). */
export function Confirm(props: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  return (
    <Dialog title={props.title} onClose={props.onCancel}>
      <div class="dialog-body">{props.children}</div>
      <div class="actions">
        <button type="button" autofocus onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class={props.danger ? 'danger' : 'primary'} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/** The API's refusal in words, with the nodes and files NotReplicated names. */
export function Refusal(props: { error: unknown; subject?: string }) {
  const failure =
    props.error instanceof ApiFailure
      ? props.error
      : new ApiFailure(0, 'Error', props.error instanceof Error ? props.error.message : String(props.error));
  const explained = explain(failure);
  return (
    <div class="refusal" role="alert">
      <strong>
        {props.subject ? `${props.subject}: ` : ''}
        {explained.title}
      </strong>{' '}
      <span class="code">({failure.code}{failure.status ? `, HTTP ${failure.status}` : ''})</span>
      <p>{explained.message}</p>
      {explained.missing && (
        <ul class="missing">
          {explained.missing.map((node) => (
            <li key={node.nodeId}>
              Node <strong>{node.nodeId}</strong> lacks {node.files.length === 1 ? 'the file' : `${node.files.length} files`}:{' '}
              {node.files.join(', ') || 'unknown'}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Loads once on mount and again on `reload()`; the page shows `error` in words when it fails. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((n) => n + 1) };
}

/** A list page's filters: submitting them (Enter, or their button) applies them without leaving the page. */
export function FilterForm(props: { onApply: () => void; children: ComponentChildren }) {
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply();
      }}
    >
      {props.children}
    </form>
  );
}

/** A table that scrolls sideways on a narrow window; the scroller is focusable so keys scroll it. */
export function TableScroller(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroller" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}

export function PageHeader(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1 tabIndex={-1} id="page-title">
        {props.title}
      </h1>
      {props.children}
    </div>
  );
}

export function ReadOnlyNote(props: { role: string; needs: string }) {
  return (
    <p class="note" role="note">
      Read only: your token has the <strong>{props.role}</strong> role; changes here need the {props.needs} role.
    </p>
  );
}

/** Paging by the API's nextCursor, with the cursors of earlier pages kept for "Previous". */
export function usePager() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    next: (cursor: string) => setCursors((list) => [...list, cursor]),
    previous: () => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)),
    reset: () => setCursors([undefined]),
  };
}

export function Pager(props: { pager: ReturnType<typeof usePager>; nextCursor: string | null | undefined }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={props.pager.page === 1} onClick={props.pager.previous}>
        ← Previous
      </button>
      <span>Page {props.pager.page}</span>
      <button type="button" disabled={!props.nextCursor} onClick={() => props.nextCursor && props.pager.next(props.nextCursor)}>
        Next →
      </button>
    </nav>
  );
}

export function time(value: string | null | undefined): string {
  if (!value) {
    return '—';
  }
  return value.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** `datetime-local` input value (taken as UTC) to ISO 8601, or undefined when empty. */
export function utcFromInput(value: string): string | undefined {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : undefined;
}

export function bytes(count: number): string {
  if (count < 1024) {
    return `${count} B`;
  }
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = count / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `100,000`: a count as an administrator reads it. */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** A small bar of a share; the text beside it says the number, so the bar is decoration. */
export function ShareBar(props: { part: number; whole: number }) {
  const width = props.whole === 0 ? 0 : Math.round((60 * props.part) / props.whole);
  return (
    <svg class="share-bar" width="60" height="10" aria-hidden="true">
      <rect width="60" height="10" fill="#e3e7ef" />
      <rect width={width} height="10" fill="#009E73" />
    </svg>
  );
}

/** The end of a paged list: "none match" once a page came back empty, and the pager. */
export function ListEnd(props: { list: { loading: boolean; data?: { items: unknown[]; nextCursor: string | null } }; pager: ReturnType<typeof usePager>; empty: string }) {
  return (
    <>
      {!props.list.loading && props.list.data?.items.length === 0 && <p class="empty">{props.empty}</p>}
      <Pager pager={props.pager} nextCursor={props.list.data?.nextCursor} />
    </>
  );
}

/** What a change just did, said once. */
export function Notice(props: { text: string | null }) {
  return props.text ? (
    <p class="notice" role="status">
      {props.text}
    </p>
  ) : null;
}
