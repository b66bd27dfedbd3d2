// Every page of the app, by domain. The server answers every one of these paths with the
// app shell (frontend/views.py), so a reload anywhere works. Parts 2 (live board) and 3
// (analysis) add their routes here.
import type { RouteObject } from "react-router";
import { Navigate } from "react-router";

import { OperationCreatePage } from "../operations/views/OperationCreatePage";
import { OperationEditPage } from "../operations/views/OperationEditPage";
import { OperationListPage } from "../operations/views/OperationListPage";
import { OperationOverviewPage } from "../operations/views/OperationOverviewPage";
import { OperationPage } from "../operations/views/OperationPage";
import { ParticipantsPage } from "../operations/views/ParticipantsPage";
import { CalendarPage } from "../timeline/views/CalendarPage";
import { PlannerPage } from "../timeline/views/PlannerPage";
import { TimelinePage } from "../timeline/views/TimelinePage";
import { NotFoundPage } from "./layout/NotFoundPage";

export const pageRoutes: RouteObject[] = [
  { index: true, element: <Navigate to="/operations" replace /> },
  { path: "signin", element: <Navigate to="/operations" replace /> },
  { path: "operations", element: <OperationListPage /> },
  { path: "operations/new", element: <OperationCreatePage /> },
  {
    path: "operations/:operationId",
    element: <OperationPage />,
    children: [
      { index: true, element: <OperationOverviewPage /> },
      { path: "edit", element: <OperationEditPage /> },
      { path: "plan", element: <PlannerPage /> },
      { path: "participants", element: <ParticipantsPage /> },
      { path: "timeline", element: <TimelinePage /> },
      { path: "calendar", element: <CalendarPage /> },
    ],
  },
  { path: "*", element: <NotFoundPage /> },
];
