import type { ActionResult, Texts } from "../types.js";

/** "stop: started", then "stop: ok" or "stop: error — reason". */
export function ResultBadge({ result, t }: { result: ActionResult | undefined; t: Texts }) {
  if (!result) return <span class="muted">—</span>;
  const tone = result.status === "ok" ? "good" : result.status === "error" ? "bad" : "warn";
  const status = result.status === "sending" ? t("panel.sending") : t(`panel.status_${result.status}`);
  return (
    <span class={`badge ${tone}`} data-status={result.status} title={result.error ?? undefined}>
      {result.action ? `${result.action}: ` : ""}
      {status}
      {result.error ? ` — ${result.error}` : ""}
    </span>
  );
}
