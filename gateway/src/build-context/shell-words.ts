import { BuildContextError } from "./errors.js";

/**
 * The word rules BuildKit applies to the arguments of ENV, ARG, WORKDIR, COPY, USER and EXPOSE: unquoted
 * whitespace separates words; `'...'` is literal; inside `"..."` a backslash escapes `"`, `\` and `$`; outside
 * quotes a backslash escapes any character. Quotes are removed.
 *
 * BuildKit also expands `$NAME` / `${NAME}` from earlier ARG and ENV values. We do not: an unescaped `$`
 * outside single quotes is refused, so a value is never silently left unexpanded.
 */
export function splitWords(text: string): string[] {
  return lex(text, true);
}

/** The same rules applied to `text` as one word, keeping its unquoted whitespace (legacy `ENV NAME value`). */
export function unquote(text: string): string {
  return lex(text, false).join("");
}

function lex(text: string, split: boolean): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;

  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (char === "\\" && i + 1 < text.length) {
      const next = text[i + 1] as string;
      if (quote === '"' && !['"', "\\", "$"].includes(next)) {
        word += char;
        continue;
      }
      word += next;
      inWord = true;
      i += 1;
      continue;
    }
    if (char === "$") {
      throw new BuildContextError(`"${text}" uses $ variable expansion, which the native build does not support`);
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else word += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (split && /\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new BuildContextError(`"${text}" has an unterminated ${quote} quote`);
  if (inWord || (!split && word !== "")) words.push(word);
  return words;
}
