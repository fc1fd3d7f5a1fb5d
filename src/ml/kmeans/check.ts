// Checks of a k-means model: the encoding of each trained column and the k centers that
// every row's distance is measured to.

import type { Shape } from "../modelcheck/shape.ts";

export function checkKMeansModel(s: Shape, m: Record<string, unknown>): void {
  const columns = s.array(m.columns, "columns").map((c, j) => {
    const col = s.object(c, `column ${j}`);
    s.string(col.name, `column ${j} name`);
    return col.domain === null ? null : s.strings(col.domain, `column ${j} domain`);
  });
  const p = columns.length;
  const k = s.int(m.k, "k", 1);
  const enc = s.object(m.encoding, "encoding");
  const impute = s.finites(enc.impute, "encoding impute", p);
  s.finites(enc.sub, "encoding sub", p);
  s.finites(enc.mul, "encoding mul", p);
  s.finites(enc.grid, "encoding grid", p);
  const isCat = s.typed(enc.isCat, Uint8Array, "encoding isCat", p);
  s.number(enc.distanceScale, "encoding distanceScale", { min: Number.MIN_VALUE });
  columns.forEach((domain, j) => {
    if (isCat[j] !== (domain === null ? 0 : 1)) s.fail(`encoding isCat ${j}`, `is ${isCat[j]} for a${domain === null ? " numeric" : "n enum"} column`);
    if (domain !== null && !(Number.isInteger(impute[j]) && impute[j] >= 0 && impute[j] < domain.length)) {
      s.fail(`encoding impute ${j}`, `is ${impute[j]}, not a level of the column's ${domain.length}`);
    }
  });
  s.finites(m.centers_std, "centers_std", k * p);
  s.typed(m.centers, Float64Array, "centers", k * p);
  s.array(m.size, "size", k);
  s.array(m.withinss, "withinss", k);
}
