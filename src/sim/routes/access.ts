import type { SimCall } from "../context.js";
import { checkParams, SimHttpError } from "../http-error.js";
import type { Route } from "../router.js";

const PRIVILEGES = {
  vms: ["VM.Allocate", "VM.Audit", "VM.Backup", "VM.Clone", "VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Cloudinit", "VM.Config.Disk", "VM.Config.HWType", "VM.Config.Memory", "VM.Config.Network", "VM.Config.Options", "VM.Console", "VM.Migrate", "VM.Monitor", "VM.PowerMgmt", "VM.Snapshot", "VM.Snapshot.Rollback", "Permissions.Modify"],
  storage: ["Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit", "Permissions.Modify"],
  nodes: ["Sys.Audit", "Sys.Console", "Sys.Incoming", "Sys.Modify", "Sys.PowerMgmt", "Sys.Syslog", "Permissions.Modify"],
  dc: ["Sys.Audit", "Sys.Modify", "SDN.Audit", "SDN.Allocate"],
  access: ["User.Modify", "Group.Allocate", "Permissions.Modify", "Realm.Allocate", "Realm.AllocateUser"],
  sdn: ["SDN.Allocate", "SDN.Audit", "SDN.Use", "Permissions.Modify"],
  mapping: ["Mapping.Audit", "Mapping.Modify", "Mapping.Use", "Permissions.Modify"],
} as const;

function privilegeMap(privileges: readonly string[]): Record<string, number> {
  return Object.fromEntries(privileges.map((p) => [p, 1]));
}

function capabilities(): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(PRIVILEGES).map(([area, privs]) => [area, privilegeMap(privs)]));
}

const LOGIN_PARAMS = ["username", "password", "realm", "otp", "tfa-challenge", "new-format", "path", "privs"] as const;
const authFailure = (): SimHttpError => new SimHttpError(401, "authentication failure");

function login(call: SimCall): unknown {
  // Tokens may not create tickets (allowtoken => 0).
  if (call.tokenHeader) throw authFailure();
  checkParams(call.args, LOGIN_PARAMS);
  const { ctx } = call;
  const username = call.args.username ?? "";
  const password = call.args.password ?? "";
  const userid = call.args.realm ? `${username}@${call.args.realm}` : username;
  if (!userid.includes("@") || username.length === 0) throw authFailure();

  const tfaChallenge = call.args["tfa-challenge"];
  if (tfaChallenge !== undefined) {
    if (ctx.auth.verifyHalfTicket(tfaChallenge) !== userid || !/^totp:\d{6}$/.test(password)) throw authFailure();
    ctx.counters.logins++;
    return fullTicket(call, userid);
  }
  if (ctx.auth.verifyTicket(password) === userid) {
    ctx.counters.renewals++;
    return fullTicket(call, userid);
  }
  if (!ctx.auth.checkPassword(userid, password)) throw authFailure();
  if (ctx.auth.needsTfa(userid)) {
    const ticket = ctx.auth.issueHalfTicket(userid);
    return { username: userid, ticket, CSRFPreventionToken: ctx.auth.issueTicket(userid).csrf, NeedTFA: 1 };
  }
  ctx.counters.logins++;
  return fullTicket(call, userid);
}

function fullTicket(call: SimCall, userid: string): unknown {
  const { ticket, csrf } = call.ctx.auth.issueTicket(userid);
  const data: Record<string, unknown> = { username: userid, ticket, CSRFPreventionToken: csrf, cap: capabilities() };
  if (call.ctx.settings.clusterName !== null) data.clustername = call.ctx.settings.clusterName;
  return data;
}

function permissions(call: SimCall): unknown {
  if (call.identity?.emptyAcl) return {};
  const all = Object.values(PRIVILEGES).flat();
  const map = privilegeMap(all);
  const result: Record<string, Record<string, number>> = { "/": map, "/vms": map, "/storage": map, "/nodes": map, "/access": map, "/sdn": map, "/mapping": map };
  // A node whose disks or updates the account may not read has its own ACL without that privilege.
  for (const node of call.ctx.model.nodes.keys()) {
    const health = call.ctx.health.of(node);
    if (health.disksAllowed && health.updatesAllowed) continue;
    const denied = [...(health.disksAllowed ? [] : ["Sys.Audit"]), ...(health.updatesAllowed ? [] : ["Sys.Modify"])];
    result[`/nodes/${node}`] = privilegeMap(all.filter((privilege) => !denied.includes(privilege)));
  }
  const path = call.args.path;
  if (path !== undefined) return { [path]: result[path] ?? map };
  return result;
}

export const accessRoutes: Route[] = [
  { method: "POST", path: "/access/ticket", handler: login, public: true },
  { method: "GET", path: "/access/permissions", handler: permissions, anyUser: true, params: ["path", "userid"] },
];
