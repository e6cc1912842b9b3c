import { inflateSync } from "node:zlib";

// Test support: reads back the text pdfkit wrote, so tests check what a reader of the receipt would see.
// pdfkit writes standard-font text as hex strings in TJ arrays (`[<48656c6c6f> 20 <21>] TJ`), WinAnsi-encoded,
// inside content streams that are deflated unless the document was made with `compress: false`.

// WinAnsi is Latin-1 but for 0x80–0x9F. Node's TextDecoder("windows-1252") decodes those as Latin-1 C1 controls,
// so this table says what they are (the five holes of the code page map to U+FFFD).
const WIN_ANSI_80_9F = "€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ";

function decodeWinAnsi(bytes: Buffer): string {
  let text = "";
  for (const byte of bytes) {
    text += byte >= 0x80 && byte <= 0x9f ? WIN_ANSI_80_9F[byte - 0x80] : String.fromCharCode(byte);
  }
  return text;
}

/** Every text run of every page, in drawing order, one string per TJ operator. */
export function pdfTextRuns(pdf: Buffer): string[] {
  const latin1 = pdf.toString("latin1");
  const runs: string[] = [];
  for (const match of latin1.matchAll(/\/Length (\d+)\n([^>]*)>>\nstream\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const raw = pdf.subarray(start, start + Number(match[1]));
    const content = (match[2] ?? "").includes("/FlateDecode") ? inflateSync(raw) : raw;
    for (const operator of content.toString("latin1").matchAll(/\[([^\]]*)\] TJ/g)) {
      const hex = [...(operator[1] ?? "").matchAll(/<([0-9a-f]*)>/gi)].map((piece) => piece[1]).join("");
      runs.push(decodeWinAnsi(Buffer.from(hex, "hex")));
    }
  }
  return runs;
}

/** The document's text as one string, runs separated by newlines. */
export function pdfText(pdf: Buffer): string {
  return pdfTextRuns(pdf).join("\n");
}

/** A date of the document information dictionary, e.g. `infoDate(pdf, "CreationDate")` → `D:20250314081502Z`. */
export function infoDate(pdf: Buffer, key: "CreationDate" | "ModDate"): string | undefined {
  const latin1 = pdf.toString("latin1");
  const reference = new RegExp(`/${key} (\\d+) 0 R`).exec(latin1)?.[1];
  if (reference === undefined) return undefined;
  return new RegExp(`\\n${reference} 0 obj\\n\\((D:[0-9Z+'-]+)\\)`).exec(latin1)?.[1];
}
