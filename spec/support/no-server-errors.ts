import { afterEach, expect } from "vitest";
import { serverErrors } from "./app.js";

/**
 * Registers, in the enclosing `describe`, an `afterEach` that fails the test after which the app
 * has answered a 5xx, then empties the list. Checked after every test rather than in a last
 * `it("never answered with a 5xx")`, which checks nothing unless it runs after the others (not
 * under `-t`). A test that provokes a 5xx on purpose empties the list itself
 * (`serverErrors.splice(0)`).
 *
 * @param errors where the app records the error behind each 5xx: `serverErrors` of `buildApp`
 *   unless the spec builds its own app.
 */
export function expectNoServerErrorsAfterEach(errors: Error[] = serverErrors): void {
  afterEach(() => {
    expect(errors.splice(0), "the fallback error handler answered a 5xx").toEqual([]);
  });
}
