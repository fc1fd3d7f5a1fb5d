// Rendezvous (highest-random-weight) hashing: each (key, node) pair gets a score and a key
// goes to the nodes with the highest scores. Every node computes the same answer from the
// member list alone, and when a node leaves only the keys it held move.

/** The `count` nodes (fewer if there are not so many) that `key` belongs to, best first. */
export function rendezvous(key: string, nodes: readonly string[], count: number): string[] {
  const scored = nodes.map((node) => ({ node, score: Bun.hash.xxHash64(`${key}\u0000${node}`) }));
  scored.sort((a, b) => (a.score === b.score ? (a.node < b.node ? -1 : 1) : a.score > b.score ? -1 : 1));
  return scored.slice(0, count).map((s) => s.node);
}
