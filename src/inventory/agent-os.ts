import type { PveApi } from "../pve/types.js";
import type { ProblemLog } from "./problems.js";
import { guestKey, type GuestInfo } from "./types.js";

/**
 * What a qemu guest's agent said of its OS (`get-osinfo`). Asked once per run of the guest, and
 * only after its agent answered its interfaces (never for a guest without an agent): `waiting`
 * until then, `due` once it has answered, `read` when get-osinfo answered (the OS does not change
 * while the guest runs). A failed read waits again, for the agent's next answer at the IP cadence.
 * A restart asks again (an upgrade shows after its reboot) but keeps the last name meanwhile, so
 * `os` does not flap to the ostype name and back at every reboot.
 */
export class AgentOs {
  private state: "waiting" | "due" | "read" = "waiting";
  private prettyName: string | null = null;

  /** The guest restarted: ask again once its agent answers. */
  newRun(): void {
    this.state = "waiting";
  }

  /** Its agent answered: get-osinfo is due, unless already read in this run. */
  agentAnswered(): void {
    if (this.state === "waiting") this.state = "due";
  }

  get due(): boolean {
    return this.state === "due";
  }

  /** One get-osinfo; a failure keeps what was known (the config's ostype name unless read before) and is logged once. */
  async read(api: PveApi, guest: GuestInfo, problems: ProblemLog): Promise<void> {
    const problem = `${guestKey(guest.kind, guest.vmid)}:osinfo`;
    try {
      const info = await api.agentOsInfo(guest.node, guest.vmid);
      this.prettyName = info["pretty-name"]?.trim() || null;
      this.state = "read";
      problems.succeeded(problem, `The guest agent of ${guestKey(guest.kind, guest.vmid)} tells its OS again`);
    } catch (error) {
      this.state = "waiting";
      problems.failed(problem, `The guest agent of ${guestKey(guest.kind, guest.vmid)} does not tell its OS; showing the config's ostype until it does`, error);
    }
  }

  /** The name shown: the agent's `pretty-name`, else the config's `ostype` name. */
  name(fromConfig: string | null): string | null {
    return this.prettyName ?? fromConfig;
  }
}

/** The `os` of a guest: its agent's pretty-name when known in this run, else its config's ostype name. */
export function guestOs(agentOs: AgentOs | undefined, fromConfig: string | null): string | null {
  return agentOs ? agentOs.name(fromConfig) : fromConfig;
}
