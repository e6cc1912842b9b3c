import { describe, expect, it } from "vitest";
import { toWinAnsi } from "./win-ansi.js";

describe("toWinAnsi", () => {
  it.each([
    { case: "ASCII stays", input: "Flat white #2", expected: "Flat white #2" },
    { case: "Latin-1 letters stay", input: "Zoë Crème brûlée", expected: "Zoë Crème brûlée" },
    { case: "WinAnsi's extras stay", input: "€ – “Œuvre” ™", expected: "€ – “Œuvre” ™" },
    { case: "decomposed accents are composed first", input: "Zoe\u0308", expected: "Zoë" },
    { case: "compatibility forms fall back to plain letters", input: "ﬁne ș", expected: "fine s" },
    { case: "any space becomes a plain space", input: "9:15\u202fAM\u2009x", expected: "9:15 AM x" },
    { case: "the minus sign becomes a hyphen", input: "\u22125", expected: "-5" },
    { case: "what cannot be shown becomes ?", input: "Łukasz 李 🙂", expected: "?ukasz ? ?" },
    { case: "a lone surrogate becomes ?", input: "a\ud800b", expected: "a?b" },
  ])("$case", ({ input, expected }) => {
    expect(toWinAnsi(input)).toBe(expected);
  });
});
