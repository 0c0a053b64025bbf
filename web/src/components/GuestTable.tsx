import { memo } from "preact/compat";
import { formatValue, statusTone, type Formats } from "../format.js";
import type { DeviceView } from "../model.js";
import type { ActionResult, Column, State, Texts } from "../types.js";
import { ResultBadge } from "./ResultBadge.js";

interface RowProps {
  topic: string;
  state: State;
  availability: string | undefined;
  result: ActionResult | undefined;
  columns: Column[];
  t: Texts;
  formats: Formats;
  canAct: boolean;
  onActions: (topic: string) => void;
}

/** One guest: re-rendered only when its state, availability or result object changes (the rest of 2,000 rows stay put). */
const GuestRow = memo(function GuestRow({ topic, state, availability, result, columns, t, formats, canAct, onActions }: RowProps) {
  return (
    <tr data-topic={topic} class={availability === "offline" ? "offline" : undefined}>
      {columns.map((column) => {
        const value = state[column.field];
        const text = formatValue(value, column.format, t, formats);
        if ((column.field === "status" || column.field === "last_backup_status") && value !== null && value !== undefined) return <td key={column.field} data-field={column.field}><span class={`badge ${statusTone(value)}`}>{text}</span></td>;
        return <td key={column.field} data-field={column.field} class={column.format === "text" ? undefined : "num"}>{text}</td>;
      })}
      <td class="result" data-field="result">
        <ResultBadge result={result ?? lastAction(state)} t={t} />
      </td>
      {canAct && (
        <td class="act">
          <button type="button" class="icon" aria-label={`${t("panel.actions")} ${String(state.name ?? topic)}`} data-actions={topic} onClick={() => onActions(topic)}>
            ⋯
          </button>
        </td>
      )}
    </tr>
  );
});

function lastAction(state: State): ActionResult | undefined {
  const last = state.last_action as { action?: string | null; status?: string; error?: string | null } | null | undefined;
  if (!last || typeof last !== "object" || typeof last.status !== "string") return undefined;
  const status = last.status === "started" || last.status === "ok" ? last.status : "error";
  return { action: last.action ?? null, status, error: last.error ?? null };
}

export function GuestTable(props: {
  guests: DeviceView[];
  results: ReadonlyMap<string, ActionResult>;
  columns: Column[];
  t: Texts;
  formats: Formats;
  canAct: boolean;
  onActions: (topic: string) => void;
}) {
  const { columns, t } = props;
  return (
    <div class="scroll">
      <table class="guests">
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.field}>{t(column.label)}</th>
            ))}
            <th>{t("panel.result")}</th>
            {props.canAct && <th class="act" aria-label={t("panel.actions")} />}
          </tr>
        </thead>
        <tbody>
          {props.guests.map((guest) => (
            <GuestRow
              key={guest.topic}
              topic={guest.topic}
              state={guest.state}
              availability={guest.availability}
              result={props.results.get(guest.topic)}
              columns={columns}
              t={t}
              formats={props.formats}
              canAct={props.canAct}
              onActions={props.onActions}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
