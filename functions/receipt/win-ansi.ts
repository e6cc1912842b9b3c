/**
 * pdfkit's standard fonts (Helvetica, no embedded font files) can only show WinAnsi (Windows-1252) characters;
 * anything else would come out as garbage glyphs. So every text goes through here: kept when WinAnsi has it,
 * else its compatibility form without accents when WinAnsi has that ("ﬁ" → "fi", "ș" → "s"), spaces of
 * any kind (ICU puts U+202F in some formatted dates and amounts) become a plain space, the rest becomes "?".
 */
const WIN_ANSI_EXTRAS = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

function isWinAnsi(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char);
}

export function toWinAnsi(text: string): string {
  let out = "";
  for (const char of text.normalize("NFC")) {
    if (isWinAnsi(char)) out += char;
    else if (/\s/u.test(char)) out += " ";
    else out += fallback(char);
  }
  return out;
}

function fallback(char: string): string {
  if (char === "\u2212") return "-";
  const decomposed = char.normalize("NFKD").replace(/\p{M}/gu, "");
  return decomposed !== "" && [...decomposed].every(isWinAnsi) ? decomposed : "?";
}
