import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, type ImportView, type Page, pathOf, ROUTES } from '@ucupdates/admin-api';
import { api, query, uploadPackage } from '../api';
import type { PageProps } from '../app';
import { bytes, PageHeader, ReadOnlyNote, Refusal, TableScroller, time, useLoad } from '../ui';

/** Upload a `.cab` (chosen or dropped), see it go up, then follow its import to the end. */
export function UploadPage({ session }: PageProps) {
  const mayUpload = session.role !== 'viewer';
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const [again, setAgain] = useState(false);
  const [view, setView] = useState<ImportView | null>(null);
  const recent = useLoad(() => api<Page<ImportView>>('GET', `${ROUTES.imports}${query({ limit: 10 })}`), [view?.status]);

  // Follow the import until it is done and replicated everywhere (replication may take a while).
  useEffect(() => {
    if (!importId) {
      return;
    }
    let live = true;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const current = await api<ImportView>('GET', pathOf(ROUTES.import, { importId }));
        if (!live) {
          return;
        }
        setView(current);
        const finished = current.status === 'failed' || (current.status === 'succeeded' && current.replication?.state !== 'pending');
        if (!finished) {
          timer = window.setTimeout(poll, 1000);
        }
      } catch (failure) {
        if (live) {
          setError(failure);
          timer = window.setTimeout(poll, 3000);
        }
      }
    };
    void poll();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [importId]);

  const choose = (chosen: File | undefined) => {
    setError(null);
    setFile(chosen ?? null);
    setProgress(null);
    setImportId(null);
    setView(null);
  };

  const upload = async () => {
    if (!file) {
      return;
    }
    setError(null);
    setView(null);
    setImportId(null);
    setProgress({ sent: 0, total: file.size });
    try {
      const answer = await uploadPackage(file, (sent, total) => setProgress({ sent, total })).done;
      setAgain(answer.again);
      setImportId(answer.importId);
    } catch (failure) {
      setError(failure);
      setProgress(null);
    }
  };

  return (
    <section aria-labelledby="page-title">
      <PageHeader title="Upload">
        <p class="lede">Upload an update package (<code>.cab</code>) once, on any node: the pool imports it and copies its files to every node. Its versions become pending.</p>
      </PageHeader>
      {mayUpload ? (
        <div class="upload">
          <div
            class={dragging ? 'drop-zone dragging' : 'drop-zone'}
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(event) => {
              event.preventDefault();
              setDragging(false);
              choose(event.dataTransfer?.files[0]);
            }}
          >
            <p>Drop a .cab file here, or</p>
            <label class="file-button">
              <span>Choose a package…</span>
              <input
                ref={input}
                type="file"
                name="package"
                accept=".cab,application/vnd.ms-cab-compressed"
                onChange={(event) => choose((event.target as HTMLInputElement).files?.[0])}
              />
            </label>
            {file && (
              <p class="chosen">
                <strong>{file.name}</strong> ({bytes(file.size)})
              </p>
            )}
          </div>
          <button type="button" class="primary" disabled={!file || (progress !== null && !view && !error)} onClick={upload}>
            Upload
          </button>
        </div>
      ) : (
        <ReadOnlyNote role={session.role} needs="operator or admin" />
      )}

      {progress && (
        <div class="progress">
          <label for="upload-progress">
            {progress.sent < progress.total ? 'Uploading' : 'Uploaded'} {file?.name}: {bytes(progress.sent)} of {bytes(progress.total)}
          </label>
          <progress id="upload-progress" max={progress.total || 1} value={progress.sent} />
        </div>
      )}
      {error != null && <Refusal error={error} subject="Upload" />}
      {importId && !view && <p aria-live="polite">Waiting for the import…</p>}
      {view && <ImportOutcome view={view} again={again} />}

      <h2>Recent imports</h2>
      {recent.error != null && <Refusal error={recent.error} />}
      <TableScroller label="Recent imports">
        <table class="data">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Updates</th>
              <th scope="col">Uploaded</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {(recent.data?.items ?? []).map((item) => (
              <tr key={item.importId}>
                <td>{item.fileName}</td>
                <td>
                  <span class={`badge ${item.status === 'succeeded' ? 'good' : item.status === 'failed' ? 'bad' : 'warn'}`}>{item.status}</span>
                  {item.error && <span class="small"> {item.error.code}</span>}
                </td>
                <td>{item.updates?.length ?? 0}</td>
                <td>{time(item.createdAt)}</td>
                <td>{time(item.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
    </section>
  );
}

function ImportOutcome({ view, again }: { view: ImportView; again: boolean }) {
  return (
    <div class={`import-outcome status-${view.status}`} aria-live="polite" data-status={view.status}>
      <h2>
        Import of {view.fileName}: <span class="import-status">{view.status}</span>
      </h2>
      {again && <p class="note">These bytes were uploaded before: this is the first upload's import.</p>}
      {view.status === 'failed' && view.error && (
        <Refusal error={new ApiFailure(422, 'Unprocessable', `${view.error.code}: ${view.error.message}`)} subject="The package was refused" />
      )}
      {(view.status === 'queued' || view.status === 'processing') && <p>The pool is checking and extracting the package…</p>}
      {view.status === 'succeeded' && (
        <>
          <p>
            {view.updates.length} rule{view.updates.length === 1 ? '' : 's'} touched; the new versions are pending (approve them on the Device
            Update page).
          </p>
          <TableScroller label="Rules the import touched">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">Brand</th>
                  <th scope="col">Model</th>
                  <th scope="col">Revision</th>
                  <th scope="col">Locale</th>
                  <th scope="col">Update type</th>
                  <th scope="col">Version</th>
                </tr>
              </thead>
              <tbody>
                {view.updates.map((update) => (
                  <tr key={update.ruleId}>
                    <td>{update.brand}</td>
                    <td>{update.model}</td>
                    <td>{update.revision}</td>
                    <td>{update.locale}</td>
                    <td>{update.updateType}</td>
                    <td>{update.version}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroller>
          {view.replication && (
            <p class="replication">
              Replication: <strong>{view.replication.state === 'complete' ? 'on every node' : 'in progress'}</strong>
              {Object.entries(view.replication.nodes).map(([node, counts]) => (
                <span key={node} class="node-count">
                  {' '}
                  {node}: {counts.ready} ready, {counts.missing} missing;
                </span>
              ))}
            </p>
          )}
        </>
      )}
    </div>
  );
}
