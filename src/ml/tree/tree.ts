// A fitted tree as flat arrays of node records, in bin space: cheap to route rows
// through, to save and to send. A row goes left at node n when
//   categorical  bitsets[catOffset[n] + bin] === 1  (the missing bin is one of the bins)
//   numeric      bin === missing ? naLeft[n] === 1 : bin <= threshold[n]
// Leaves have feature −1 and hold `value`, the raw-score increment (learn rate applied).
// Children are made in pairs, so right[n] = left[n] + 1 (routing adds 0 or 1, no branch).

export interface Tree {
  readonly feature: Int32Array;
  readonly threshold: Int32Array;
  readonly naLeft: Uint8Array;
  /** Offset of a categorical node's left-bin set in `bitsets` (one byte a bin); −1 numeric. */
  readonly catOffset: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly bitsets: Uint8Array;
}

/** A node as the grower builds it, before the tree is flattened. */
export interface GrowNode {
  feature: number;
  threshold: number;
  naLeft: boolean;
  /** Left-bin set of a categorical split. */
  bits: Uint8Array | null;
  left: number;
  right: number;
  value: number;
}

export function leafNode(value: number): GrowNode {
  return { feature: -1, threshold: 0, naLeft: false, bits: null, left: -1, right: -1, value };
}

export function flatten(nodes: readonly GrowNode[]): Tree {
  const n = nodes.length;
  const bitsLength = nodes.reduce((s, x) => s + (x.bits?.length ?? 0), 0);
  const t: Tree = {
    feature: new Int32Array(n),
    threshold: new Int32Array(n),
    naLeft: new Uint8Array(n),
    catOffset: new Int32Array(n),
    left: new Int32Array(n),
    right: new Int32Array(n),
    value: new Float64Array(n),
    bitsets: new Uint8Array(bitsLength),
  };
  let offset = 0;
  nodes.forEach((x, i) => {
    t.feature[i] = x.feature;
    t.threshold[i] = x.threshold;
    t.naLeft[i] = x.naLeft ? 1 : 0;
    t.left[i] = x.left;
    t.right[i] = x.right;
    t.value[i] = x.value;
    if (x.bits) {
      t.catOffset[i] = offset;
      t.bitsets.set(x.bits, offset);
      offset += x.bits.length;
    } else t.catOffset[i] = -1;
  });
  return t;
}

/** The leaf row i of a view lands in. `missingBin[f]` is feature f's missing bin. */
export function routeRow(t: Tree, bins: readonly Uint16Array[], missingBin: Int32Array, i: number): number {
  let n = 0;
  for (let f = t.feature[0]; f >= 0; f = t.feature[n]) {
    const b = bins[f][i];
    const c = t.catOffset[n];
    const goRight = c >= 0 ? 1 - t.bitsets[c + b] : b === missingBin[f] ? 1 - t.naLeft[n] : +(b > t.threshold[n]);
    n = t.left[n] + goRight;
  }
  return n;
}
