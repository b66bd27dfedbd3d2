// Who is reading: the signed-in user, their agency, the time zone they read times in
// (me.timeZone, set with updateMe) and their language. Every view reads it from here.
import { createContext, type ReactNode, useContext, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";

import { graphql } from "../../gql";
import type { ViewerQuery } from "../../gql/graphql";

export const VIEWER = graphql(`
  query Viewer {
    me {
      user { id username displayName }
      agency { id acronym name }
      timeZone
      canCreateOperations
      calendarFeedUrl
    }
  }
`);

export type Me = NonNullable<ViewerQuery["me"]>;

export interface Viewer {
  me: Me;
  /** The viewer's IANA time zone. */
  zone: string;
  /** The language tag to format dates and numbers with. */
  locale: string;
}

const ViewerContext = createContext<Viewer | null>(null);

export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer outside a signed-in page");
  return viewer;
}

/** The viewer query: `me` is null when nobody is signed in. */
export function useViewerQuery() {
  return useQuery({ query: VIEWER });
}

export function ViewerProvider({ me, children }: { me: Me; children: ReactNode }) {
  const { i18n } = useTranslation();
  const value = useMemo(
    () => ({ me, zone: me.timeZone, locale: i18n.language }),
    [me, i18n.language],
  );
  return <ViewerContext.Provider value={value}>{children}</ViewerContext.Provider>;
}
