import type { PveApi } from "../pve/types.js";

const LOCAL_METHODS = new Set<PropertyKey>(["hosts", "connectedHost", "close"]);

/** A view of `api` that counts every PVE request made through it (for the budget and the benchmark). */
export function countingApi(api: PveApi): { api: PveApi; requests: () => number } {
  let requests = 0;
  const counted = new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      if (LOCAL_METHODS.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        requests++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { api: counted, requests: () => requests };
}
