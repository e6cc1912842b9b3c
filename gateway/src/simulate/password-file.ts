import { readFile } from "node:fs/promises";
import { SimulateOptionError } from "./options.js";

/**
 * The MQTT password from `--password-file`: the file's text without its final line break (editors and
 * `echo` add one). Errors name the option and the file, never the content.
 */
export async function readPasswordFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new SimulateOptionError("--password-file", `cannot read ${file} (${code})`);
  }
  const password = text.replace(/\r?\n$/, "");
  if (password === "") throw new SimulateOptionError("--password-file", `${file} is empty`);
  return password;
}
