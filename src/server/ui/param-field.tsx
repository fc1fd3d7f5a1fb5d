// Declared parameters as form inputs (their metadata comes from GET /algorithms or GET
// /automl/params): the field value of a default, the request value of a field, the input
// a server error is about, and the input itself with its help. Shared by the model builder
// and the AutoML form.

import { ApiError } from "./api.ts";
import type { ParamInfo, ParamValue } from "../../api/types.ts";

/** A parameter's form value: checkboxes hold booleans, other inputs text. */
export type Field = string | boolean;

/** The form value of a parameter's default. */
export function fieldOf(p: ParamInfo): Field {
  if (p.type === "bool") return p.default === true;
  return p.default === null ? "" : String(p.default);
}

/**
 * The request value of a field; undefined when it still says the default or is empty (the
 * server fills those in). Text that is no number is sent as it is, for the server to refuse by name.
 */
export function valueOf(p: ParamInfo, f: Field): ParamValue | undefined {
  if (f === fieldOf(p)) return undefined;
  if (typeof f === "boolean") return f;
  const text = f.trim();
  if (text === "") return undefined;
  if (p.type !== "int" && p.type !== "float") return text;
  return Number.isFinite(Number(text)) ? Number(text) : text;
}

/** The declared bounds of a numeric parameter, as help text. */
function bounds(p: ParamInfo): string {
  const low = p.min !== undefined ? `at least ${p.min}` : p.above !== undefined ? `above ${p.above}` : null;
  const high = p.max !== undefined ? `at most ${p.max}` : null;
  const both = [low, high].filter((b) => b !== null);
  return both.length ? ` (${both.join(", ")})` : "";
}

/**
 * The id of the input a failed request is about: the server names the field in
 * details.field, in details.issues (schema errors) or, for parameters, in the message
 * ("parameter NAME=..." or "parameter NAME: ..."). `fieldInputs` maps request fields to inputs.
 */
export function inputAtFault(err: unknown, fieldInputs: Readonly<Record<string, string>>): string | null {
  if (!(err instanceof ApiError)) return null;
  const issues = err.details?.issues as { field?: string }[] | undefined;
  const field = (err.details?.field as string | undefined) ?? issues?.[0]?.field;
  const param = field?.startsWith("params.") ? field.slice("params.".length) : /\bparameter (\w+)[=:]/.exec(err.message)?.[1];
  if (param) return `param-${param}`;
  return field ? (fieldInputs[field] ?? null) : null;
}

/** Marks the input `id` invalid when it is the one at fault, its error message (element `errorId`) linked to it. */
export const faultProps = (id: string, fault: string | null, errorId: string) => (id === fault ? { "aria-invalid": true, "aria-errormessage": errorId } : {});

/** One parameter's input (id `param-NAME`), its kind chosen by the declared type, its help linked as its description. */
export function ParamField(props: { param: ParamInfo; value: Field; fault: string | null; errorId: string; onChange: (v: Field) => void }) {
  const { param: p, value, fault, errorId, onChange } = props;
  const id = `param-${p.name}`;
  const invalid = faultProps(id, fault, errorId);
  const help = (
    <span id={`${id}-help`} class="help">
      {p.help}
      {bounds(p)}
    </span>
  );
  if (p.type === "bool") {
    return (
      <div class="param check">
        <input id={id} {...invalid} type="checkbox" checked={value === true} aria-describedby={`${id}-help`} onChange={(e) => onChange(e.currentTarget.checked)} />
        <label for={id}>{p.name}</label>
        {help}
      </div>
    );
  }
  const text = String(value);
  return (
    <div class="param">
      <label for={id}>{p.name}</label>
      {p.type === "enum" ? (
        <select id={id} {...invalid} value={text} aria-describedby={`${id}-help`} onChange={(e) => onChange(e.currentTarget.value)}>
          {p.values?.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      ) : (
        <input id={id} {...invalid} value={text} aria-describedby={`${id}-help`} onInput={(e) => onChange(e.currentTarget.value)} />
      )}
      {help}
    </div>
  );
}
