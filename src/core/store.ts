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

/** Told of each value stored or deleted under one kind (a node's data directory keeps them). */
export interface StoreWatcher {
  put(id: string, value: unknown): void;
  delete(id: string): void;
}

export class Store {
  private readonly values = new Map<string, unknown>();
  private readonly watchers = new Map<KeyKind, StoreWatcher>();
  private readonly counters = new Map<string, number>();
  /** Keys a job or request is making a value for: taken, though not yet there. */
  private readonly claimed = new Set<string>();

  private static slot(k: Key<unknown>): string {
    return `${k.kind}:${k.id}`;
  }

  /** Stores `value`; a watcher of its kind is told first, and its failure leaves the store as it was. */
  put<T>(k: Key<T>, value: T): void {
    this.watchers.get(k.kind)?.put(k.id, value);
    this.values.set(Store.slot(k), value);
  }

  /** Sets the one watcher of `kind`'s puts and deletes. */
  watch(kind: KeyKind, watcher: StoreWatcher): void {
    this.watchers.set(kind, watcher);
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
    const existed = this.values.delete(Store.slot(k));
    if (existed) this.watchers.get(k.kind)?.delete(k.id);
    return existed;
  }

  /**
   * Reserves `k` for a value being made (a job's or a request's destination), so that two
   * writers of one id do not race and the last silently win. Refused (conflict) when the key
   * holds a value or is reserved already; returns the release, which the writer calls once
   * it has stored its value or given up.
   */
  claim(k: Key<unknown>): () => void {
    const slot = Store.slot(k);
    if (this.values.has(slot)) throw new FloeError("conflict", `${k.kind} '${k.id}' already exists; delete it first or pick another id`);
    if (this.claimed.has(slot)) throw new FloeError("conflict", `${k.kind} '${k.id}' is being written by a running job or request; wait for it to end or pick another id`);
    this.claimed.add(slot);
    return () => void this.claimed.delete(slot);
  }

  /** Whether `k` holds a value or is being written (claimed). */
  taken(k: Key<unknown>): boolean {
    const slot = Store.slot(k);
    return this.values.has(slot) || this.claimed.has(slot);
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
    while (this.values.has(`${kind}:${id}`) || this.claimed.has(`${kind}:${id}`));
    this.counters.set(slot, n);
    return id;
  }
}
