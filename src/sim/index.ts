export { PveSimulator } from "./simulator.js";
export type { SimFault, SimGuestSpec, SimGuestStatus, SimGuestView, SimOptions, SimRequest, SimStorageSpec } from "./types.js";
export { certificateInDir } from "./certificate.js";
