// What the operation page's frame read, shared with its sub-pages (overview, plan,
// participants, timeline, calendar) through the router's outlet context.
import { useOutletContext } from "react-router";

import type { OperationFrameQuery } from "../gql/graphql";

export type FramedOperation = NonNullable<OperationFrameQuery["operation"]>;

export interface OperationFrameContext {
  operation: FramedOperation;
}

/** The operation the current page is about (inside OperationPage only). */
export function useFramedOperation(): FramedOperation {
  return useOutletContext<OperationFrameContext>().operation;
}
