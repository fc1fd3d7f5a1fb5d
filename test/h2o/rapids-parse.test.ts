// The Rapids parser on expressions H2O's Python client really sends (captured from
// h2o-py 3.46's ExprNode._get_ast_str for the workflows of issue 16), and on broken ones.

import { describe, expect, test } from "bun:test";
import { FloeError } from "../../src/core/errors.ts";
import { type Ast, expandRanges, parseRapids } from "../../src/h2o/rapids/parse.ts";

const id = (name: string): Ast => ({ kind: "id", name });
const num = (value: number): Ast => ({ kind: "num", value });
const str = (value: string): Ast => ({ kind: "str", value });
const call = (op: string, ...args: Ast[]): Ast => ({ kind: "call", op, args });
const col = (frame: string, name: string) => call("cols_py", id(frame), str(name));

describe("expressions the client sends", () => {
  test("asfactor assigned back into the frame", () => {
    expect(parseRapids("(tmp= py_1_sid_abc (:= iris.hex (as.factor (cols_py iris.hex 'species')) 4 []))")).toEqual(
      call("tmp=", id("py_1_sid_abc"), call(":=", id("iris.hex"), call("as.factor", col("iris.hex", "species")), num(4), { kind: "nums", ranges: [] })),
    );
  });

  test("split_frame: runif, a comparison and a row filter, with a nested tmp=", () => {
    expect(parseRapids("(tmp= py_3_sid_abc (rows iris.hex (<= (tmp= py_2_sid_abc (h2o.runif iris.hex 1234)) 0.8)))")).toEqual(
      call("tmp=", id("py_3_sid_abc"), call("rows", id("iris.hex"), call("<=", call("tmp=", id("py_2_sid_abc"), call("h2o.runif", id("iris.hex"), num(1234))), num(0.8)))),
    );
  });

  test("boolean operators and string comparison", () => {
    expect(parseRapids("(rows iris.hex (& (> (cols_py iris.hex 'sepal_len') 5) (== (cols_py iris.hex 'species') 'setosa')))")).toEqual(
      call("rows", id("iris.hex"), call("&", call(">", col("iris.hex", "sepal_len"), num(5)), call("==", col("iris.hex", "species"), str("setosa")))),
    );
  });

  test("Python constants are identifiers; numbers keep their value", () => {
    expect(parseRapids("(mean iris.hex True 0)")).toEqual(call("mean", id("iris.hex"), id("True"), num(0)));
    expect(parseRapids("(x -1.5e2 .5 NaN)")).toEqual(call("x", num(-150), num(0.5), num(Number.NaN)));
  });

  test("lists of strings, numbers and ranges", () => {
    expect(parseRapids("(cols_py iris.hex ['sepal_len' 'species'])")).toEqual(call("cols_py", id("iris.hex"), { kind: "strs", values: ["sepal_len", "species"] }));
    expect(parseRapids("(GB iris.hex [4] 'sum' 0 'all' 'sum' 2 'all')")).toEqual(
      call("GB", id("iris.hex"), { kind: "nums", ranges: [{ start: 4, count: 1, stride: 1 }] }, str("sum"), num(0), str("all"), str("sum"), num(2), str("all")),
    );
    expect(parseRapids("(rows iris.hex [2:8])")).toEqual(call("rows", id("iris.hex"), { kind: "nums", ranges: [{ start: 2, count: 8, stride: 1 }] }));
    const open = parseRapids("(cols_py f [0:nan])") as Extract<Ast, { kind: "call" }>;
    expect(open.args[1]).toEqual({ kind: "nums", ranges: [{ start: 0, count: Number.NaN, stride: 1 }] });
  });

  test("double-quoted strings with escapes (frame renames)", () => {
    expect(parseRapids('(rename "py_3_sid" "train\\"set")')).toEqual(call("rename", str("py_3_sid"), str('train"set')));
  });

  test("a call with no arguments", () => {
    expect(parseRapids("(ls)")).toEqual(call("ls"));
  });
});

describe("ranges expand as H2O reads them", () => {
  test("start:count, start:count:stride and open counts", () => {
    expect(expandRanges([{ start: 2, count: 3, stride: 1 }], 100)).toEqual([2, 3, 4]);
    expect(expandRanges([{ start: 0, count: 3, stride: 2 }], 100)).toEqual([0, 2, 4]);
    expect(expandRanges([{ start: 3, count: Number.NaN, stride: 1 }], 6)).toEqual([3, 4, 5]);
  });
});

describe("broken expressions are invalid_argument errors naming the fault", () => {
  const bad: [string, RegExp][] = [
    ["(mean iris.hex", /unclosed call of 'mean'/],
    ["(cols_py f 'abc)", /unclosed string/],
    ["(f [1 'a'])", /mixes strings and numbers/],
    ["(f [1:x])", /'1:x' is not a number or a range/],
    ["(f [1:-2])", /not a range of integers/],
    ["(f 1) 2", /unexpected text after the expression/],
    ["()", /empty call/],
    [")", /unexpected '\)'/],
    ["", /found the end/],
    ["(apply f 1 { x . (sum x) })", /functions .* are not supported/],
  ];
  for (const [text, message] of bad) {
    test(JSON.stringify(text), () => {
      let err: unknown;
      try {
        parseRapids(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FloeError);
      expect((err as FloeError).code).toBe("invalid_argument");
      expect((err as FloeError).message).toMatch(message);
    });
  }
});
