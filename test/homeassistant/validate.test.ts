import { describe, expect, it } from "vitest";
import type { DiscoveryMessage } from "../../src/homeassistant/discovery.js";
import { nodeDiscovery } from "../../src/homeassistant/discovery.js";
import { validationInput, SAMPLES } from "./cluster.js";
import { CLUSTER, makeConfig, makeContext } from "./fixtures.js";
import { validateDiscovery } from "./validate.js";

const CONFIGS = {
  "defaults": {},
  "commands disabled": { commands: { enabled: false } },
  "node power": { commands: { node_power: true } },
  "few actions allowed": { commands: { allow: ["start", "stop"], node_power: true } },
  "custom prefix, base topic, area, French": { homeassistant: { discovery_prefix: "ha", suggested_area: "Server room" }, mqtt: { base_topic: "pve/home" }, language: "fr" },
};

describe("every discovery payload of a realistic cluster passes Home Assistant's rules", () => {
  for (const mode of ["entity", "device"] as const) {
    for (const [label, overrides] of Object.entries(CONFIGS)) {
      it(`${mode} mode, ${label}`, () => {
        const base = overrides as Record<string, Record<string, unknown>>;
        const config = makeConfig({ ...base, homeassistant: { ...(base.homeassistant ?? {}), discovery: mode } });
        const input = validationInput(config);
        expect(input.messages.length).toBeGreaterThan(0);
        expect(validateDiscovery(input)).toEqual([]);
      });
    }
  }
});

describe("the validator rejects what Home Assistant rejects", () => {
  const config = makeConfig();
  const good = nodeDiscovery(makeContext(config), CLUSTER.nodes[0]!);
  const byKey = (suffix: string) => good.find((message) => message.topic.endsWith(`_${suffix}/config`))!;

  function problemsWith(suffix: string, change: (payload: Record<string, unknown>) => void): string[] {
    const original = byKey(suffix);
    const payload = structuredClone(original.payload);
    change(payload);
    const message: DiscoveryMessage = { topic: original.topic, payload };
    return validateDiscovery({ mode: "entity", discoveryPrefix: "homeassistant", messages: [{ kind: "node", message }], samples: SAMPLES });
  }

  it("accepts the untouched payloads", () => {
    expect(validateDiscovery({ mode: "entity", discoveryPrefix: "homeassistant", messages: good.map((message) => ({ kind: "node" as const, message })), samples: SAMPLES })).toEqual([]);
  });
  it("a unit that does not belong to the device class", () => {
    expect(problemsWith("memory_used", (p) => (p.unit_of_measurement = "kB/s")).join()).toMatch(/unit "kB\/s" is not allowed for device_class data_size/);
  });
  it("a state class on a timestamp", () => {
    expect(problemsWith("boot_time", (p) => (p.state_class = "measurement")).join()).toMatch(/state_class "measurement" is not allowed for device_class timestamp/);
  });
  it("entity_category config on a sensor", () => {
    expect(problemsWith("kernel", (p) => (p.entity_category = "config")).join()).toMatch(/config is not allowed on a sensor/);
  });
  it("the deprecated object_id and abbreviated keys", () => {
    expect(problemsWith("cpu", (p) => (p.object_id = "x")).join()).toMatch(/deprecated key "object_id"/);
    expect(problemsWith("cpu", (p) => (p.stat_t = "x")).join()).toMatch(/abbreviated or deprecated key "stat_t"/);
  });
  it("a default_entity_id that does not match the unique_id", () => {
    expect(problemsWith("cpu", (p) => (p.default_entity_id = "sensor.cpu")).join()).toMatch(/default_entity_id must be/);
  });
  it("a template reading a field the state does not have", () => {
    expect(problemsWith("cpu", (p) => (p.value_template = "{{ value_json.cpu_percent }}")).join()).toMatch(/does not have/);
  });
  it("unguarded arithmetic on a null field", () => {
    expect(problemsWith("memory_used", (p) => (p.value_template = "{{ (value_json.memory_used / 1073741824) | round(2) }}")).join()).toMatch(/fails on the all-null sample: unsupported operand/);
  });
  it("an icon outside mdi:", () => {
    expect(problemsWith("cpu", (p) => (p.icon = "fa:cpu")).join()).toMatch(/must match mdi:/);
  });
  it("a button without command_topic and a sensor without state_topic", () => {
    expect(problemsWith("refresh", (p) => delete p.command_topic).join()).toMatch(/button needs command_topic/);
    expect(problemsWith("cpu", (p) => delete p.state_topic).join()).toMatch(/sensor needs state_topic/);
  });
  it("a duplicated unique_id", () => {
    const message = byKey("cpu");
    const problems = validateDiscovery({ mode: "entity", discoveryPrefix: "homeassistant", messages: [{ kind: "node", message }, { kind: "node", message }], samples: SAMPLES });
    expect(problems.join()).toMatch(/already used/);
  });
  it("an enum value outside its options and a timestamp without timezone", () => {
    expect(problemsWith("online", (p) => (p.value_template = "{{ value_json.status }}")).join()).toMatch(/neither payload_on, payload_off nor None/);
    expect(problemsWith("boot_time", (p) => (p.value_template = "{{ '2024-06-01 10:00' }}")).join()).toMatch(/not ISO-8601/);
  });
  it("options without device class enum", () => {
    expect(problemsWith("cpu", (p) => (p.options = ["a"])).join()).toMatch(/options need device_class enum/);
  });
});
