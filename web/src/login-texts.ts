/** The login form's texts: shown before /api/meta (which needs the token) can give the configured language's. */
const LOGIN_TEXTS: Record<string, Record<string, string>> = {
  en: {
    "panel.login_title": "This panel needs its token",
    "panel.login_hint": "The token is http.token in the bridge's configuration.",
    "panel.token": "Token",
    "panel.login": "Open",
    "panel.wrong_token": "Wrong or missing token",
  },
  fr: {
    "panel.login_title": "Ce panneau demande son jeton",
    "panel.login_hint": "Le jeton est http.token dans la configuration du pont.",
    "panel.token": "Jeton",
    "panel.login": "Ouvrir",
    "panel.wrong_token": "Jeton erroné ou absent",
  },
  de: {
    "panel.login_title": "Dieses Panel braucht sein Token",
    "panel.login_hint": "Das Token ist http.token in der Konfiguration der Bridge.",
    "panel.token": "Token",
    "panel.login": "Öffnen",
    "panel.wrong_token": "Falsches oder fehlendes Token",
  },
};

export function loginTexts(language: string): Record<string, string> {
  return LOGIN_TEXTS[language.slice(0, 2)] ?? LOGIN_TEXTS.en!;
}
