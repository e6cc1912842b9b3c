import { ProblemError, type QueryValue } from "@coffee-edge/node18-typescript";
import { describe, expect, it } from "vitest";
import { parseOutputOptions } from "./output-options.js";

describe("parseOutputOptions", () => {
  it.each<{ case: string; query: Record<string, QueryValue>; expected: object }>([
    { case: "no parameters: a JPEG of the same size", query: {}, expected: { format: "jpeg" } },
    { case: "format=png", query: { format: "png" }, expected: { format: "png" } },
    { case: "format=jpeg", query: { format: "jpeg" }, expected: { format: "jpeg" } },
    { case: "width=1", query: { width: "1" }, expected: { format: "jpeg", width: 1 } },
    {
      case: "width=4096 with format=png",
      query: { width: "4096", format: "png" },
      expected: { format: "png", width: 4096 },
    },
  ])("reads $case", ({ query, expected }) => {
    expect(parseOutputOptions(query)).toEqual(expected);
  });

  it.each<{ case: string; query: Record<string, QueryValue>; parameter: string }>([
    { case: "an unknown format", query: { format: "gif" }, parameter: "format" },
    { case: "an upper-case format", query: { format: "PNG" }, parameter: "format" },
    { case: "an empty format", query: { format: "" }, parameter: "format" },
    { case: "width=0", query: { width: "0" }, parameter: "width" },
    { case: "a width past 4096", query: { width: "4097" }, parameter: "width" },
    { case: "a fractional width", query: { width: "100.5" }, parameter: "width" },
    { case: "a negative width", query: { width: "-100" }, parameter: "width" },
    { case: "a width with a unit", query: { width: "100px" }, parameter: "width" },
    { case: "a width in exponent notation", query: { width: "1e3" }, parameter: "width" },
    { case: "a zero-padded width", query: { width: "0100" }, parameter: "width" },
    { case: "an empty width", query: { width: "" }, parameter: "width" },
    { case: "a repeated width", query: { width: ["100", "200"] }, parameter: "width" },
    { case: "an unknown parameter", query: { widht: "100" }, parameter: "widht" },
  ])("refuses $case with 400 invalid-query naming the parameter", ({ query, parameter }) => {
    let caught: unknown;
    try {
      parseOutputOptions(query);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProblemError);
    const problem = caught as ProblemError;
    expect(problem.status).toBe(400);
    expect(problem.type).toBe("https://coffee-edge.dev/problems/invalid-query");
    expect(problem.extensions.errors).toEqual([expect.objectContaining({ parameter })]);
  });

  it("lists every bad parameter at once", () => {
    expect(() => parseOutputOptions({ format: "bmp", width: "huge" })).toThrow(
      expect.objectContaining({
        extensions: {
          errors: [expect.objectContaining({ parameter: "format" }), expect.objectContaining({ parameter: "width" })],
        },
      }),
    );
  });
});
