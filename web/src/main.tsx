import { render } from "preact";
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ActionDialog, type ActionTarget } from "./components/ActionDialog.js";
import { ClusterView } from "./components/Cluster.js";
import { EventsView } from "./components/Events.js";
import { HealthView } from "./components/Health.js";
import { Login } from "./components/Login.js";
import { Connection, type ConnectionStatus } from "./connection.js";
import { makeFormats, slug } from "./format.js";
import { makeTexts } from "./i18n.js";
import { loginTexts } from "./login-texts.js";
import { Store } from "./store.js";
import type { Meta, State } from "./types.js";
import "./style.css";

const TOKEN_KEY = "pve2mqtt.token";
type View = "cluster" | "health" | "events";

/** A token in the URL (`?token=`, e.g. a Home Assistant dashboard's iframe) is kept for later visits and removed from the address bar. */
function initialToken(): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url);
  }
  return localStorage.getItem(TOKEN_KEY);
}

async function getJson<T>(path: string, token: string | null): Promise<T> {
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: "no-store" });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

class Unauthorized extends Error {}

function viewFromHash(): View {
  const name = location.hash.replace(/^#\/?/, "");
  return name === "health" || name === "events" ? name : "cluster";
}

function App() {
  const [token, setToken] = useState<string | null>(initialToken);
  const [meta, setMeta] = useState<Meta | null>(null);
  const [login, setLogin] = useState<"no" | "ask" | "wrong">("no");
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [version, setVersion] = useState(0);
  const [view, setView] = useState<View>(viewFromHash);
  const [target, setTarget] = useState<string | null>(null);
  /** Bumped by each login, so the same token typed again is tried again. */
  const [attempt, setAttempt] = useState(0);
  const store = useMemo(() => new Store(), [token]);
  const connection = useRef<Connection | null>(null);

  useEffect(() => {
    const onHash = () => setView(viewFromHash());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  useEffect(() => {
    let cancelled = false;
    const unauthorized = () => {
      if (cancelled) return;
      setMeta(null);
      setLogin(token ? "wrong" : "ask");
    };
    getJson<Meta>("api/meta", token).then(
      (loaded) => {
        if (cancelled) return;
        setMeta(loaded);
        setLogin("no");
        document.documentElement.lang = loaded.language;
        connection.current = new Connection(token, {
          messages: (batch) => {
            store.apply(batch);
            setVersion((v) => v + 1);
          },
          status: (next) => {
            if (next === "unauthorized") unauthorized();
            else setStatus(next);
            if (next === "open") {
              getJson<Array<{ time: string; topic: string; payload: unknown }>>("api/events", token).then((events) => {
                store.addEvents(events, true);
                setVersion((v) => v + 1);
              }, () => undefined);
            }
          },
        });
      },
      (error: unknown) => {
        if (error instanceof Unauthorized) unauthorized();
        else if (!cancelled) setStatus("closed");
      },
    );
    return () => {
      cancelled = true;
      connection.current?.close();
      connection.current = null;
    };
  }, [token, attempt]);

  const t = useMemo(() => makeTexts(meta?.texts ?? loginTexts(navigator.language)), [meta]);
  const formats = useMemo(() => makeFormats(meta?.language ?? "en"), [meta]);
  const onActions = useCallback((topic: string) => setTarget(topic), []);
  const loadPrivileges = useCallback(() => getJson<{ features: null; fix: null }>("api/privileges", token), [token]);

  if (login !== "no") {
    return (
      <Login
        t={t}
        wrong={login === "wrong"}
        onToken={(next) => {
          localStorage.setItem(TOKEN_KEY, next);
          setToken(next);
          setAttempt((n) => n + 1);
          setLogin("no");
        }}
      />
    );
  }
  if (!meta) return <main class="loading">{status === "closed" ? "…" : ""}</main>;

  const info = store.states.get("bridge/info") as Record<string, unknown> | undefined;
  const send = (action: string, params: Record<string, unknown>) => {
    if (!target) return;
    const id = store.sending(target, action);
    if (!connection.current?.send({ topic: `${target}/set`, payload: { action, id, ...params } })) {
      store.apply([{ topic: "error", payload: { error: t("panel.disconnected"), request: `${target}/set`, id } }]);
    }
    setTarget(null);
    setVersion((v) => v + 1);
  };

  return (
    <>
      <header class="top">
        <h1>{typeof info?.cluster === "string" ? info.cluster : "pve2mqtt"}</h1>
        <nav>
          {(["cluster", "health", "events"] as const).map((name) => (
            <a key={name} href={`#/${name}`} class={view === name ? "active" : undefined} data-view={name}>
              {t(`panel.${name}`)}
            </a>
          ))}
        </nav>
        <span class={`conn ${status}`} data-connection={status} title={status === "open" ? "" : t(status === "closed" ? "panel.disconnected" : "panel.connecting")} />
      </header>
      {status !== "open" && <p class="banner">{t(status === "closed" ? "panel.disconnected" : "panel.connecting")}</p>}
      {meta.actions.read_only_reason && <p class="banner" data-read-only>{`${t("panel.read_only")}: ${meta.actions.read_only_reason}`}</p>}
      {store.lastError && <p class="banner error">{store.lastError}</p>}
      {view === "cluster" && <ClusterView states={store.states} results={store.results} version={version} meta={meta} t={t} formats={formats} onActions={onActions} />}
      {view === "health" && (
        <HealthView info={info} bridgeState={store.states.get("bridge/state")} schedules={schedulesOf(store.states)} t={t} formats={formats} loadPrivileges={loadPrivileges} />
      )}
      {view === "events" && <EventsView events={store.events} t={t} formats={formats} />}
      {target && <ActionDialog target={actionTarget(target, store.states)} meta={meta} t={t} onSend={send} onClose={() => setTarget(null)} />}
    </>
  );
}

function actionTarget(topic: string, states: ReadonlyMap<string, unknown>): ActionTarget {
  const state = states.get(topic) as State | undefined;
  const kind = topic.startsWith("node/") ? "node" : "guest";
  const node = kind === "node" ? topic.slice("node/".length) : slug(String(state?.node ?? ""));
  const backupStorages: string[] = [];
  for (const [key, value] of states) {
    if (!key.startsWith(`storage/${node}/`) || key.endsWith("/availability")) continue;
    const storage = value as State;
    if (Array.isArray(storage.content) && storage.content.includes("backup") && typeof storage.storage === "string") backupStorages.push(storage.storage);
  }
  const title = kind === "node" ? node : `${String(state?.vmid ?? "")} ${String(state?.name ?? "")}`.trim();
  return { topic, kind, title, state, backupStorages: backupStorages.sort() };
}

render(<App />, document.getElementById("app")!);

/** The schedules' retained states (`schedule/<name>`), by name. */
function schedulesOf(states: ReadonlyMap<string, unknown>): Parameters<typeof HealthView>[0]["schedules"] {
  const schedules: Parameters<typeof HealthView>[0]["schedules"][number][] = [];
  for (const [topic, payload] of states) {
    if (/^schedule\/[a-z0-9_]+$/.test(topic) && typeof payload === "object" && payload !== null) schedules.push(payload as (typeof schedules)[number]);
  }
  return schedules.sort((a, b) => (a.name < b.name ? -1 : 1));
}
