export { PveClient } from "./client.js";
export { clientOptionsFromConfig, type PveClientOptions } from "./options.js";
export * from "./errors.js";
export { followTask, parseUpid, isTaskSuccess, type Upid, type TaskOutcome, type FollowOptions } from "./tasks.js";
export { describeFeatures, type FeatureCheck } from "./privileges.js";
export type { PveAuth } from "./session.js";
export { isPlaceholderLine, type PveHealthApi, type TaskLog } from "./health-reads.js";
export type { AptUpdateRow, CephStatus, ClusterTaskRow, DiskRow, DiskSmart, HaStatusRow, SmartAttribute, TaskLogLine, ZfsPoolRow } from "./health-schemas.js";
