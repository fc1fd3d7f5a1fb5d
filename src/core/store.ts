// The store: frames, models, jobs and results under typed keys (the design's "DKV").
// On one node it is a map; the cluster will give each key a home node. A key's type
// parameter ties it to the kind of value it holds, so a get needs no cast.

import { FloeError } from "./errors.ts";

export type KeyKind = "frame" | "model" | "job" | "result" | "automl";

export interface Key<T> {
  readonly kind: KeyKind;
  readonly id: string;
  /** Phantom: the type of the value under this key. */
  readonly __value?: T;
}

export function key<T>(kind: KeyKind, id: string): Key<T> {
  if (!/^[A-Za-z0-9_.\-]+$/.test(id)) {
    throw new FloeError("invalid_argument", `'${id}' is not a valid ${kind} id (letters, digits, '_', '.', '-')`);
  }
  return { kind, id };
}

export class Store {
  private readonly values = new Map<string, unknown>();
  private readonly counters = new Map<string, number>();

  private static slot(k: Key<unknown>): string {
    return `${k.kind}:${k.id}`;
  }

  put<T>(k: Key<T>, value: T): void {
    this.values.set(Store.slot(k), value);
  }

  get<T>(k: Key<T>): T | undefined {
    return this.values.get(Store.slot(k)) as T | undefined;
  }

  /** The value under `k`; a not_found error naming the key when there is none. */
  need<T>(k: Key<T>): T {
    const v = this.get(k);
    if (v === undefined) throw new FloeError("not_found", `no ${k.kind} '${k.id}'`);
    return v;
  }

  delete(k: Key<unknown>): boolean {
    return this.values.delete(Store.slot(k));
  }

  /** Ids of the keys of one kind, in insertion order. */
  ids(kind: KeyKind): string[] {
    const prefix = `${kind}:`;
    return [...this.values.keys()].filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
  }

  /** A fresh id `${base}_${n}` not yet used for this kind (base sanitised to id characters). */
  newId(kind: KeyKind, base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_.\-]+/g, "_").replace(/^_+|_+$/g, "") || kind;
    const slot = `${kind}:${clean}`;
    let n = this.counters.get(slot) ?? 0;
    let id: string;
    do id = `${clean}_${++n}`;
    while (this.values.has(`${kind}:${id}`));
    this.counters.set(slot, n);
    return id;
  }
}
