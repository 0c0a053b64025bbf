import { resolve } from "node:path";
import { ConfigSchema, parseHost, type Config, type RawConfig } from "./schema.js";
import { ConfigError } from "./errors.js";

export { ConfigError };
import { applyEnvOverrides, CONFIG_PATH_VARIABLE } from "./env.js";
import { readConfigFile } from "./file.js";
import { keyTree } from "./keys.js";
import { describeIssues } from "./issues.js";
import { checkCredentials, readSecrets, type Secrets } from "./credentials.js";
import { retentionProblems } from "../schedules/config.js";

export interface LoadOptions {
  /** `--config FILE` */
  path?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Relative paths (config file, `*_file` secrets) resolve against this; defaults to process.cwd(). */
  cwd?: string;
}

const CONFIG_KEYS = keyTree(ConfigSchema);

/** --config path, else $PVE2MQTT_CONFIG, else ./config.yaml (a missing ./config.yaml is fine when the env provides everything; a missing explicit file is an error naming it). */
export function resolveConfigPath(options: LoadOptions): { path: string; explicit: boolean } {
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = (options.env ?? process.env)[CONFIG_PATH_VARIABLE]?.trim();
  if (options.path) return { path: resolve(cwd, options.path), explicit: true };
  if (fromEnv) return { path: resolve(cwd, fromEnv), explicit: true };
  return { path: resolve(cwd, "config.yaml"), explicit: false };
}

/** Loads file + environment + secret files into the config the daemon runs with. Throws ConfigError naming every problem; never touches the network. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { path, explicit } = resolveConfigPath(options);
  const fromFile = readConfigFile(path);
  if (fromFile === undefined && explicit) {
    throw new ConfigError([`${path}: config file not found (named by --config or ${CONFIG_PATH_VARIABLE}); check the path`]);
  }
  const raw = fromFile ?? {};

  const overrides = applyEnvOverrides(raw, env, CONFIG_KEYS);
  const problems = [...overrides.problems];
  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) problems.push(...describeIssues(parsed.error.issues, CONFIG_KEYS, overrides.sources, raw));
  else problems.push(...retentionProblems(parsed.data.schedules, parsed.data.commands.allow));
  const secrets = readSecrets(raw, cwd, problems);
  checkCredentials(raw, problems);

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return resolveConfig(parsed.data, secrets);
}

/** Parsed keys → the runtime shape: hosts parsed, the user canonical, exactly one way to log in. */
function resolveConfig(raw: RawConfig, secrets: Secrets): Config {
  const { hosts, fingerprint, user, realm, ...proxmox } = raw.proxmox;
  const auth: Config["proxmox"]["auth"] =
    proxmox.token_id !== undefined
      ? { kind: "token", tokenId: proxmox.token_id, secret: secrets.proxmoxTokenSecret! }
      : { kind: "password", password: secrets.proxmoxPassword! };
  const canonicalUser = auth.kind === "token" ? auth.tokenId.slice(0, auth.tokenId.indexOf("!")) : user!.includes("@") ? user! : `${user}@${realm}`;
  return {
    ...raw,
    proxmox: {
      ...proxmox,
      password: auth.kind === "password" ? auth.password : undefined,
      token_secret: auth.kind === "token" ? auth.secret : undefined,
      hosts: hosts.map((host) => parseHost(host, proxmox.port)!),
      fingerprint: (fingerprint ?? []).map((pin) => pin.toUpperCase()),
      user: canonicalUser,
      auth,
    },
    mqtt: { ...raw.mqtt, password: secrets.mqttPassword },
  };
}
