/** A port another program holds: the message names it and the variable that moves it. */
export class PortInUseError extends Error {
  override name = "PortInUseError";
  constructor(
    readonly port: number,
    readonly variable: string,
    hint = "",
  ) {
    super(
      `port ${port} is already in use: stop what holds it, or move coffee-edge with ${variable}` +
        ` (e.g. ${variable}=${port + 1} npm start)${hint ? `; ${hint}` : ""}`,
    );
  }
}

export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE";
}
