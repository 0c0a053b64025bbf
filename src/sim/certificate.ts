import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface SimCertificate {
  certPem: string;
  keyPem: string;
  /** SHA-256, uppercase colon hex, as PVE shows it. */
  fingerprint: string;
}

// Key generation takes a noticeable time, so one certificate serves every simulator of the process.
let cached: Promise<SimCertificate> | undefined;

export function simCertificate(): Promise<SimCertificate> {
  cached ??= makeCertificate().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/**
 * The certificate kept in `dir` (`key.pem`, `cert.pem`), made and written there the first time: a
 * simulator restarted with the same directory keeps its fingerprint, so a pinned bridge reconnects.
 */
export async function certificateInDir(dir: string): Promise<SimCertificate> {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  const hasKey = existsSync(keyPath);
  if (hasKey !== existsSync(certPath)) throw new Error(`${dir} holds only one of key.pem and cert.pem; remove it or give an empty directory`);
  if (hasKey) {
    const certPem = readFileSync(certPath, "utf8");
    let fingerprint: string;
    try {
      fingerprint = sha256Fingerprint(certPem);
    } catch {
      throw new Error(`${certPath} is not a PEM certificate; remove ${dir} to make a new one`);
    }
    return { certPem, keyPem: readFileSync(keyPath, "utf8"), fingerprint };
  }
  const made = await makeCertificate();
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyPath, made.keyPem, { mode: 0o600 });
  writeFileSync(certPath, made.certPem);
  return made;
}

async function makeCertificate(): Promise<SimCertificate> {
  const notBeforeDate = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private, fingerprint: sha256Fingerprint(pems.cert) };
}

export function sha256Fingerprint(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
  return hex.match(/../g)!.join(":");
}
