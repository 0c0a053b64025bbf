import { formatValue, statusTone, type Formats } from "../format.js";
import type { DeviceView } from "../model.js";
import type { Column, Texts } from "../types.js";

const TONED = new Set(["status", "health"]);

/** Storages, disks or ZFS pools of a node: a few rows, rendered plainly. */
export function DeviceTable(props: { title: string; devices: DeviceView[]; columns: Column[]; t: Texts; formats: Formats }) {
  const { devices, columns, t, formats } = props;
  if (devices.length === 0) return null;
  return (
    <section class="devices">
      <h4>{props.title}</h4>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.field}>{t(column.label)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {devices.map((device) => (
              <tr key={device.topic} data-topic={device.topic} class={device.availability === "offline" ? "offline" : undefined}>
                {columns.map((column) => {
                  const value = device.state[column.field];
                  const text = formatValue(value, column.format, t, formats);
                  return (
                    <td key={column.field} class={column.format === "text" ? undefined : "num"}>
                      {TONED.has(column.field) ? <span class={`badge ${statusTone(value)}`}>{text}</span> : text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
