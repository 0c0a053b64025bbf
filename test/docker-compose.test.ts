import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const text = readFileSync(new URL("../docker-compose.example.yml", import.meta.url), "utf8");

interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = load(text) as { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** The user's own config directory: the header says to create it (it is not in the repository). */
const USER_CONFIG_DIR = "./pve2mqtt";

describe("docker-compose.example.yml", () => {
  it("parses, with mosquitto and pve2mqtt, pve2mqtt starting once mosquitto is healthy", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["mosquitto", "pve2mqtt"]);
    const { mosquitto, pve2mqtt } = compose.services as { mosquitto: Service; pve2mqtt: Service };
    expect(mosquitto.healthcheck?.test[0]).toBe("CMD");
    expect(pve2mqtt.healthcheck?.test.join(" ")).toContain("/health");
    expect(pve2mqtt.depends_on).toEqual({ mosquitto: { condition: "service_healthy" } });
    expect(pve2mqtt.environment?.PVE2MQTT_MQTT__URL).toBe("mqtt://mosquitto:1883");
    expect(pve2mqtt.ports).toContain("9616:9616");
    expect(mosquitto.ports).toContain("1883:1883");
  });

  it("mounts only what the repository holds, plus the user's config directory its header says to create", () => {
    const binds = Object.values(compose.services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(":")[0]!)
      .filter((source) => source.startsWith("./"));
    expect(binds).toContain(USER_CONFIG_DIR);
    for (const source of binds.filter((s) => s !== USER_CONFIG_DIR)) expect(existsSync(`${root}/${source}`), source).toBe(true);
    expect(text).toContain(`mkdir ${USER_CONFIG_DIR.slice(2)} && cp config.example.yaml ${USER_CONFIG_DIR.slice(2)}/config.yaml`);
    // Named volumes are declared.
    const named = Object.values(compose.services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(":")[0]!)
      .filter((source) => !source.startsWith("./") && !source.startsWith("/"));
    for (const name of named) expect(compose.volumes).toHaveProperty(name);
  });

  it("the mosquitto.conf it mounts listens on all interfaces (mosquitto 2 defaults to localhost only)", () => {
    const conf = readFileSync(`${root}/mosquitto/config/mosquitto.conf`, "utf8");
    expect(conf).toMatch(/^listener 1883 0\.0\.0\.0$/m);
    expect(conf).toMatch(/^persistence_location \/mosquitto\/data\/$/m);
  });

  it("the image's user has the UID the compose header and the README give", () => {
    const dockerfile = readFileSync(`${root}/Dockerfile`, "utf8");
    expect(dockerfile).toMatch(/adduser -S -u 1000 /);
    expect(text).toContain("chown 1000:1000");
    expect(readFileSync(`${root}/README.md`, "utf8")).toMatch(/UID 1000/);
  });
});
