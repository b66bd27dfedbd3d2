import { createContext, useContext } from "react";

/** What a signed-in page may do with the session: sign out. */
export interface Session {
  signOut: () => void;
}

export const SessionContext = createContext<Session>({ signOut: () => {} });

export function useSession(): Session {
  return useContext(SessionContext);
}
