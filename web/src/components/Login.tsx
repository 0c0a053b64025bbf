import { useState } from "preact/hooks";
import type { Texts } from "../types.js";

/** Asked when the bridge has http.token set and the page's token is missing or wrong. */
export function Login({ t, wrong, onToken }: { t: Texts; wrong: boolean; onToken: (token: string) => void }) {
  const [token, setToken] = useState("");
  return (
    <main class="login">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <h2>{t("panel.login_title")}</h2>
        <p class="muted">{t("panel.login_hint")}</p>
        {wrong && <p class="error">{t("panel.wrong_token")}</p>}
        <label>
          {t("panel.token")}
          <input type="password" name="token" autocomplete="current-password" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        </label>
        <button type="submit">{t("panel.login")}</button>
      </form>
    </main>
  );
}
