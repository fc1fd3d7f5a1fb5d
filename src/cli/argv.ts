// The one check of a command's raw arguments against its declared flags, run before citty
// parses them (citty ignores unknown flags and extra arguments). Unknown flags are refused
// with the closest known one; H2O's snake_case spellings (--max_depth) are the kebab-case
// flags; boolean flags take --flag, --flag true|false, --flag=true|false and --no-flag;
// missing and extra arguments are refused. The result is argv in a form citty reads one
// way only: --name=value for every flag, then `--` and the positionals.

import type { ArgDef, ArgsDef } from "citty";
import { FloeError } from "../core/errors.ts";

export interface CheckedArgv {
  /** What citty parses: flags as --name=value (--no-name for false), then `--` and the positionals. */
  readonly argv: string[];
  /** Every positional argument, in order. */
  readonly positionals: string[];
  /** --help or -h was given. */
  readonly help: boolean;
}

export interface ArgvRules {
  /** The command's name, for the pointer to its help in messages. */
  readonly command?: string;
  /** The last positional may repeat (several input files where one is expected). */
  readonly repeatLast?: boolean;
}

const TRUE = ["true", "1", "yes"];
const FALSE = ["false", "0", "no"];

/** Levenshtein distance: edits (insert, delete, substitute) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `word`, when it is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

const didYouMean = (suggestion: string | undefined) => (suggestion ? ` (did you mean ${suggestion}?)` : "");

/** A flag's declared name for a spelling: itself, its snake_case form, or none. */
function declaredName(spelling: string, flags: ReadonlyMap<string, ArgDef>): string | undefined {
  if (flags.has(spelling)) return spelling;
  const kebab = spelling.replaceAll("_", "-");
  return flags.has(kebab) ? kebab : undefined;
}

function booleanValue(flag: string, value: string): boolean {
  const v = value.toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new FloeError("invalid_argument", `--${flag} takes true or false, got '${value}'`);
}

/** Checks `args` against `def`; throws a FloeError (invalid_argument) naming the first problem. */
export function checkArgv(args: readonly string[], def: ArgsDef, rules: ArgvRules = {}): CheckedArgv {
  const flags = new Map(Object.entries(def).filter(([, d]) => d.type !== "positional"));
  const positionalDefs = Object.entries(def).filter(([, d]) => d.type === "positional");
  const out: string[] = [];
  const positionals: string[] = [];
  const given = new Set<string>();
  let help = false;

  const unknown = (token: string, name: string) => {
    const suggestion = closest(name.replaceAll("_", "-"), flags.keys());
    const help = suggestion || !rules.command ? "" : `; see floe ${rules.command} --help`;
    return new FloeError("invalid_argument", `unknown flag ${token}${didYouMean(suggestion && `--${suggestion}`)}${help}`);
  };

  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    if (token === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (token === "-" || !token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    if (token === "--help" || token === "-h") {
      help = true;
      continue;
    }
    // --name, --name=value, and -n for a flag whose name is one letter (-y, -x).
    const long = token.startsWith("--");
    const body = token.slice(long ? 2 : 1);
    const eq = body.indexOf("=");
    const spelling = eq < 0 ? body : body.slice(0, eq);
    let inline = eq < 0 ? undefined : body.slice(eq + 1);
    if (!long && spelling.length !== 1) throw unknown(token, spelling);
    let name = declaredName(spelling, flags);
    let negated = false;
    if (!name && /^no[-_]/.test(spelling)) {
      const positive = declaredName(spelling.slice(3), flags);
      if (positive && flags.get(positive)?.type === "boolean" && inline === undefined) [name, negated] = [positive, true];
    }
    if (!name) throw unknown(eq < 0 ? token : token.slice(0, token.indexOf("=")), spelling);
    const flag = flags.get(name) as ArgDef;
    given.add(name);
    if (flag.type === "boolean") {
      // Only the words true and false are taken as a following value; --flag=1/0/yes/no work too.
      if (inline === undefined && /^(true|false)$/i.test(args[i + 1] ?? "")) inline = args[++i];
      const on = negated ? false : inline === undefined ? true : booleanValue(name, inline);
      out.push(on ? `--${name}` : `--no-${name}`);
      continue;
    }
    if (inline === undefined) {
      const next = args[i + 1];
      // A value may start with "-" (a negative number, stdin), but a following --flag means
      // this one was given no value; --name=--value passes such a value.
      if (next === undefined || (next.startsWith("--") && next.length > 2)) throw new FloeError("invalid_argument", `--${name} needs a value`);
      inline = args[++i];
    }
    out.push(`--${name}=${inline}`);
  }

  if (!help) {
    const repeatable = rules.repeatLast ? Infinity : positionalDefs.length;
    if (positionals.length > repeatable) {
      const expected = positionalDefs.length ? positionalDefs.map(([n]) => n.toUpperCase()).join(" ") : "no arguments";
      throw new FloeError("invalid_argument", `unexpected argument '${positionals[positionalDefs.length]}' (expected ${expected})`);
    }
    positionalDefs.forEach(([n, d], k) => {
      if (k >= positionals.length && d.required !== false && d.default === undefined) {
        throw new FloeError("invalid_argument", `missing argument ${n.toUpperCase()}: ${d.description ?? n}`);
      }
    });
    for (const [n, d] of flags) {
      if (d.type !== "positional" && d.required === true && d.default === undefined && !given.has(n)) {
        throw new FloeError("invalid_argument", `--${n} is required: ${d.description ?? n}`);
      }
    }
  }
  return { argv: [...out, "--", ...positionals], positionals, help };
}
