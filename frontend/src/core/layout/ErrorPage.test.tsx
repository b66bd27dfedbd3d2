import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { renderWithApp } from "../../test/app";
import { ErrorPage } from "./ErrorPage";

describe("ErrorPage", () => {
  it.each([
    [{ graphQLErrors: [{ extensions: { code: "NOT_AUTHENTICATED" } }] }, "Your session has ended. Sign in again."],
    [{ graphQLErrors: [{ extensions: { code: "SERVICE_BUSY" } }] }, "The service is busy: try again in a moment."],
    [{ networkError: new Error("offline"), graphQLErrors: [] }, "The server cannot be reached"],
    [{ graphQLErrors: [{ extensions: { code: "NO_SUCH_CODE" } }] }, "Something went wrong on our side"],
  ])("says why the page failed: %j", (error, why) => {
    renderWithApp(<ErrorPage error={error} />);

    expect(screen.getByRole("alert").textContent).toContain(why);
  });
});
