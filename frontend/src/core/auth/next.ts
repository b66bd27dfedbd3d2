// Where to go after signing in: `next` when it is a page of this site, else nowhere.
// Resolved as the browser will resolve it, so "/\evil.example" or "/\t/evil.example"
// (which browsers read as "//evil.example") are recognised as other sites.
export function pageAfterSignIn(next: string | null, origin: string): string | null {
  if (!next?.startsWith("/")) return null;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  return url.origin === origin ? url.pathname + url.search + url.hash : null;
}
