import { accessSync, constants } from "node:fs";

/** True when `binary` exists and may be run: how a test finds a system piece (Mosquitto, Chromium) it needs. */
export function isExecutable(binary: string): boolean {
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
