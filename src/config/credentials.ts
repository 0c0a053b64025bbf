import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isPlainObject, type PlainObject } from "./env.js";

/** Secrets after their `*_file` keys have been read. */
export interface Secrets {
  proxmoxPassword?: string;
  proxmoxTokenSecret?: string;
  mqttPassword?: string;
}

function section(raw: PlainObject, name: string): PlainObject {
  const value = raw[name];
  return isPlainObject(value) ? value : {};
}

const present = (value: unknown): boolean => value !== undefined;

/** A Docker secret file: the whole content, without the trailing newline(s) editors and `echo` add. */
function readSecretFile(path: string, key: string, cwd: string, problems: string[]): string | undefined {
  const fullPath = resolve(cwd, path);
  let content: string;
  try {
    content = readFileSync(fullPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    problems.push(`${key}: cannot read ${JSON.stringify(fullPath)} (${code}); check the path and that the daemon's user may read it`);
    return undefined;
  }
  const secret = content.replace(/[\r\n]+$/, "");
  if (secret === "") {
    problems.push(`${key}: ${JSON.stringify(fullPath)} is empty; put the secret in it`);
    return undefined;
  }
  return secret;
}

/** One secret given inline or by file, never both. */
function secretFrom(raw: PlainObject, sectionName: string, key: string, cwd: string, problems: string[]): string | undefined {
  const values = section(raw, sectionName);
  const fileKey = `${key}_file`;
  if (present(values[key]) && present(values[fileKey])) {
    problems.push(`${sectionName}.${key} and ${sectionName}.${fileKey} are both set; keep only one of them`);
    return undefined;
  }
  const file = values[fileKey];
  if (typeof file === "string" && file.trim() !== "") return readSecretFile(file.trim(), `${sectionName}.${fileKey}`, cwd, problems);
  const inline = values[key];
  return typeof inline === "string" ? inline : undefined;
}

export function readSecrets(raw: PlainObject, cwd: string, problems: string[]): Secrets {
  return {
    proxmoxPassword: secretFrom(raw, "proxmox", "password", cwd, problems),
    proxmoxTokenSecret: secretFrom(raw, "proxmox", "token_secret", cwd, problems),
    mqttPassword: secretFrom(raw, "mqtt", "password", cwd, problems),
  };
}

const HOW_TO_AUTHENTICATE =
  "set proxmox.user with proxmox.password (or password_file), or proxmox.token_id with proxmox.token_secret (or token_secret_file)";

/** The rules between keys that a per-key schema cannot see: one way to log in, and a user and realm that agree. */
export function checkCredentials(raw: PlainObject, problems: string[]): void {
  const proxmox = section(raw, "proxmox");
  const user = typeof proxmox.user === "string" ? proxmox.user.trim() : undefined;
  const realm = typeof proxmox.realm === "string" ? proxmox.realm.trim() : undefined;
  const tokenId = typeof proxmox.token_id === "string" ? proxmox.token_id.trim() : undefined;

  if (user?.includes("@") && realm !== undefined) {
    const userRealm = user.slice(user.indexOf("@") + 1);
    if (userRealm !== realm) {
      problems.push(`proxmox.realm: ${JSON.stringify(user)} already names realm "${userRealm}" but proxmox.realm is "${realm}"; remove proxmox.realm or make them agree`);
    }
  }

  const usesPassword = present(proxmox.password) || present(proxmox.password_file);
  const usesToken = present(proxmox.token_id) || present(proxmox.token_secret) || present(proxmox.token_secret_file);
  if (usesPassword && usesToken) {
    problems.push(`proxmox: both a password and an API token are set; use only one: ${HOW_TO_AUTHENTICATE}`);
    return;
  }
  if (!usesPassword && !usesToken) {
    problems.push(`proxmox: no credentials; ${HOW_TO_AUTHENTICATE}`);
    return;
  }
  if (usesPassword && !present(proxmox.user)) {
    problems.push('proxmox.user: required with a password, e.g. "jeedom" (realm from proxmox.realm) or "jeedom@pve"');
  }
  if (usesToken) {
    if (!present(proxmox.token_id)) problems.push('proxmox.token_id: required with a token secret, e.g. "jeedom@pve!bridge"');
    if (!present(proxmox.token_secret) && !present(proxmox.token_secret_file)) {
      problems.push("proxmox.token_secret: required with proxmox.token_id (or set proxmox.token_secret_file)");
    }
    if (user !== undefined && tokenId?.includes("!")) {
      const tokenUser = tokenId.slice(0, tokenId.indexOf("!"));
      const canonicalUser = user.includes("@") ? user : `${user}@${realm ?? "pve"}`;
      if (canonicalUser !== tokenUser) {
        problems.push(`proxmox.user: ${JSON.stringify(user)} is not the token's user "${tokenUser}"; remove proxmox.user (the token names its user)`);
      }
    }
  }
}
