import { createHash, X509Certificate } from "node:crypto";
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
