// Which answers an agency's officer is offered for its participation. The server says
// which are possible (Participation.viewerResponses); the page only chooses the buttons.
import type { InvitationResponse } from "../gql/graphql";

/** Accept or decline while invited; otherwise what remains (withdraw). */
export function answersToOffer(responses: readonly InvitationResponse[]): InvitationResponse[] {
  const invited = responses.filter((r) => r === "ACCEPT" || r === "DECLINE");
  return invited.length ? invited : [...responses];
}
