import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { SimHttpError } from "./http-error.js";

/** Who made a request, once authenticated. */
export interface SimIdentity {
  kind: "ticket" | "token";
  userid: string;
  /** "user@realm!name" for tokens */
  tokenid?: string;
  emptyAcl: boolean;
  csrf: boolean;
}

export interface AuthOptions {
  users: Record<string, string>;
  tfaUsers: string[];
  tokens: Record<string, { secret: string; privsep?: boolean; emptyAcl?: boolean }>;
  ticketLifetimeSec: number;
  now: () => number;
}

const CLOCK_GRACE_SEC = 300;

/**
 * Tickets and CSRF tokens signed with cluster-wide keys, like PVE's: one ticket works on every
 * host. Revoking rotates the ticket key so every ticket issued before becomes invalid.
 */
export class SimAuth {
  private ticketKey = randomBytes(32);
  private readonly csrfKey = randomBytes(32);
  /** Every ticket and CSRF token handed out, for tests that prove they never leak. */
  readonly issued: { tickets: string[]; csrfTokens: string[] } = { tickets: [], csrfTokens: [] };

  constructor(private readonly options: AuthOptions) {}

  revokeAll(): void {
    this.ticketKey = randomBytes(32);
  }

  checkPassword(userid: string, password: string): boolean {
    const expected = this.options.users[userid];
    return expected !== undefined && safeEqual(expected, password);
  }

  needsTfa(userid: string): boolean {
    return this.options.tfaUsers.includes(userid);
  }

  issueTicket(userid: string): { ticket: string; csrf: string } {
    const hexTime = this.hexNow();
    const data = `PVE:${userid}:${hexTime}`;
    const issued = { ticket: `${data}::${this.sign(data)}`, csrf: this.csrfToken(userid, hexTime) };
    this.issued.tickets.push(issued.ticket);
    this.issued.csrfTokens.push(issued.csrf);
    return issued;
  }

  issueHalfTicket(userid: string): string {
    const challenge = JSON.stringify({ totp: true, userid }).replace(/:/g, "%3A");
    const data = `PVE:!tfa!${challenge}:${this.hexNow()}`;
    return `${data}::${this.sign(data)}`;
  }

  /** Returns the userid of a valid full ticket, else undefined. */
  verifyTicket(ticket: string): string | undefined {
    const match = /^(PVE:([^:]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!match) return undefined;
    const [, data, userid, hexTime, sig] = match as unknown as [string, string, string, string, string];
    if (userid.startsWith("!tfa!") || !safeEqual(this.sign(data), sig)) return undefined;
    return this.fresh(hexTime) ? userid : undefined;
  }

  /** A half ticket of the TFA first step: the userid, if valid. */
  verifyHalfTicket(ticket: string): string | undefined {
    const match = /^(PVE:!tfa!(.+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!match) return undefined;
    const [, data, challenge, hexTime, sig] = match as unknown as [string, string, string, string, string];
    if (!safeEqual(this.sign(data), sig) || !this.fresh(hexTime)) return undefined;
    try {
      const parsed = JSON.parse(challenge.replace(/%3A/g, ":")) as { userid?: unknown };
      return typeof parsed.userid === "string" ? parsed.userid : undefined;
    } catch {
      return undefined;
    }
  }

  verifyCsrf(userid: string, token: string | undefined): boolean {
    if (!token) return false;
    const match = /^([0-9A-F]{8}):(.{43})$/.exec(token);
    if (!match) return false;
    const [, hexTime, sig] = match as unknown as [string, string, string];
    return safeEqual(this.csrfToken(userid, hexTime), token) && sig.length === 43 && this.fresh(hexTime);
  }

  /** Authenticates an "Authorization: PVEAPIToken=user@realm!name=secret" value. */
  verifyToken(value: string): SimIdentity {
    const split = value.lastIndexOf("=");
    const tokenid = split > 0 ? value.slice(0, split) : value;
    const secret = split > 0 ? value.slice(split + 1) : "";
    const token = this.options.tokens[tokenid];
    if (!token || !safeEqual(token.secret, secret)) throw new SimHttpError(401, "invalid token value!");
    const userid = tokenid.slice(0, tokenid.indexOf("!"));
    return { kind: "token", userid, tokenid, emptyAcl: token.emptyAcl === true, csrf: false };
  }

  private csrfToken(userid: string, hexTime: string): string {
    const sig = createHmac("sha256", this.csrfKey).update(`${hexTime}:${userid}`).digest("base64").replace(/=+$/, "");
    return `${hexTime}:${sig}`;
  }

  private sign(data: string): string {
    return createHmac("sha256", this.ticketKey).update(data).digest("base64");
  }

  private fresh(hexTime: string): boolean {
    const age = Math.floor(this.options.now() / 1000) - parseInt(hexTime, 16);
    return age >= -CLOCK_GRACE_SEC && age < this.options.ticketLifetimeSec;
  }

  private hexNow(): string {
    return Math.floor(this.options.now() / 1000).toString(16).toUpperCase().padStart(8, "0");
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
