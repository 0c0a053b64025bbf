import { formatTime, statusTone, type Formats } from "../format.js";
import type { PanelEvent, Texts } from "../types.js";

/** The latest 100 command results and PVE notifications, newest first. */
export function EventsView({ events, t, formats }: { events: PanelEvent[]; t: Texts; formats: Formats }) {
  if (events.length === 0) return <main class="events"><p class="muted">{t("panel.no_events")}</p></main>;
  return (
    <main class="events">
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>{t("panel.time")}</th>
              <th>{t("panel.target")}</th>
              <th>{t("panel.status")}</th>
              <th>{t("panel.details")}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event, index) => {
              const payload = (typeof event.payload === "object" && event.payload !== null ? event.payload : {}) as Record<string, unknown>;
              const notification = event.topic === "bridge/event";
              const status = notification ? payload.severity : payload.status;
              const details = notification
                ? [payload.title, payload.message].filter(Boolean).join(" — ")
                : [payload.action, payload.error ?? payload.exitstatus].filter(Boolean).join(": ");
              return (
                <tr key={`${event.key}-${index}`} data-topic={event.topic}>
                  <td>{formatTime(event.time, formats)}</td>
                  <td>{notification ? String(payload.type ?? "event") : event.topic.replace(/\/result$/, "")}</td>
                  <td>
                    <span class={`badge ${statusTone(status)}`}>{String(status ?? "—")}</span>
                  </td>
                  <td class="details">{details || "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </main>
  );
}
