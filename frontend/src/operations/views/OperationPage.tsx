// Placeholder laid down with the app's frame; built in its own change.
import { Outlet } from "react-router";

export function OperationPage() {
  return <Outlet />;
}
