import type { DeviceRef } from "../commands/parse.js";
import type { CommandDeps } from "../commands/runner.js";
import type { Config } from "../config/schema.js";
import { deviceTopic } from "../homeassistant/topics.js";
import type { Poller } from "../inventory/poller.js";
import { guestKey, nodeKey, storageKey, type DeviceKey } from "../inventory/types.js";
import type { Logger } from "../log.js";
import type { Publisher } from "../mqtt/publisher.js";
import type { PveApi } from "../pve/types.js";
import type { CommandResult } from "../state/types.js";
import type { DeviceSync } from "./devices.js";

/** What the command runner is connected to: the bridge's poller, device sync and publisher. */
export interface CommandWiring {
  api: PveApi;
  config: Config;
  log: Logger;
  now: () => number;
  poller: Poller;
  sync: DeviceSync;
  publisher: Publisher;
  /** The latest result per guest, shown as its `last_action`. */
  lastActions: Map<DeviceKey, CommandResult>;
  /** A full poll now (joins one already running); rejects with the poll's error when it failed. */
  pollNow(): Promise<void>;
  /** Every final result (for metrics). */
  onResult?(result: CommandResult): void;
}

/** The runner's dependencies: where devices are, how to refresh them, where results go. */
export function commandDeps(wiring: CommandWiring): CommandDeps {
  const { poller, sync, publisher } = wiring;
  const base = wiring.config.mqtt.base_topic;

  const locate = (device: DeviceRef): { node: string } | null => {
    const inventory = poller.current?.inventory;
    if (!inventory) return null;
    switch (device.kind) {
      case "qemu":
      case "lxc": {
        const guest = inventory.guests.find((g) => g.kind === device.kind && g.vmid === device.vmid);
        return guest ? { node: guest.node } : null;
      }
      case "node":
        return inventory.nodes.some((n) => n.name === device.node) ? { node: device.node } : null;
      case "storage":
        return inventory.storages.some((s) => s.node === device.node && s.storage === device.storage) ? { node: device.node } : null;
      case "bridge":
        return { node: "" };
    }
  };

  return {
    api: wiring.api,
    config: wiring.config,
    log: wiring.log,
    now: wiring.now,
    locate,
    relocate: async (device) => {
      await wiring.pollNow();
      return locate(device);
    },
    backupStorages: (node) =>
      (poller.current?.inventory.storages ?? [])
        .filter((s) => s.node === node && s.content.includes("backup") && s.status === "available")
        .map((s) => s.storage),
    refresh: async (device, options) => {
      if ((device.kind === "qemu" || device.kind === "lxc") && !options?.full) {
        const key = guestKey(device.kind, device.vmid);
        const outcome = await poller.refreshGuest(key, { details: options?.details });
        await sync.syncGuest(outcome, key);
        return outcome.inventory.guests.find((g) => g.kind === device.kind && g.vmid === device.vmid)?.status ?? null;
      }
      await wiring.pollNow();
      return null;
    },
    publishResult: (device, result, { reachedPve }) => {
      if (result.status !== "started") wiring.onResult?.(result);
      const key = deviceKeyOf(device);
      const topic = key ? deviceTopic(base, key) : `${base}/bridge`;
      void publisher.publish(`${topic}/result`, JSON.stringify(result), { retain: false, qos: 1 });
      if ((device.kind === "qemu" || device.kind === "lxc") && reachedPve) {
        wiring.lastActions.set(key!, { ...result, time: result.time ?? new Date(wiring.now()).toISOString() });
        const current = poller.current;
        if (current) void sync.syncGuest(current, key!);
      }
    },
  };
}

function deviceKeyOf(device: DeviceRef): DeviceKey | null {
  switch (device.kind) {
    case "qemu":
    case "lxc":
      return guestKey(device.kind, device.vmid);
    case "node":
      return nodeKey(device.node);
    case "storage":
      return storageKey(device.node, device.storage);
    case "bridge":
      return null;
  }
}
