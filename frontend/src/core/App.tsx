import "dayjs/locale/es";
import "dayjs/locale/fr";

import { Center, Loader } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import i18next from "i18next";
import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, RouterProvider } from "react-router";
import { Provider as UrqlProvider } from "urql";

import { pageAfterSignIn } from "./auth/next";
import { signOut } from "./auth/session";
import { SessionContext } from "./auth/sessionContext";
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
  const [leaving, setLeaving] = useState(false);
  const client = useMemo(() => createClient(), [session]);

  const onSignedIn = useCallback(() => {
    const next = new URLSearchParams(window.location.search).get("next");
    const page = pageAfterSignIn(next, window.location.origin);
    if (page) window.location.assign(page);
    else setSession((n) => n + 1);
  }, []);
  // Unmount every page first, so that nothing asks the API once the session is gone.
  const sessionValue = useMemo(
    () => ({
      signOut: async () => {
        setLeaving(true);
        try {
          if (await signOut()) setSession((n) => n + 1);
          else notifications.show({ color: "red", message: i18next.t("layout.signOutFailed") });
        } finally {
          setLeaving(false);
        }
      },
    }),
    [],
  );

  return (
    <UrqlProvider value={client}>
      <DatesProvider settings={{ locale: i18n.language, firstDayOfWeek: 1 }}>
        <SessionContext.Provider value={sessionValue}>
          {leaving ? <Loading /> : <SignedInApp onSignedIn={onSignedIn} />}
        </SessionContext.Provider>
      </DatesProvider>
    </UrqlProvider>
  );
}

function Loading() {
  const { t } = useTranslation();
  return (
    <Center mih="100vh">
      <Loader aria-label={t("layout.loading")} />
    </Center>
  );
}

function SignedInApp({ onSignedIn }: { onSignedIn: () => void }) {
  const [{ data, fetching, error }] = useViewerQuery();
  // One router for the life of the page: a language change re-renders, never remounts.
  const [router] = useState(() =>
    createBrowserRouter([{ element: <AppLayout />, errorElement: <ErrorPage />, children: pageRoutes }]),
  );
  if (fetching && !data) return <Loading />;
  if (error && !data) return <ErrorPage error={error} />;
  if (!data?.me) return <SignInPage onSignedIn={onSignedIn} />;
  return (
    <ViewerProvider me={data.me}>
      <RouterProvider router={router} />
    </ViewerProvider>
  );
}
