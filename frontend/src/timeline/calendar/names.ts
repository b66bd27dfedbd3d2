export const NAMESPACE = "timeline.calendar";
