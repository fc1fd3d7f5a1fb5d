// One frame: its column summaries, a histogram of any column, a page of its rows, and
// what can be done with it (build a model, split, convert columns to enums, download, delete).

import { useMemo, useState } from "preact/hooks";
import { api, download, messageOf } from "../api.ts";
import { barChart } from "../charts.ts";
import { ChartView, DataTable, ErrorAlert, Loading, Title } from "../components.tsx";
import { bytes, cell, num } from "../format.ts";
import { useAsync } from "../hooks.ts";
import { link } from "../router.ts";
import type { ColumnSummary, FrameInfo, FrameRows } from "../../../api/types.ts";

const path = (id: string) => `/frames/${encodeURIComponent(id)}`;

export function FramePage({ id }: { id: string }) {
  const frame = useAsync(() => api<FrameInfo>("GET", path(id)), [id]);
  const f = frame.data?.frame_id === id ? frame.data : undefined;
  return (
    <section>
      <Title>Frame {id}</Title>
      <ErrorAlert error={frame.error} />
      {!f && !frame.error && <Loading what="the frame" />}
      {f && (
        <>
          <p>
            {f.rows} rows, {f.columns.length} columns, {bytes(f.byte_size)}.
          </p>
          <Actions frame={f} />
          <h2>Columns</h2>
          <DataTable
            caption={`Summary of each column of ${id}`}
            rowHeaders
            head={["Column", "Type", "Missing", "Zeros", "Min", "Max", "Mean", "SD", "Cardinality"]}
            rows={f.columns.map((c) => [c.name, c.type, c.missing, c.zeros, num(c.min), num(c.max), num(c.mean), num(c.sd), num(c.cardinality)])}
          />
          <ColumnHistogram columns={f.columns} />
          <RowsPreview id={id} />
        </>
      )}
    </section>
  );
}

function Actions({ frame }: { frame: FrameInfo }) {
  const id = frame.frame_id;
  const [error, setError] = useState<string | null>(null);
  const guard = (action: () => Promise<void>) => async (e?: Event) => {
    e?.preventDefault();
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const remove = guard(async () => {
    if (!confirm(`Delete frame ${id}?`)) return;
    await api("DELETE", path(id));
    location.hash = "#/frames";
  });
  return (
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      <p class="actions">
        <a class="button" href={link.build(id)}>
          Build a model
        </a>
        <button onClick={guard(() => download(`${path(id)}/download`, `${id}.csv`))}>Download CSV</button>
        <button class="danger" onClick={remove}>
          Delete
        </button>
      </p>
      <ErrorAlert error={error} />
      <div class="forms">
        <SplitForm id={id} />
        <AsFactorForm frame={frame} />
      </div>
    </section>
  );
}

function SplitForm({ id }: { id: string }) {
  const [ratios, setRatios] = useState("0.8");
  const [seed, setSeed] = useState("");
  const [made, setMade] = useState<{ frame_id: string; rows: number }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const body = { ratios: ratios.split(",").map(Number), ...(seed ? { seed: Number(seed) } : {}) };
      setMade((await api<{ frames: { frame_id: string; rows: number }[] }>("POST", `${path(id)}/split`, body)).frames);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="split-title">
      <h3 id="split-title">Split</h3>
      <label for="split-ratios">Ratios (comma-separated; the rest goes to a last frame)</label>
      <input id="split-ratios" value={ratios} onInput={(e) => setRatios(e.currentTarget.value)} />
      <label for="split-seed">Seed (optional)</label>
      <input id="split-seed" type="number" step={1} value={seed} onInput={(e) => setSeed(e.currentTarget.value)} />
      <button type="submit">Split</button>
      <ErrorAlert error={error} />
      {made.length > 0 && (
        <ul>
          {made.map((m) => (
            <li key={m.frame_id}>
              <a href={link.frame(m.frame_id)}>{m.frame_id}</a> ({m.rows} rows)
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

function AsFactorForm({ frame }: { frame: FrameInfo }) {
  const candidates = frame.columns.filter((c) => c.type !== "enum");
  const [chosen, setChosen] = useState<string[]>([]);
  const [made, setMade] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setMade((await api<{ frame_id: string }>("POST", `${path(frame.frame_id)}/asfactor`, { columns: chosen })).frame_id);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="asfactor-title">
      <h3 id="asfactor-title">Convert to enum (as factor)</h3>
      <label for="asfactor-columns">Columns (a new frame is made)</label>
      <select id="asfactor-columns" multiple size={Math.min(6, Math.max(2, candidates.length))} onChange={(e) => setChosen([...e.currentTarget.selectedOptions].map((o) => o.value))}>
        {candidates.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} ({c.type})
          </option>
        ))}
      </select>
      <button type="submit" disabled={chosen.length === 0}>
        Convert
      </button>
      <ErrorAlert error={error} />
      {made && (
        <p>
          New frame: <a href={link.frame(made)}>{made}</a>
        </p>
      )}
    </form>
  );
}

/** Bars of one column's distribution: the rollup histogram (numeric) or the level counts (enum). */
function ColumnHistogram({ columns }: { columns: readonly ColumnSummary[] }) {
  const plottable = columns.filter((c) => c.histogram || c.level_counts);
  const [name, setName] = useState(plottable[0]?.name ?? "");
  const col = plottable.find((c) => c.name === name);
  const bars = useMemo(() => (col ? barsOf(col) : null), [col]);
  if (plottable.length === 0) return null;
  return (
    <section aria-labelledby="hist-title">
      <h2 id="hist-title">Distribution</h2>
      <label for="hist-column">Column</label>{" "}
      <select id="hist-column" value={name} onChange={(e) => setName(e.currentTarget.value)}>
        {plottable.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      {col && bars && (
        <ChartView
          title={`Distribution of ${col.name}`}
          label={`Bar chart of ${col.name}: ${bars.labels.length} ${col.level_counts ? "levels" : "bins"}, counts up to ${Math.max(0, ...bars.counts)}`}
          config={bars.config}
          data={<DataTable head={[col.level_counts ? "Level" : "Bin", "Count"]} rowHeaders rows={bars.labels.map((l, i) => [l, bars.counts[i]])} />}
        />
      )}
    </section>
  );
}

function barsOf(col: ColumnSummary) {
  let labels: string[];
  let counts: readonly number[];
  if (col.level_counts && col.domain) {
    labels = [...col.domain];
    counts = col.level_counts;
  } else if (col.histogram) {
    const h = col.histogram;
    labels = h.counts.map((_, i) => `${num(h.start + i * h.width)} – ${num(h.start + (i + 1) * h.width)}`);
    counts = h.counts;
  } else {
    return null;
  }
  return { labels, counts, config: barChart(labels, counts, "Rows") };
}

const PAGE_SIZES = [10, 25, 100];

function RowsPreview({ id }: { id: string }) {
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(10);
  const rows = useAsync(() => api<FrameRows>("GET", `${path(id)}/rows?offset=${offset}&limit=${limit}`), [id, offset, limit]);
  const r = rows.data;
  const total = r?.rows_total ?? 0;
  return (
    <section aria-labelledby="rows-title">
      <h2 id="rows-title">Rows</h2>
      <p class="pager">
        <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
          Previous
        </button>
        <button disabled={offset + limit >= total} onClick={() => setOffset(offset + limit)}>
          Next
        </button>{" "}
        <label for="rows-limit">Rows per page</label>{" "}
        <select id="rows-limit" value={limit} onChange={(e) => (setLimit(Number(e.currentTarget.value)), setOffset(0))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>{" "}
        <span aria-live="polite">{r && `Rows ${r.offset + 1}–${r.offset + r.rows.length} of ${total}`}</span>
      </p>
      <ErrorAlert error={rows.error} />
      {r && <RowsTable rows={r} />}
    </section>
  );
}

/** A page of rows as a table, the row number as each row's header. */
export function RowsTable({ rows }: { rows: FrameRows }) {
  return (
    <DataTable caption={`Rows of ${rows.frame_id}`} rowHeaders head={["#", ...rows.columns]} rows={rows.rows.map((row, i) => [rows.offset + i + 1, ...row.map((v, c) => cell(v, rows.types[c]))])} />
  );
}
