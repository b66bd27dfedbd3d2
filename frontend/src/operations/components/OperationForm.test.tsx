import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { renderWithApp } from "../../test/app";
import { OperationForm, type OperationFormValues } from "./OperationForm";

const FILLED: OperationFormValues = {
  code: "COLIBRI-2027",
  name: "Colibri",
  description: "Private aircraft",
  focus: "GENERAL_AVIATION",
  timeZone: "Europe/Brussels",
  plannedStart: "2027-03-01T07:00:00.000Z",
  plannedEnd: "2027-03-31T06:00:00.000Z",
  defaultMarking: "AMBER",
  acceptLateReports: false,
  coordinators: [],
  analysts: [],
};

/** The message a field is described with (Mantine ties its error to the input). */
function errorOf(input: HTMLElement): string {
  return (input.getAttribute("aria-describedby") ?? "")
    .split(/\s+/)
    .map((id) => document.getElementById(id)?.textContent ?? "")
    .join(" ");
}

function valueOf(name: RegExp): string {
  return (screen.getByRole("textbox", { name }) as HTMLInputElement).value;
}

function renderForm(initial: OperationFormValues, onSubmit = vi.fn()) {
  renderWithApp(
    <OperationForm
      mode="create"
      initial={initial}
      submitLabel="Create operation"
      cancelTo="/operations"
      onSubmit={onSubmit}
    />,
  );
  return onSubmit;
}

describe("the operation form", () => {
  it("says what is missing, on each field, before sending anything", async () => {
    const onSubmit = renderForm({ ...FILLED, code: "", name: "  ", plannedEnd: null });

    await userEvent.click(screen.getByRole("button", { name: "Create operation" }));

    expect(onSubmit).not.toHaveBeenCalled();
    expect(errorOf(screen.getByRole("textbox", { name: /^Code/ }))).toContain("Required.");
    expect(errorOf(screen.getByRole("textbox", { name: /^Name/ }))).toContain("Required.");
    expect(screen.getByRole("alert").textContent).toContain("see the fields marked in red");
  });

  it("shows the server's refusal on its field and keeps what was typed", async () => {
    const onSubmit = renderForm(
      FILLED,
      vi.fn().mockResolvedValue({
        fields: { code: "One of your operations already has this code." },
        general: [],
      }),
    );
    fireEvent.change(screen.getByRole("textbox", { name: /^Name/ }), {
      target: { value: "Colibri Sky" },
    });

    await userEvent.click(screen.getByRole("button", { name: "Create operation" }));

    await waitFor(() =>
      expect(errorOf(screen.getByRole("textbox", { name: /^Code/ }))).toContain(
        "One of your operations already has this code.",
      ),
    );
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ name: "Colibri Sky" }));
    expect(valueOf(/^Name/)).toBe("Colibri Sky");
    expect(valueOf(/^Code/)).toBe("COLIBRI-2027");
  });

  it("says a network failure for the whole form and keeps what was typed", async () => {
    renderForm(
      FILLED,
      vi.fn().mockResolvedValue({
        fields: {},
        general: [
          "The server cannot be reached: nothing was sent. What you typed is kept; try again.",
        ],
      }),
    );

    await userEvent.click(screen.getByRole("button", { name: "Create operation" }));

    expect((await screen.findByRole("alert")).textContent).toContain(
      "The server cannot be reached",
    );
    expect(valueOf(/^Description/)).toBe("Private aircraft");
  });

  it("types the code in capitals", async () => {
    const onSubmit = renderForm({ ...FILLED, code: "" }, vi.fn().mockResolvedValue(null));

    fireEvent.change(screen.getByRole("textbox", { name: /^Code/ }), {
      target: { value: "op-sky" },
    });
    await userEvent.click(screen.getByRole("button", { name: "Create operation" }));

    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ code: "OP-SKY" }));
  });
});
