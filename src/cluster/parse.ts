// A file import parsed by every node on its share (core/ingest-share.ts does the parsing):
// the receiving node plans it and sends each live member its share to count; it merges
// the counts into the frame's column types and enum levels; each member then makes its
// share's chunks with those (so enum codes agree: read again, or the codes of a share read
// at its count mapped to the merged levels) and keeps them. The receiving node
// computes the rollups through the cluster's executor and sends the directory entry to
// every member: the import is done. Each member then copies its chunks to a second node,
// as spreading a frame would (which keeps them on disk: holdings.ts). No node holds more of
// the frame in memory than its share.

import { type Chunk, vecBytes } from "../core/chunk.ts";
import type { Db } from "../core/duckdb.ts";
import { asFloeError, FloeError } from "../core/errors.ts";
import type { ColumnSpec, Frame } from "../core/frame.ts";
import { checkIngestOptions, type IngestOptions } from "../core/ingest.ts";
import { decideShared, type ImportPlan, NodeShare, type Piece, planImport, type ShareCounts } from "../core/ingest-share.ts";
import { cancelledError, type Executor, OrderedFold } from "../core/mr.ts";
import { frameBytesEstimate, GarbageMeter, type MemoryBudget } from "../core/memory.ts";
import { computeRollups, HISTOGRAM_BINS, type HistogramArgs, HistogramTask, histogramColumn, MomentsTask, type MomentsPartial, momentsArgs } from "../core/rollups.ts";
import type { Source } from "../core/source.ts";
import { type FrameEntry, frameIdentity, type Holdings } from "./holdings.ts";
import type { Handlers, Peers, Transport } from "./peers.ts";
import { isUnreachable, toOthers } from "./peers.ts";
import type { FrameSpreader } from "./spread.ts";
import { decode, encode } from "./wire.ts";

interface CountRequest {
  readonly parse: string;
  /** The node that plans the import: its death drops the share. */
  readonly coordinator: string;
  readonly frame: string;
  /** Rows a chunk of the share (a share may be read into chunks as it is counted). */
  readonly chunkRows: number;
  readonly plan: Omit<ImportPlan, "shares">;
  readonly share: readonly Piece[];
}

interface ExtractRequest {
  readonly parse: string;
  readonly frame: string;
  readonly specs: readonly ColumnSpec[];
  /** Global index and first row of the share's first chunk. */
  readonly firstChunk: number;
  readonly firstRow: number;
  /** Histograms to count over the share's chunks: of the columns whose range the counts gave. */
  readonly histograms: HistogramArgs;
}

/** The share's chunks: their row counts, bytes and moments, in order, and their histograms (for the rollups). */
interface ExtractReply {
  readonly rows: number[];
  readonly bytes: number;
  readonly moments: MomentsPartial[];
  readonly histogram: Float64Array;
}

interface CopyRequest {
  readonly frame: string;
  readonly specs: readonly ColumnSpec[];
  readonly indices: readonly number[];
  /** For each index, the node its copy goes to unless that node is down. */
  readonly to: readonly string[];
}

let parses = 0;

/**
 * The values of `promises` once all have settled, or the first rejection: a node's share is
 * dropped after a failure elsewhere only once it was staged, never before.
 */
async function allSettled<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/**
 * Where the copies of share `k`'s chunks go: the other nodes in turn, starting one further
 * along for each share, so that every node takes about as many copies as it parsed (spread
 * by rendezvous, a few chunks could all land on one node, which would then hold the frame).
 */
function copyTargets(nodes: readonly string[], owner: string, k: number, chunks: number): string[] {
  const others = nodes.filter((n) => n !== owner);
  return Array.from({ length: chunks }, (_, j) => others[(j + k) % others.length]);
}

/**
 * The histograms the shares count as they extract: of each numeric or time column whose
 * range every share's count found (a share read once finds them; one read twice reads no
 * settled column at its count), over the union of the ranges.
 */
function countedHistograms(specs: readonly ColumnSpec[], counts: readonly ShareCounts[]): HistogramArgs {
  const columns: HistogramArgs["columns"][number][] = [];
  for (const [i, spec] of specs.entries()) {
    if (spec.type !== "numeric" && spec.type !== "time") continue;
    const ranges = counts.map((c) => c.ranges[i]);
    if (ranges.some((r) => r === null)) continue;
    const known = ranges as (readonly [number, number])[];
    const h = histogramColumn(i, Math.min(...known.map((r) => r[0])), Math.max(...known.map((r) => r[1])));
    if (h) columns.push(h);
  }
  return { columns, bins: HISTOGRAM_BINS };
}

export class SharedParse {
  /** Shares counted here, by parse id, until extracted or dropped, with the node that asked. */
  private readonly counted = new Map<string, { readonly share: NodeShare; readonly coordinator: string }>();

  constructor(
    private readonly peers: Peers,
    private readonly transport: Transport,
    private readonly holdings: Holdings,
    private readonly spreader: FrameSpreader,
    private readonly executor: Executor,
    private readonly db: () => Promise<Db>,
    private readonly log: (line: string) => void,
    private readonly budget?: MemoryBudget,
  ) {
    // A coordinator that died will neither extract nor drop its shares (a share read once
    // holds its chunks: a flights share ~48 MB).
    peers.onDead((name) => {
      for (const [parse, { share, coordinator }] of this.counted) {
        if (coordinator !== name) continue;
        share.drop();
        this.counted.delete(parse);
      }
    });
  }

  /**
   * Imports a file source parsed by every live node on its share and stores it as frame
   * `id` in the directory; null when the source is not to be split (the caller imports it).
   */
  async importShared(id: string, source: Source, opts: IngestOptions): Promise<Frame | null> {
    let sampleAll = false;
    for (;;) {
      const members = this.peers.live().length;
      try {
        return await this.parse(id, source, opts, sampleAll);
      } catch (err) {
        // A value unlike the sniffed sample (as one node's import does): sniff every row.
        if (asFloeError(err).details?.sniffWhole === true && !sampleAll) sampleAll = true;
        // A node lost mid-parse: plan again over the nodes left (one left parses alone).
        else if (!isUnreachable(err) || this.peers.live().length >= members) throw err;
      }
    }
  }

  private async parse(id: string, source: Source, opts: IngestOptions, sampleAll: boolean): Promise<Frame | null> {
    const chunkRows = checkIngestOptions(opts);
    const nodes = this.peers.live();
    const planned = await planImport(await this.db(), source, opts, nodes.length, sampleAll);
    if (!planned) return null;
    const { shares, ...plan } = planned;
    const parse = `${this.peers.self}/${id}/${++parses}`;
    const owners = shares.map((_, k) => nodes[k]);
    const check = () => {
      if (opts.signal?.aborted) throw cancelledError();
    };
    opts.onProgress?.(0.05);
    try {
      const counts = await allSettled(
        shares.map((share, k) => this.ask<ShareCounts>(owners[k], "parse-count", { parse, coordinator: this.peers.self, frame: id, chunkRows, plan, share } satisfies CountRequest)),
      );
      check();
      opts.onProgress?.(0.5);
      const total = counts.reduce((a, c) => a + c.rows, 0);
      if (total === 0) throw new FloeError("bad_input", `${plan.label}: no data rows${plan.columns.length ? " (only a header)" : ""}`);
      const specs = await decideShared(plan, counts, opts.onWarning);
      const firstChunk: number[] = [];
      const firstRow: number[] = [];
      counts.reduce(
        ([chunk, row], c, k) => {
          firstChunk[k] = chunk;
          firstRow[k] = row;
          return [chunk + Math.ceil(c.rows / chunkRows), row + c.rows];
        },
        [0, 0],
      );
      const histograms = countedHistograms(specs, counts);
      const extracted = await allSettled(
        owners.map((node, k) => this.ask<ExtractReply>(node, "parse-extract", { parse, frame: id, specs, firstChunk: firstChunk[k], firstRow: firstRow[k], histograms } satisfies ExtractRequest)),
      );
      check();
      opts.onProgress?.(0.8);
      const rows = extracted.flatMap((e) => e.rows);
      const starts: number[] = [];
      rows.reduce((start, n, i) => ((starts[i] = start), start + n), 0);
      const byteSize = extracted.reduce((a, e) => a + e.bytes, 0);
      const indices = owners.map((_, k) => extracted[k].rows.map((_, j) => firstChunk[k] + j));
      const entry: FrameEntry = { id, ...frameIdentity(), columns: specs, starts, rows, byteSize, holders: owners.flatMap((node, k) => extracted[k].rows.map(() => [node])) };
      this.holdings.frames.set(id, entry);
      // Folded in chunk order, as the executor folds a map over the frame: the same bits.
      const moments = new OrderedFold(MomentsTask.reduce, () => MomentsTask.empty(momentsArgs(specs)));
      for (const [k, e] of extracted.entries()) for (const [j, m] of e.moments.entries()) moments.add(firstChunk[k] + j, m);
      // Counts of integers: added in any order, the same bits.
      const histogram = new Float64Array(histograms.columns.length * histograms.bins);
      for (const e of extracted) for (let i = 0; i < histogram.length; i++) histogram[i] += e.histogram[i];
      const rollups = await computeRollups(this.executor, this.holdings.stubFrame(entry), { signal: opts.signal }, moments.result, { args: histograms, counts: histogram });
      check();
      const done: FrameEntry = { ...entry, rollups };
      this.holdings.record(done);
      await toOthers(this.peers, this.transport, "frame", encode(done));
      opts.onProgress?.(1);
      // From the next turn of the event loop: the import's job is answered first (flights-3m:
      // the import ended ~30 ms sooner than with the copies begun at once).
      setTimeout(() => void this.copy(done, owners, indices, nodes).catch((err) => this.log(`copying the chunks of frame '${id}' failed: ${(err as Error).message}`)), 0);
      return this.holdings.stubFrame(done);
    } catch (err) {
      this.holdings.frames.delete(id);
      await Promise.all(this.peers.live().map((node) => this.transport.call(node, "parse-drop", encode({ parse, frame: id })).catch(() => {})));
      throw err;
    }
  }

  /**
   * Copies each parsed chunk to a second node, after the import: the frame is whole and
   * usable with one copy of each chunk, and the second comes within the time it takes to
   * send them (as on a node's death, until then a chunk is lost with its node). The
   * members hear of the new holders as each owner's copies are made.
   */
  private async copy(entry: FrameEntry, owners: readonly string[], indices: readonly (readonly number[])[], nodes: readonly string[]): Promise<void> {
    await Promise.all(
      owners.map(async (node, k) => {
        const got = await this.ask<string[][]>(node, "parse-copy", {
          frame: entry.id,
          specs: entry.columns,
          indices: indices[k],
          to: copyTargets(nodes, node, k, indices[k].length),
        } satisfies CopyRequest);
        if (this.holdings.frames.get(entry.id) !== entry) return;
        const updates: [number, string[]][] = indices[k].map((index, j) => [index, got[j]]);
        for (const [index, holders] of updates) entry.holders[index] = holders;
        await toOthers(this.peers, this.transport, "holders", encode({ frame: entry.id, updates }));
      }),
    );
  }

  private async ask<T>(node: string, route: string, body: object): Promise<T> {
    try {
      return decode<T>(await this.transport.call(node, route, encode(body)));
    } catch (err) {
      if (isUnreachable(err)) this.peers.reportUnreachable(node);
      throw err;
    }
  }

  /** The /internal routes of a shared parse. */
  handlers(): Handlers {
    return {
      "parse-count": async (body) => {
        const req = decode<CountRequest>(body);
        // A share read at its count (see NodeShare) is refused as soon as what it read does not fit.
        const reserve = (bytes: number, rows: number) =>
          this.budget?.check(bytes, `node ${this.peers.self}'s share of frame '${req.frame}' (${rows} rows x ${req.plan.columns.length} columns read so far)`);
        const share = await NodeShare.count(await this.db(), req.plan, req.share, { chunkRows: req.chunkRows, reserve });
        this.counted.set(req.parse, { share, coordinator: req.coordinator });
        return encode(share.counts);
      },
      "parse-extract": async (body) => {
        const req = decode<ExtractRequest>(body);
        const share = this.counted.get(req.parse)?.share;
        if (!share) throw new FloeError("not_found", `no counted share of parse ${req.parse} on node ${this.peers.self}`);
        this.counted.delete(req.parse);
        // The share only: the copies of other shares this node takes stay on disk.
        const { rows } = share.counts;
        try {
          this.budget?.check(Math.ceil(frameBytesEstimate(rows, req.specs)), `node ${this.peers.self}'s share of frame '${req.frame}' (${rows} rows x ${req.specs.length} columns)`);
        } catch (err) {
          share.drop();
          throw err;
        }
        const chunks = await share.extract(req.specs);
        let start = req.firstRow;
        let bytes = 0;
        // The chunks' moments are mapped here, where they are made: the rollups then take
        // one pass less over the cluster.
        const args = momentsArgs(req.specs);
        const moments: MomentsPartial[] = [];
        const histogram = new Float64Array(req.histograms.columns.length * req.histograms.bins);
        for (const c of chunks) {
          const chunk: Chunk = { ...c, index: req.firstChunk + c.index, start };
          start += c.rows;
          for (const v of c.vecs) bytes += vecBytes(v);
          moments.push(MomentsTask.map(chunk, args));
          const counted = HistogramTask.map(chunk, req.histograms);
          for (let i = 0; i < histogram.length; i++) histogram[i] += counted[i];
          await this.holdings.hold(req.frame, chunk, req.specs);
        }
        return encode({ rows: chunks.map((c) => c.rows), bytes, moments, histogram } satisfies ExtractReply);
      },
      "parse-copy": async (body) => {
        const req = decode<CopyRequest>(body);
        // One at a time: copies in flight at once left more transient buffers than the
        // copies themselves on both nodes (flights-3m: 414 MB peak with four, 327 MB with one, same time).
        const out: string[][] = [];
        const garbage = new GarbageMeter(4 * 1024 ** 2);
        for (const [j, index] of req.indices.entries()) {
          const chunk = this.holdings.held(req.frame, index);
          // The frame was deleted before its copies were made.
          if (!chunk) throw new FloeError("not_found", `chunk ${index} of frame '${req.frame}' is no longer held on node ${this.peers.self}`);
          out.push(await this.spreader.send(req.frame, req.specs, chunk, [this.peers.self], req.to[j]));
          // Each copy leaves its Arrow bytes and request body (twice the chunk) as garbage a
          // small heap keeps for long (flights-3m: the peak after an import fell by ~40 MB a node).
          garbage.add(2 * chunk.vecs.reduce((n, v) => n + vecBytes(v), 0));
        }
        return encode(out);
      },
      "parse-drop": async (body) => {
        const { parse, frame } = decode<{ parse: string; frame: string }>(body);
        this.counted.get(parse)?.share.drop();
        this.counted.delete(parse);
        if (!this.holdings.frames.has(frame)) this.holdings.dropFrame(frame);
        return encode(true);
      },
    };
  }
}
