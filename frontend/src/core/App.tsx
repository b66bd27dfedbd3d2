import "dayjs/locale/es";
import "dayjs/locale/fr";

import { Center, Loader } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { useTranslation } from "react-i18next";
import { useMemo, useState } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";
import { Provider as UrqlProvider } from "urql";

import { signOut } from "./auth/session";
import { SignInPage } from "./auth/SignInPage";
import { useViewerQuery, ViewerProvider } from "./auth/viewer";
import { createClient } from "./client";
import { AppLayout } from "./layout/AppLayout";
import { ErrorPage } from "./layout/ErrorPage";
import { pageRoutes } from "./routes";

/** The app: a fresh GraphQL client (and cache) for each session. */
export function App() {
  const { i18n } = useTranslation();
  const [session, setSession] = useState(0);
  const client = useMemo(() => createClient(), [session]);
  const restart = () => setSession((n) => n + 1);
  return (
    <UrqlProvider value={client}>
      <DatesProvider settings={{ locale: i18n.language, firstDayOfWeek: 1 }}>
      <SignedInApp
        onSignedIn={() => {
          const next = new URLSearchParams(window.location.search).get("next");
          if (next?.startsWith("/") && !next.startsWith("//")) window.location.assign(next);
          else restart();
        }}
        onSignOut={async () => {
          await signOut();
          restart();
        }}
      />
      </DatesProvider>
    </UrqlProvider>
  );
}

function SignedInApp({ onSignedIn, onSignOut }: { onSignedIn: () => void; onSignOut: () => void }) {
  const [{ data, fetching, error }] = useViewerQuery();
  const router = useMemo(
    () =>
      createBrowserRouter([
        {
          element: <AppLayout onSignOut={onSignOut} />,
          errorElement: <ErrorPage />,
          children: pageRoutes,
        },
      ]),
    [onSignOut],
  );
  if (fetching && !data) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (error && !data) return <ErrorPage error={error} />;
  if (!data?.me) return <SignInPage onSignedIn={onSignedIn} />;
  return (
    <ViewerProvider me={data.me}>
      <RouterProvider router={router} />
    </ViewerProvider>
  );
}
