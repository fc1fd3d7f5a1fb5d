// H2O's TwoDimTableV3: the table schema the client turns into an H2OTwoDimTable (variable
// importance, scoring history, confusion matrices, coefficients...). Its data is stored
// column by column; a first column named null is a row header the client drops.

/** "enum": text the client parses as a categorical column when it makes the table a frame. */
export type CellType = "string" | "enum" | "double" | "long" | "int";
export type Cell = string | number | null;

export interface TableColumn {
  readonly name: string;
  readonly type: CellType;
}

/** A TwoDimTableV3 of rows under `columns` (every row has one cell per column); NaN and infinities travel as null. */
export function twoDimTable(name: string, columns: readonly TableColumn[], rows: readonly (readonly Cell[])[], description = "") {
  const cell = (v: Cell) => (typeof v === "number" && !Number.isFinite(v) ? null : v);
  return {
    __meta: { schema_version: 3, schema_name: "TwoDimTableV3", schema_type: "TwoDimTable" },
    name,
    description,
    columns: columns.map((c) => ({
      __meta: { schema_version: -1, schema_name: "ColumnSpecsBase", schema_type: "Iced" },
      name: c.name,
      type: c.type,
      format: c.type === "string" || c.type === "enum" ? "%s" : c.type === "double" ? "%.5f" : "%d",
      description: c.name,
    })),
    rowcount: rows.length,
    data: columns.map((_, j) => rows.map((r) => cell(r[j]))),
  };
}

export type TwoDimTableJson = ReturnType<typeof twoDimTable>;

/** Columns named `names`, typed by what the rows hold in each (text: string, integers: long, else double). */
export function inferColumns(names: readonly string[], rows: readonly (readonly Cell[])[]): TableColumn[] {
  return names.map((name, j) => {
    const values = rows.map((r) => r[j]).filter((v) => v !== null);
    const type: CellType = values.some((v) => typeof v === "string") ? "string" : values.every((v) => Number.isInteger(v)) ? "long" : "double";
    return { name, type };
  });
}
