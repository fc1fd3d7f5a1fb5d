// Chunks as Arrow record batches. A chunk's buffers already have Arrow's layouts, so a
// batch is built over them without copying values; only the validity bitmaps are made
// from the missing sentinels. Between nodes chunks travel as Arrow IPC streams. The floe
// type of each column rides in the field metadata (`floe.type`), since numeric and time
// share Float64.

import { Dictionary, Field, Float64, Int32, makeData, RecordBatch, RecordBatchReader, RecordBatchStreamWriter, Schema, Struct, Utf8, vectorFromArray, type Data, type DataType } from "apache-arrow";
import { type Chunk, type ColumnType, isMissing, sharedF64, sharedI32, sharedU8, type Vec } from "./chunk.ts";
import { FloeError } from "./errors.ts";
import type { ColumnSpec } from "./frame.ts";

/** Arrow validity: bit i set when value i is present; null when all are present. */
function validityOf(vec: Vec, rows: number): { bitmap: Uint8Array | null; nulls: number } {
  if (vec.kind === "utf8") {
    const bitmap = new Uint8Array((rows + 7) >> 3);
    let nulls = 0;
    for (let i = 0; i < rows; i++) {
      if (isMissing(vec, i)) nulls++;
      else bitmap[i >> 3] |= 1 << (i & 7);
    }
    return { bitmap: nulls ? bitmap : null, nulls };
  }
  let nulls = 0;
  for (let i = 0; i < rows; i++) if (isMissing(vec, i)) nulls++;
  if (nulls === 0) return { bitmap: null, nulls };
  const bitmap = new Uint8Array((rows + 7) >> 3);
  for (let i = 0; i < rows; i++) if (!isMissing(vec, i)) bitmap[i >> 3] |= 1 << (i & 7);
  return { bitmap, nulls };
}

function fieldOf(spec: ColumnSpec): Field {
  const meta = new Map([["floe.type", spec.type]]);
  if (spec.type === "enum") return new Field(spec.name, new Dictionary(new Utf8(), new Int32()), true, meta);
  if (spec.type === "string") return new Field(spec.name, new Utf8(), true, meta);
  return new Field(spec.name, new Float64(), true, meta);
}

export function arrowSchema(columns: readonly ColumnSpec[]): Schema {
  return new Schema(columns.map(fieldOf));
}

/** A record batch over the chunk's buffers. */
export function chunkToRecordBatch(columns: readonly ColumnSpec[], chunk: Chunk): RecordBatch {
  const schema = arrowSchema(columns);
  const children = columns.map((spec, c): Data => {
    const vec = chunk.vecs[c];
    const type = schema.fields[c].type as DataType;
    const { bitmap, nulls } = validityOf(vec, chunk.rows);
    const base = { type, length: chunk.rows, nullCount: nulls, nullBitmap: bitmap ?? undefined };
    switch (vec.kind) {
      case "f64":
        return makeData({ ...base, type: type as Float64, data: vec.values });
      case "codes":
        return makeData({
          ...base,
          type: type as Dictionary<Utf8, Int32>,
          data: vec.codes,
          dictionary: vectorFromArray(spec.domain ? [...spec.domain] : [], new Utf8()),
        });
      case "utf8":
        return makeData({ ...base, type: type as Utf8, data: vec.bytes, valueOffsets: vec.offsets });
    }
  });
  const struct = makeData({ type: new Struct(schema.fields), length: chunk.rows, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/** The chunk of a record batch, its buffers copied into shared memory for the pool. */
export function recordBatchToChunk(batch: RecordBatch, index: number, start: number): Chunk {
  const rows = batch.numRows;
  const vecs = batch.schema.fields.map((field, c): Vec => {
    const type = field.metadata.get("floe.type") as ColumnType | undefined;
    const data = batch.data.children[c];
    const present = (i: number) => data.nullBitmap == null || data.nullCount === 0 || ((data.nullBitmap[(data.offset + i) >> 3] >> ((data.offset + i) & 7)) & 1) === 1;
    if (type === "enum") {
      const codes = sharedI32(rows);
      const src = data.values as Int32Array;
      for (let i = 0; i < rows; i++) codes[i] = present(i) ? src[data.offset + i] : -1;
      return { kind: "codes", codes };
    }
    if (type === "string") {
      const offsets = sharedI32(rows + 1);
      const src = data.valueOffsets as Int32Array;
      const first = src[data.offset];
      for (let i = 0; i <= rows; i++) offsets[i] = src[data.offset + i] - first;
      const bytes = sharedU8(offsets[rows]);
      bytes.set((data.values as Uint8Array).subarray(first, first + offsets[rows]));
      const missing = sharedU8((rows + 7) >> 3);
      for (let i = 0; i < rows; i++) if (!present(i)) missing[i >> 3] |= 1 << (i & 7);
      return { kind: "utf8", offsets, bytes, missing };
    }
    if (type === "numeric" || type === "time") {
      const values = sharedF64(rows);
      const src = data.values as Float64Array;
      for (let i = 0; i < rows; i++) values[i] = present(i) ? src[data.offset + i] : Number.NaN;
      return { kind: "f64", values };
    }
    throw new FloeError("bad_input", `arrow column '${field.name}' has no floe.type metadata`);
  });
  return { index, start, rows, vecs };
}

/** The column specs a schema written by arrowSchema describes. */
export function columnsOf(schema: Schema): ColumnSpec[] {
  return schema.fields.map((f) => ({ name: f.name, type: f.metadata.get("floe.type") as ColumnType }));
}

/** A chunk as one Arrow IPC stream message set (schema + one batch). */
export function chunkToIPC(columns: readonly ColumnSpec[], chunk: Chunk): Uint8Array {
  const writer = new RecordBatchStreamWriter();
  writer.write(chunkToRecordBatch(columns, chunk));
  writer.finish();
  return writer.toUint8Array(true);
}

/** The chunk of an IPC stream written by chunkToIPC, with enum domains from the dictionaries. */
export function chunkFromIPC(bytes: Uint8Array, index: number, start: number): { columns: ColumnSpec[]; chunk: Chunk } {
  const reader = RecordBatchReader.from(bytes);
  const batch = reader.next().value as RecordBatch | undefined;
  if (!batch) throw new FloeError("bad_input", "arrow IPC stream holds no record batch");
  const columns = columnsOf(batch.schema).map((spec, c) => {
    if (spec.type !== "enum") return spec;
    const dict = batch.data.children[c].dictionary;
    return { ...spec, domain: dict ? (dict.toArray() as string[]) : [] };
  });
  return { columns, chunk: recordBatchToChunk(batch, index, start) };
}
