import { useEffect, useMemo, useState } from "preact/hooks";
import { formatValue, statusTone, type Formats } from "../format.js";
import { clusterModel, guestMatches, type NodeView } from "../model.js";
import type { ActionResult, Column, Kind, Meta, Texts } from "../types.js";
import { DeviceTable } from "./DeviceTable.js";
import { GuestTable } from "./GuestTable.js";
import { useNearViewport } from "./near-viewport.js";
import { ResultBadge } from "./ResultBadge.js";

interface ClusterProps {
  states: ReadonlyMap<string, unknown>;
  results: ReadonlyMap<string, ActionResult>;
  /** Changes with every batch: the model is derived again only then. */
  version: number;
  meta: Meta;
  t: Texts;
  formats: Formats;
  onActions: (topic: string) => void;
}

export function ClusterView({ states, results, version, meta, t, formats, onActions }: ClusterProps) {
  const [typed, setTyped] = useState("");
  /** The filter follows typing after a short pause: one re-render of the tables per word, not per key. */
  const [text, setText] = useState("");
  const [status, setStatus] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setText(typed.trim()), 150);
    return () => clearTimeout(timer);
  }, [typed]);
  const nodes = useMemo(() => clusterModel(states), [states, version]);
  const columns = useMemo(() => {
    const byKind = (kind: Kind) => meta.columns.filter((column) => column.kind === kind);
    return { node: byKind("node"), guest: byKind("guest"), storage: byKind("storage"), disk: byKind("disk"), zfs: byKind("zfs") };
  }, [meta]);
  const statuses = useMemo(() => {
    const seen = new Set<string>();
    for (const node of nodes) for (const guest of node.guests) if (typeof guest.state.status === "string") seen.add(guest.state.status);
    return [...seen].sort();
  }, [nodes]);
  const canAct = !meta.actions.read_only;

  return (
    <main class="cluster">
      <div class="filters">
        <input type="search" placeholder={t("panel.filter")} aria-label={t("panel.filter")} value={typed} onInput={(event) => setTyped(event.currentTarget.value)} />
        <select aria-label={t("panel.status")} value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
          <option value="">{t("panel.all_statuses")}</option>
          {statuses.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      {nodes.map((node) => (
        <NodeSection key={node.topic} node={node} text={text} status={status} columns={columns} results={results} meta={meta} t={t} formats={formats} canAct={canAct} onActions={onActions} />
      ))}
    </main>
  );
}

/** A guest row's height, for the room kept by a section whose rows are not drawn yet. */
const ROW_HEIGHT_REM = 1.8;

function NodeSection(props: {
  node: NodeView;
  text: string;
  status: string;
  columns: Record<Kind, Column[]>;
  results: ReadonlyMap<string, ActionResult>;
  meta: Meta;
  t: Texts;
  formats: Formats;
  canAct: boolean;
  onActions: (topic: string) => void;
}) {
  const { node, columns, t } = props;
  const formats = props.formats;
  const guests = props.text === "" && props.status === "" ? node.guests : node.guests.filter((guest) => guestMatches(guest, props.text, props.status));
  const running = node.guests.filter((guest) => guest.state.status === "running").length;
  const status = node.state.status ?? node.availability;
  const [sectionRef, near] = useNearViewport<HTMLElement>();
  return (
    <section ref={sectionRef} class={`node${node.availability === "offline" ? " offline" : ""}`} data-node={node.slug}>
      <header>
        <h2>
          {node.name} <span class={`badge ${statusTone(status)}`}>{formatValue(status, "text", t, formats)}</span>
        </h2>
        <span class="muted" data-guests={node.guests.length}>
          {t("panel.guest_count", { running, total: node.guests.length })}
        </span>
        {props.results.has(node.topic) && <ResultBadge result={props.results.get(node.topic)} t={t} />}
        {props.canAct && node.state.status !== undefined && (
          <button type="button" class="icon" aria-label={`${t("panel.actions")} ${node.name}`} data-actions={node.topic} onClick={() => props.onActions(node.topic)}>
            ⋯
          </button>
        )}
      </header>
      <dl class="facts">
        {columns.node
          .filter((column) => column.field !== "status")
          .map((column) => (
            <div key={column.field} data-field={column.field}>
              <dt>{t(column.label)}</dt>
              <dd>{formatValue(node.state[column.field], column.format, t, formats)}</dd>
            </div>
          ))}
      </dl>
      {node.guests.length > 0 &&
        (guests.length > 0 ? (
          near ? (
            <GuestTable guests={guests} results={props.results} columns={columns.guest} t={t} formats={formats} canAct={props.canAct} onActions={props.onActions} />
          ) : (
            // far from the screen: the rows' room only, drawn when the section comes near
            <div class="rows-later" style={{ height: `${2 + guests.length * ROW_HEIGHT_REM}rem` }} data-rows-later={guests.length} />
          )
        ) : (
          <p class="muted">{t("panel.no_guests")}</p>
        ))}
      <DeviceTable title={t("panel.storages")} devices={node.storages} columns={columns.storage} t={t} formats={formats} />
      <DeviceTable title={t("panel.disks")} devices={node.disks} columns={columns.disk} t={t} formats={formats} />
      <DeviceTable title={t("panel.zfs")} devices={node.zfs} columns={columns.zfs} t={t} formats={formats} />
    </section>
  );
}
