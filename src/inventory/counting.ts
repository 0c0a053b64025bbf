import type { PveApi } from "../pve/types.js";

const LOCAL_METHODS = new Set<PropertyKey>(["hosts", "connectedHost", "close"]);

/** A view of `api` that counts every PVE request made through it (for the budget and the benchmark). */
export function countingApi(api: PveApi): { api: PveApi; requests: () => number } {
  let requests = 0;
  // one counting wrapper per method and view, not a new function per call
  const wrappers = new Map<PropertyKey, unknown>();
  const counted = new Proxy(api, {
    get(target, property, receiver) {
      const known = wrappers.get(property);
      if (known !== undefined) return known;
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      const wrapper = LOCAL_METHODS.has(property)
        ? method.bind(target)
        : (...args: unknown[]) => {
            requests++;
            return method.apply(target, args);
          };
      wrappers.set(property, wrapper);
      return wrapper;
    },
  });
  return { api: counted, requests: () => requests };
}
