import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/config/schema.js";
import { scheduleDiscovery, scheduleDiscoveryTopics } from "../../src/schedules/discovery.js";
import { scheduleState } from "../../src/schedules/state.js";
import { renderTemplate } from "../homeassistant/jinja.js";
import { makeConfig, makeContext } from "../homeassistant/fixtures.js";

const schedule = ConfigSchema.parse({
  proxmox: { hosts: "h", user: "u", password: "p" },
  schedules: [{ name: "nightly", cron: "0 2 * * *", action: "snapshot", targets: { tags: ["prod"] }, keep: 3 }],
}).schedules[0]!;

describe("a schedule's Home Assistant device", () => {
  const ctx = makeContext(makeConfig());
  const messages = scheduleDiscovery(ctx, "nightly");
  const byKey = (key: string) => messages.find((m) => m.topic.endsWith(`/schedule_nightly_${key}/config`))!.payload;

  it("has next run, last run, last result, an enable switch and a run-now button, on one device via the bridge", () => {
    expect(messages.map((m) => m.topic)).toEqual([
      "homeassistant/sensor/pve2mqtt_home_lab/schedule_nightly_next_run/config",
      "homeassistant/sensor/pve2mqtt_home_lab/schedule_nightly_last_run/config",
      "homeassistant/sensor/pve2mqtt_home_lab/schedule_nightly_last_result/config",
      "homeassistant/switch/pve2mqtt_home_lab/schedule_nightly_enabled/config",
      "homeassistant/button/pve2mqtt_home_lab/schedule_nightly_run/config",
    ]);
    for (const { payload } of messages) {
      expect(payload.device).toEqual({
        identifiers: ["pve2mqtt_home_lab_schedule_nightly"],
        name: "Schedule nightly",
        manufacturer: "pve2mqtt",
        model: "pve2mqtt schedule",
        sw_version: "0.1.0",
        via_device: "pve2mqtt_home_lab_bridge",
      });
      expect(payload.availability).toEqual([{ topic: "pve2mqtt/bridge/state", payload_available: "online", payload_not_available: "offline" }]);
      expect(payload.unique_id).toMatch(/^pve2mqtt_home_lab_schedule_nightly_/);
      expect(payload.default_entity_id).toBe(`${String(payload.default_entity_id).split(".")[0]}.${String(payload.unique_id)}`);
    }
    expect(byKey("next_run")).toMatchObject({ device_class: "timestamp", state_topic: "pve2mqtt/schedule/nightly", value_template: "{{ value_json.next_run }}", name: "Next run" });
    expect(byKey("last_result")).toMatchObject({ device_class: "enum", options: ["ok", "partial", "error"] });
    expect(byKey("enabled")).toMatchObject({
      command_topic: "pve2mqtt/schedule/nightly/set",
      payload_on: '{"enabled": true}',
      payload_off: '{"enabled": false}',
      state_on: "ON",
      state_off: "OFF",
      entity_category: "config",
    });
    expect(byKey("run")).toMatchObject({ command_topic: "pve2mqtt/schedule/nightly/set", payload_press: "run", retain: false });
    expect(byKey("run")).not.toHaveProperty("state_topic");
  });

  it("renders its templates from the state, with nulls before the first run", () => {
    const fresh = scheduleState(schedule, true, new Date("2024-05-02T02:00:00Z"), null);
    const ran = scheduleState(schedule, false, null, { at: "2024-05-01T02:00:00.000Z", result: "partial", guestsOk: 2, guestsFailed: 1, error: "qemu/100: snapshot feature is not available" });
    expect(renderTemplate(String(byKey("next_run").value_template), fresh)).toBe("2024-05-02T02:00:00.000Z");
    expect(renderTemplate(String(byKey("last_result").value_template), fresh)).toBe("None");
    expect(renderTemplate(String(byKey("enabled").value_template), fresh)).toBe("ON");
    expect(renderTemplate(String(byKey("enabled").value_template), ran)).toBe("OFF");
    expect(renderTemplate(String(byKey("last_result").value_template), ran)).toBe("partial");
    expect(JSON.parse(renderTemplate(String(byKey("last_result").json_attributes_template), ran))).toEqual({
      guests_ok: 2,
      guests_failed: 1,
      last_error: "qemu/100: snapshot feature is not available",
      action: "snapshot",
      cron: "0 2 * * *",
    });
    expect(ran.next_run).toBeNull();
    expect(Object.keys(fresh)).toEqual(["name", "cron", "action", "enabled", "next_run", "last_run", "last_result", "guests_ok", "guests_failed", "last_error"]);
  });

  it("comes as one device config in device mode, named in the configured language", () => {
    const device = scheduleDiscovery(makeContext(makeConfig({ homeassistant: { discovery: "device" }, language: "fr" })), "nightly");
    expect(device).toHaveLength(1);
    expect(device[0]!.topic).toBe("homeassistant/device/pve2mqtt_home_lab_schedule_nightly/config");
    const components = device[0]!.payload.components as Record<string, Record<string, unknown>>;
    expect(Object.keys(components)).toEqual(["schedule_nightly_next_run", "schedule_nightly_last_run", "schedule_nightly_last_result", "schedule_nightly_enabled", "schedule_nightly_run"]);
    expect(components.schedule_nightly_enabled).toMatchObject({ platform: "switch", name: "Activée" });
    expect((device[0]!.payload.device as Record<string, unknown>).name).toBe("Planification nightly");
  });

  it("lists every topic it may have used, both modes, to clear a schedule that left the config", () => {
    expect(scheduleDiscoveryTopics(ctx, "old")).toEqual([
      "homeassistant/device/pve2mqtt_home_lab_schedule_old/config",
      ...messages.map((m) => m.topic.replace("nightly", "old")),
    ]);
  });
});
