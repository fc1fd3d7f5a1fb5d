// H2O's /99/ImportSQLTable (h2o.import_sql_table and import_sql_select): a JDBC URL, a user
// and a password become a postgres:// or mysql:// URL for floe's database source, and the import is a
// job as a parse is. The password is used for the connection only: no message, job or
// frame name carries it.

import type { Hono } from "hono";
import { FloeError } from "../../core/errors.ts";
import type { Source } from "../../core/source.ts";
import { mysqlIdent, pgIdent } from "../../core/sources/sql-db.ts";
import type { H2OContext } from "../context.ts";
import { h2oJobJson, localJobView } from "../jobs.ts";
import { H2OParams } from "../params.ts";

/** The JDBC drivers floe reads, as its URL schemes. */
const SCHEMES: Readonly<Record<string, string>> = { postgresql: "postgres", mysql: "mysql", mariadb: "mysql" };

/**
 * `jdbc:postgresql://host[:port]/database[?options]` (or jdbc:mysql, jdbc:mariadb) with the user and password H2O sends
 * beside it, as floe's postgres:// URL. JDBC options are left out.
 */
export function dbUrlFromJdbc(jdbc: string, username: string, password: string): string {
  const m = /^jdbc:([a-z0-9]+):\/\/([^/?#]+)(\/[^?#;]*)?/i.exec(jdbc.trim());
  if (!m) throw new FloeError("invalid_argument", "connection_url is not a JDBC URL such as jdbc:postgresql://host:5432/database");
  const [, driver, host, path] = m;
  const scheme = SCHEMES[driver.toLowerCase()];
  if (!scheme) throw new FloeError("unsupported", `connection_url: floe reads PostgreSQL and MySQL databases (jdbc:postgresql://..., jdbc:mysql://...), not ${driver}`);
  if (host.includes("@")) throw new FloeError("invalid_argument", "connection_url: give the user and password as username and password, not in the URL");
  return `${scheme}://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}${path ?? ""}`;
}

export function register(app: Hono, ctx: H2OContext): void {
  app.post("/99/ImportSQLTable", async (c) => {
    const p = await H2OParams.of(c);
    // Like SQL imports, a database read reaches past the server's data root: off when it has one.
    if (ctx.server.dataRoot !== null) throw new FloeError("forbidden", "database imports are disabled when the server has a --data-root");
    const url = dbUrlFromJdbc(p.need("connection_url"), p.str("username") ?? "", p.str("password") ?? "");
    const table = p.str("table") || undefined;
    const select = p.str("select_query") || undefined;
    if ((table === undefined) === (select === undefined)) throw new FloeError("invalid_argument", "give exactly one of table or select_query");
    const columns = (p.str("columns") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s && s !== "*");
    let source: Source;
    if (table !== undefined && columns.length > 0) {
      const ident = url.startsWith("mysql:") ? mysqlIdent : pgIdent;
      source = { kind: "db", url, query: `SELECT ${columns.map(ident).join(", ")} FROM ${ident(table)}` };
    } else source = { kind: "db", url, table, query: select };
    const { job, done } = ctx.node.importFrame(source, {});
    done.catch(() => {});
    return c.json(h2oJobJson(localJobView(job)));
  });
}
