// Signing in and out goes through Django's own views (/accounts/login/, /accounts/logout/),
// which set and clear the session cookie; the app only posts the form.
import { csrfToken } from "../client";

export type SignInResult = "signed-in" | "wrong-credentials" | "throttled" | "csrf" | "network";

export async function signIn(username: string, password: string): Promise<SignInResult> {
  const body = new URLSearchParams({ username, password });
  try {
    const response = await fetch("/accounts/login/", {
      method: "POST",
      body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() },
    });
    if (response.type === "opaqueredirect" || response.status === 302) return "signed-in";
    if (response.status === 429) return "throttled";
    if (response.status === 403) return "csrf"; // the CSRF check: no cookie, or a stale one
    return "wrong-credentials";
  } catch {
    return "network";
  }
}

/** Whether the server ended the session (false: refused, or not reached). */
export async function signOut(): Promise<boolean> {
  try {
    const response = await fetch("/accounts/logout/", {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() },
    });
    return response.type === "opaqueredirect" || response.ok;
  } catch {
    return false;
  }
}
