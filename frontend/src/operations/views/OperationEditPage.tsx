// Placeholder laid down with the app's frame; built in its own change.
export function OperationEditPage() {
  return null;
}
