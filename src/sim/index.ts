export { PveSimulator } from "./simulator.js";
export type { SimFault, SimGuestSpec, SimGuestStatus, SimGuestView, SimOptions, SimRequest, SimStorageSpec } from "./types.js";
