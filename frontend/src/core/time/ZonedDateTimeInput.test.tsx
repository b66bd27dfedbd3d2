import { fireEvent, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { COORDINATOR, renderWithApp } from "../../test/app";
import { ZonedDateTimeInput } from "./ZonedDateTimeInput";

function Field({ initial, onValue }: { initial: string | null; onValue: (v: string | null) => void }) {
  const [value, setValue] = useState(initial);
  return (
    <ZonedDateTimeInput
      label="Start"
      zone="Europe/Brussels"
      value={value}
      onChange={(next) => {
        setValue(next);
        onValue(next);
      }}
    />
  );
}

describe("ZonedDateTimeInput", () => {
  it("shows an instant as the wall time of the zone, and the viewer's time alongside", () => {
    renderWithApp(<Field initial="2027-03-01T07:00:00Z" onValue={() => {}} />, {
      me: { ...COORDINATOR, timeZone: "America/Costa_Rica" },
    });

    expect(screen.getByLabelText("Start (time)")).toHaveProperty("value", "08:00");
    expect(screen.getByText(/Your time: .*01:00/)).toBeTruthy();
  });

  it("gives the instant a typed time names in the zone, across a change of the clocks", () => {
    const given: (string | null)[] = [];
    renderWithApp(<Field initial="2027-03-27T11:00:00Z" onValue={(v) => given.push(v)} />);

    const date = screen.getByLabelText("Start (date)");
    fireEvent.change(date, { target: { value: "2027-03-28" } });
    fireEvent.blur(date);
    fireEvent.change(screen.getByLabelText("Start (time)"), { target: { value: "12:00" } });

    expect(given.at(-1)).toBe("2027-03-28T10:00:00.000Z");
  });

  it("tells a time that never happened", () => {
    const given: (string | null)[] = [];
    renderWithApp(<Field initial={null} onValue={(v) => given.push(v)} />);

    const date = screen.getByLabelText("Start (date)");
    fireEvent.change(date, { target: { value: "2027-03-28" } });
    fireEvent.blur(date);
    fireEvent.change(screen.getByLabelText("Start (time)"), { target: { value: "02:30" } });

    expect(given.at(-1)).toBe("2027-03-28T01:30:00.000Z");
    expect(screen.getByText(/does not exist/)).toBeTruthy();
  });
});
