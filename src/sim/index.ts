export { PveSimulator } from "./simulator.js";
export type { SimCephSpec, SimDiskSpec, SimPoolSpec, SimUpdateSpec } from "./health.js";
export type { SimFault, SimGuestSpec, SimGuestStatus, SimGuestSummary, SimGuestView, SimOptions, SimRequest, SimStorageSpec } from "./types.js";
export { certificateInDir } from "./certificate.js";
