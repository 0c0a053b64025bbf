/** The cluster's name cannot be learned: without it there is no stable device identity. */
export class ClusterNameUnknownError extends Error {
  override readonly name = "ClusterNameUnknownError";
  constructor(options?: { cause?: unknown }) {
    super(
      "Cannot read the cluster name: GET /cluster/status failed (the account needs Sys.Audit on '/'). " +
        "Set proxmox.cluster_name (or PVE2MQTT_PROXMOX__CLUSTER_NAME) to name the cluster yourself, or grant Sys.Audit on '/'.",
      options,
    );
  }
}
