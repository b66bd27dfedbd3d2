// Copying a feed address: the Clipboard API where the page may use it (HTTPS, or the
// local machine), else the older copy command on the selected text.
export async function copyText(text: string, field?: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection
  }
  if (!field) return false;
  field.focus();
  field.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

/** The same feed for calendar applications that open webcal: links. */
export function webcalUrl(url: string): string {
  return url.replace(/^https?:/, "webcal:");
}
