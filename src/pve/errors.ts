/** Every error the PVE client throws is a `PveError`; the subclasses say what went wrong and what to do. */
export class PveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** PVE answered with an error status; `message` is PVE's own text (reason phrase or body). */
export class PveHttpError extends PveError {
  readonly status: number;
  readonly path: string;
  readonly errors: Record<string, string> | undefined;

  constructor(status: number, message: string, path: string, errors?: Record<string, string>) {
    const details = errors ? Object.entries(errors).map(([key, why]) => `${key}: ${why}`) : [];
    const text = message.trim() !== "" ? message.trim() : `HTTP ${status}`;
    super(details.length > 0 ? `${text} (${details.join("; ")})` : text);
    this.status = status;
    this.path = path;
    this.errors = errors;
  }
}

/**
 * PVE answered 403: the account lacks a privilege. `aclPath` and `privilege` come from PVE's text
 * "Permission check failed (/nodes/pve3, Sys.Modify)" when it has that form, else null.
 */
export class PveForbiddenError extends PveHttpError {
  readonly aclPath: string | null;
  readonly privilege: string | null;

  constructor(message: string, path: string, errors?: Record<string, string>) {
    super(403, message, path, errors);
    const match = /\((\/[^,()]*),\s*([^()]+)\)/.exec(message);
    this.aclPath = match ? match[1]!.trim() : null;
    this.privilege = match ? match[2]!.trim() : null;
  }
}

/** Login refused, or the API token rejected. Never carries a secret. */
export class PveAuthError extends PveError {}

/** The certificate of a host is not trusted. The message tells how to pin it. */
export class PveTlsError extends PveError {
  readonly origin: string;
  /** SHA-256 fingerprint of the certificate the host presented ("AB:CD:…"), when known. */
  readonly fingerprint: string | null;

  constructor(origin: string, why: string, fingerprint: string | null) {
    const hint = fingerprint
      ? ` Its SHA-256 fingerprint is ${fingerprint}. If that is your PVE host's certificate, pin it under proxmox: in the config with the line\n  fingerprint: "${fingerprint}"\nor give its CA with ca_file.`
      : " Give its CA with ca_file, or pin its certificate with fingerprint.";
    super(`the TLS certificate of ${origin} is not trusted: ${why}.${hint}`);
    this.origin = origin;
    this.fingerprint = fingerprint;
  }
}

export interface HostFailure {
  origin: string;
  reason: string;
}

/** No configured host could be reached (connect error, TLS error or timeout on each). */
export class PveUnreachableError extends PveError {
  readonly failures: HostFailure[];

  constructor(failures: HostFailure[]) {
    const list = failures.map((failure) => `${failure.origin}: ${failure.reason}`).join("; ");
    super(`no Proxmox VE host could be reached (${list}); check proxmox.hosts, the network and that pveproxy runs`);
    this.failures = failures;
  }
}

/** A write went out but no answer came in time: the task may or may not have started. */
export class PveWriteOutcomeUnknownError extends PveError {
  readonly path: string;
  readonly origin: string;

  constructor(origin: string, path: string, why: string) {
    super(
      `PVE received the request POST ${path} on ${origin} but ${why}; the task may or may not have started — the next poll shows the truth`,
    );
    this.path = path;
    this.origin = origin;
  }
}

/** PVE's answer could not be used: too big, not JSON, or not the expected shape. */
export class PveResponseError extends PveError {
  readonly path: string;

  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

/** The client was closed while a request was pending. */
export class PveClosedError extends PveError {
  constructor() {
    super("the PVE client was closed");
  }
}
