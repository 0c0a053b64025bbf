import { useEffect, useState } from "preact/hooks";
import { formatTime, formatValue, statusTone, type Formats } from "../format.js";
import type { Texts } from "../types.js";

interface Feature {
  feature: string;
  ok: boolean;
  missing: string[];
}
interface PrivilegeReport {
  features: Feature[] | null;
  fix: string | null;
}
interface Host {
  origin: string;
  state: string;
  lastError: string | null;
  retryAt: string | null;
  consecutiveFailures: number;
}

/** A schedule's retained state (CONTRACT section 11), as the browser receives it. */
interface Schedule {
  name: string;
  cron: string;
  action: string;
  enabled: boolean;
  next_run: string | null;
  last_run: string | null;
  last_result: string | null;
  guests_ok: number;
  guests_failed: number;
  last_error: string | null;
}

/** bridge/info in full, and the privilege report of `check`. */
export function HealthView(props: {
  info: unknown;
  bridgeState: unknown;
  schedules: readonly Schedule[];
  t: Texts;
  formats: Formats;
  loadPrivileges: () => Promise<PrivilegeReport>;
}) {
  const { t, formats } = props;
  const info = (typeof props.info === "object" && props.info !== null ? props.info : {}) as Record<string, unknown>;
  const [report, setReport] = useState<PrivilegeReport | null>(null);
  useEffect(() => {
    props.loadPrivileges().then(setReport, () => setReport({ features: null, fix: null }));
  }, []);
  const hosts = (Array.isArray(info.hosts) ? info.hosts : []) as Host[];
  const devices = (info.devices ?? {}) as Record<string, number>;
  const row = (label: string, value: unknown, format: "text" | "time" | "bool" | "number" = "text", field?: string) => (
    <div data-field={field}>
      <dt>{t(label)}</dt>
      <dd>{formatValue(value, format, t, formats)}</dd>
    </div>
  );
  return (
    <main class="health">
      <section>
        <h2>
          {t("panel.health")} <span class={`badge ${statusTone(props.bridgeState)}`}>{formatValue(props.bridgeState, "text", t, formats)}</span>
        </h2>
        <dl class="facts">
          {row("panel.bridge_version", info.version, "text", "version")}
          {row("panel.pve_version", info.pve_version, "text", "pve_version")}
          {row("panel.cluster_name", info.cluster, "text", "cluster")}
          {row("panel.quorate", info.quorate, "bool", "quorate")}
          {row("panel.connected_host", info.connected_host, "text", "connected_host")}
          {row("panel.last_poll", info.last_poll, "time", "last_poll")}
          {row("panel.last_poll_duration", typeof info.last_poll_duration === "number" ? `${info.last_poll_duration} s` : null, "text", "last_poll_duration")}
          {row("panel.last_poll_result", info.last_poll_result, "text", "last_poll_result")}
          {row("panel.last_error", info.last_error, "text", "last_error")}
          {row("panel.consecutive_failures", info.consecutive_failures, "number", "consecutive_failures")}
          {row("panel.mqtt_connected", info.mqtt_connected, "bool", "mqtt_connected")}
          {row(
            "panel.devices",
            Object.entries(devices)
              .map(([kind, count]) => `${kind} ${count}`)
              .join(", "),
            "text",
            "devices",
          )}
        </dl>
      </section>
      <section>
        <h3>{t("panel.hosts")}</h3>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>{t("panel.host")}</th>
                <th>{t("panel.host_state")}</th>
                <th>{t("panel.last_error")}</th>
                <th>{t("panel.retry_at")}</th>
              </tr>
            </thead>
            <tbody>
              {hosts.map((host) => (
                <tr key={host.origin} data-host={host.origin}>
                  <td>{host.origin}</td>
                  <td>
                    <span class={`badge ${host.state === "ok" ? "good" : host.state === "down" ? "bad" : "idle"}`}>{host.state}</span>
                  </td>
                  <td>{host.lastError ?? "—"}</td>
                  <td>{host.retryAt ? formatTime(host.retryAt, formats) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="privileges">
        <h3>{t("panel.privileges")}</h3>
        {report === null ? (
          <p class="muted">…</p>
        ) : report.features === null ? (
          <p class="muted">{t("panel.privileges_unknown")}</p>
        ) : (
          <>
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th>{t("panel.feature")}</th>
                    <th>{t("panel.allowed")}</th>
                    <th>{t("panel.missing")}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.features.map((feature) => (
                    <tr key={feature.feature} data-feature={feature.feature}>
                      <td>{feature.feature}</td>
                      <td>
                        <span class={`badge ${feature.ok ? "good" : "bad"}`}>{feature.ok ? t("panel.yes") : t("panel.no")}</span>
                      </td>
                      <td>{feature.missing.join(", ") || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {report.fix && (
              <p>
                {t("panel.fix")}
                <code class="fix">{report.fix}</code>
              </p>
            )}
          </>
        )}
      </section>
      {props.schedules.length > 0 && (
        <section>
          <h3>{t("panel.schedules")}</h3>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>{t("panel.name")}</th>
                  <th>{t("panel.schedule_when")}</th>
                  <th>{t("panel.action")}</th>
                  <th>{t("panel.schedule_enabled")}</th>
                  <th>{t("panel.schedule_next")}</th>
                  <th>{t("panel.schedule_last")}</th>
                  <th>{t("panel.result")}</th>
                </tr>
              </thead>
              <tbody>
                {props.schedules.map((schedule) => (
                  <tr key={schedule.name} data-schedule={schedule.name}>
                    <td>{schedule.name}</td>
                    <td>
                      <code>{schedule.cron}</code>
                    </td>
                    <td>{schedule.action}</td>
                    <td>{formatValue(schedule.enabled, "bool", t, formats)}</td>
                    <td>{formatValue(schedule.next_run, "time", t, formats)}</td>
                    <td>{formatValue(schedule.last_run, "time", t, formats)}</td>
                    <td title={schedule.last_error ?? ""}>
                      {schedule.last_result === null ? "—" : `${schedule.last_result} (${schedule.guests_ok} / ${schedule.guests_ok + schedule.guests_failed})`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </main>
  );
}
