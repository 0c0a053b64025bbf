import { useState } from "preact/hooks";
import { actionLabel, actionsFor, askFor, type TargetKind } from "../actions.js";
import type { Meta, State, Texts } from "../types.js";

export interface ActionTarget {
  topic: string;
  kind: TargetKind;
  title: string;
  state: State | undefined;
  /** Storages of the guest's node with `backup` content. */
  backupStorages: string[];
}

interface Props {
  target: ActionTarget;
  meta: Meta;
  t: Texts;
  onSend: (action: string, params: Record<string, unknown>) => void;
  onClose: () => void;
}

/** The actions of one device; stop, shutdown, reboot and node power ask first; snapshot and backup ask their parameters. */
export function ActionDialog({ target, meta, t, onSend, onClose }: Props) {
  const [chosen, setChosen] = useState<string | null>(null);
  const actions = actionsFor(target.kind, target.state, meta);
  const choose = (action: string) => {
    if (askFor(target.kind, action) === "nothing") onSend(action, {});
    else setChosen(action);
  };
  return (
    <div class="overlay" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={target.title}>
        <h3>{target.title}</h3>
        {chosen === null ? (
          <div class="action-list">
            {actions.map((action) => (
              <button type="button" key={action} data-action={action} onClick={() => choose(action)}>
                {actionLabel(target.kind, action, t)}
              </button>
            ))}
          </div>
        ) : (
          <ActionForm target={target} action={chosen} meta={meta} t={t} onSend={onSend} />
        )}
        <div class="buttons">
          <button type="button" class="secondary" data-action="cancel" onClick={onClose}>
            {t("panel.cancel")}
          </button>
        </div>
      </div>
    </div>
  );
}

function ActionForm({ target, action, meta, t, onSend }: { target: ActionTarget; action: string; meta: Meta; t: Texts; onSend: Props["onSend"] }) {
  const ask = askFor(target.kind, action);
  const label = actionLabel(target.kind, action, t);
  const lastSnapshot = typeof target.state?.last_snapshot === "string" ? target.state.last_snapshot : "";
  const [name, setName] = useState(ask === "snapshot-name" ? lastSnapshot : "");
  const [description, setDescription] = useState("");
  const [storage, setStorage] = useState("");
  const [mode, setMode] = useState(meta.actions.backup.mode);
  const [compress, setCompress] = useState(meta.actions.backup.compress);

  const submit = (event: Event) => {
    event.preventDefault();
    if (ask === "snapshot") onSend(action, { ...(name.trim() ? { name: name.trim() } : {}), ...(description.trim() ? { description: description.trim() } : {}) });
    else if (ask === "backup") onSend(action, { ...(storage ? { storage } : {}), mode, compress });
    else if (ask === "snapshot-name") onSend(action, { name: name.trim() });
    else onSend(action, {});
  };

  return (
    <form class="action-form" onSubmit={submit}>
      {ask === "confirm" && <p class="confirm">{t("panel.confirm_question", { action: label, target: target.title })}</p>}
      {(ask === "snapshot" || ask === "snapshot-name") && (
        <label>
          {ask === "snapshot" ? t("panel.snapshot_name") : t("panel.snapshot_existing")}
          <input name="name" value={name} maxLength={40} required={ask === "snapshot-name"} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
      )}
      {ask === "snapshot" && (
        <label>
          {t("panel.description")}
          <input name="description" value={description} maxLength={200} onInput={(event) => setDescription(event.currentTarget.value)} />
        </label>
      )}
      {ask === "backup" && (
        <>
          <label>
            {t("panel.storage")}
            <select name="storage" value={storage} onChange={(event) => setStorage(event.currentTarget.value)}>
              <option value="">{`${t("panel.default")}${meta.actions.backup.storage ? ` (${meta.actions.backup.storage})` : ""}`}</option>
              {target.backupStorages.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("panel.mode")}
            <select name="mode" value={mode} onChange={(event) => setMode(event.currentTarget.value)}>
              {["snapshot", "suspend", "stop"].map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("panel.compress")}
            <select name="compress" value={compress} onChange={(event) => setCompress(event.currentTarget.value)}>
              {["zstd", "gzip", "lzo", "0"].map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      {ask === "snapshot-name" && <p class="confirm">{t("panel.confirm_question", { action: label, target: target.title })}</p>}
      <button type="submit" data-action="confirm" class={ask === "confirm" || ask === "snapshot-name" ? "danger" : undefined}>
        {ask === "confirm" || ask === "snapshot-name" ? `${t("panel.confirm")}: ${label}` : label}
      </button>
    </form>
  );
}
