// Timeline entries as the API gives them, for the tests.
import type { Entry } from "./entry";

const WCO = { __typename: "Agency" as const, id: "QWdlbmN5OjE=", acronym: "WCO", name: "World Customs Organization" };
const CR = { __typename: "Agency" as const, id: "QWdlbmN5OjU=", acronym: "CR-CUSTOMS", name: "Dirección General de Aduanas" };

function entry(fields: Partial<Entry> & Pick<Entry, "at" | "kind" | "summary">): Entry {
  return { actor: null, status: null, participationState: null, agency: null, node: null, ...fields } as Entry;
}

export const PHASE = entry({
  at: "2027-03-04T06:00:00+00:00",
  kind: "PHASE",
  summary: "Operational phase begins",
  node: {
    __typename: "TimeWindow",
    id: "VGltZVdpbmRvdzox",
    kind: "OPERATIONAL",
    endsAt: "2027-03-18T06:00:00+00:00",
    locationCode: null,
    locationName: null,
    latitude: null,
    longitude: null,
    participation: null,
  },
});

export const CONTROL_WINDOW = entry({
  at: "2027-03-05T12:00:00+00:00",
  kind: "CONTROL_WINDOW",
  summary: "Control window of CR-CUSTOMS at MROC",
  agency: CR,
  node: {
    __typename: "TimeWindow",
    id: "VGltZVdpbmRvdzoy",
    kind: "CONTROL",
    endsAt: "2027-03-06T00:00:00+00:00",
    locationCode: "MROC",
    locationName: "Juan Santamaría International Airport",
    latitude: null,
    longitude: null,
    participation: { id: "UGFydGljaXBhdGlvbjox", agency: CR },
  },
});

export const AIRSTRIP = entry({
  ...CONTROL_WINDOW,
  node: {
    ...(CONTROL_WINDOW.node as object),
    id: "VGltZVdpbmRvdzoz",
    locationCode: null,
    locationName: null,
    latitude: 11.0336,
    longitude: -84.7098,
  } as Entry["node"],
});

export const CREATED = entry({
  at: "2027-02-01T09:00:00+00:00",
  kind: "STATUS_CHANGE",
  summary: "Operation created",
  actor: "Amina Diallo",
  agency: WCO,
  status: "DRAFT",
  node: { __typename: "Operation", id: "T3BlcmF0aW9uOjE=" },
});

export const ACTIVATED = entry({
  ...CREATED,
  at: "2027-03-04T07:00:00+00:00",
  summary: "Status: active",
  status: "ACTIVE",
});

export const INVITED = entry({
  at: "2027-02-02T09:00:00+00:00",
  kind: "PARTICIPATION_CHANGE",
  summary: "CR-CUSTOMS invited",
  actor: "Amina Diallo",
  agency: WCO,
  participationState: "INVITED",
  node: { __typename: "Participation", id: "UGFydGljaXBhdGlvbjox", role: "PARTICIPANT", agency: CR },
});

export const ACCEPTED = entry({
  ...INVITED,
  at: "2027-02-03T09:00:00+00:00",
  summary: "CR-CUSTOMS accepted",
  actor: "Daniela Quesada",
  agency: CR,
  participationState: "ACCEPTED",
});

export const HIT = entry({
  at: "2027-03-05T14:15:00+00:00",
  kind: "HIT",
  summary: "Seizure #12: 120.5 kg Cocaine (hydrochloride) at MROC",
  actor: "CR-CUSTOMS",
  agency: CR,
  node: {
    __typename: "Hit",
    id: "SGl0OjEy",
    sequence: 12,
    hitKind: "SEIZURE",
    hitStatus: "CONFIRMED",
    country: "CR",
    place: "Juan Santamaría International Airport",
    hitLocationCode: "MROC",
    items: [
      { commodity: "COCAINE", quantity: "120.500", unit: "KILOGRAM" },
      { commodity: "MDMA", quantity: "1", unit: "TABLET" },
    ],
  },
});
