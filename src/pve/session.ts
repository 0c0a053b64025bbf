import type { Logger } from "../log.js";
import { PveAuthError, PveResponseError } from "./errors.js";
import { readData } from "./response.js";
import { TicketSchema } from "./schemas.js";
import type { RawResponse } from "./transport.js";

export type PveAuth =
  | { kind: "password"; user: string; password: string }
  | { kind: "token"; tokenId: string; secret: string };

/** Tickets last 2 h; renewing after half of that leaves plenty of margin. */
export const TICKET_RENEW_AFTER_MS = 3600_000;
export const LOGIN_PATH = "/access/ticket";

/** Sends the login form (to whichever host answers) and returns PVE's raw answer. */
export type LoginTransport = (form: Record<string, string>) => Promise<RawResponse>;

export interface AuthHeaders {
  headers: Record<string, string>;
  /** Which ticket these headers carry; a 401 with an older one needs no new login. */
  generation: number;
}

/**
 * Ticket or token authentication. Tickets are acquired lazily before a request, renewed lazily
 * when older than half their life (POSTing the current ticket as the password), and re-acquired
 * with the password after a 401. Every acquisition is single-flight: concurrent callers share it.
 */
export class Session {
  private ticket: string | null = null;
  private csrf: string | null = null;
  private obtainedAt = 0;
  private generation = 0;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly auth: PveAuth,
    private readonly login: LoginTransport,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly onTicket: (kind: "login" | "renewal") => void = () => undefined,
  ) {}

  get usesTicket(): boolean {
    return this.auth.kind === "password";
  }

  /** Who we are, for messages: `user@realm` or the token id, never a secret. */
  get identity(): string {
    return this.auth.kind === "password" ? this.auth.user : this.auth.tokenId;
  }

  async headers(write: boolean): Promise<AuthHeaders> {
    if (this.auth.kind === "token") {
      return { headers: { authorization: `PVEAPIToken=${this.auth.tokenId}=${this.auth.secret}` }, generation: 0 };
    }
    if (this.ticket === null) await this.acquire("login");
    else if (this.now() - this.obtainedAt >= TICKET_RENEW_AFTER_MS) await this.acquire("renew");
    const headers: Record<string, string> = { cookie: `PVEAuthCookie=${this.ticket ?? ""}` };
    if (write && this.csrf) headers.CSRFPreventionToken = this.csrf;
    return { headers, generation: this.generation };
  }

  /** After a 401 with the ticket of `generation`: log in again with the password, once for all callers. */
  async refreshAfter401(generation: number): Promise<void> {
    if (this.auth.kind === "token") return;
    if (generation !== this.generation) return;
    await this.acquire("login");
  }

  private acquire(kind: "login" | "renew"): Promise<void> {
    if (this.pending) return this.pending;
    this.pending = (kind === "renew" ? this.renew() : this.passwordLogin()).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async renew(): Promise<void> {
    const user = this.userName();
    const response = await this.login({ username: user, password: this.ticket ?? "" });
    if (response.status === 401) {
      this.log.info(`ticket renewal for ${user} refused, logging in again`);
      await this.passwordLogin();
      return;
    }
    this.store(response);
    this.onTicket("renewal");
    this.log.debug(`ticket renewed for ${user}`);
  }

  private async passwordLogin(): Promise<void> {
    if (this.auth.kind !== "password") return;
    const response = await this.login({ username: this.auth.user, password: this.auth.password });
    if (response.status === 401) {
      throw new PveAuthError(`authentication failure for ${this.auth.user}: check user, realm and password`);
    }
    this.store(response);
    this.onTicket("login");
    this.log.debug(`logged in as ${this.auth.user}`);
  }

  private store(response: RawResponse): void {
    const user = this.userName();
    const parsed = TicketSchema.safeParse(readData(LOGIN_PATH, response));
    if (!parsed.success) throw new PveResponseError(LOGIN_PATH, `the login answer from ${LOGIN_PATH} is not a ticket`);
    if (parsed.data.NeedTFA) {
      throw new PveAuthError(
        `${user} has two-factor authentication, which pve2mqtt cannot answer: create an API token (pveum user token add) and set token_id and token_secret instead of the password`,
      );
    }
    if (!parsed.data.ticket || !parsed.data.CSRFPreventionToken) {
      throw new PveResponseError(LOGIN_PATH, `the login answer from ${LOGIN_PATH} has no ticket or CSRFPreventionToken`);
    }
    this.ticket = parsed.data.ticket;
    this.csrf = parsed.data.CSRFPreventionToken;
    this.obtainedAt = this.now();
    this.generation += 1;
  }

  private userName(): string {
    return this.auth.kind === "password" ? this.auth.user : this.auth.tokenId;
  }
}
