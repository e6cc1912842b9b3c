/** What the bridge logs through; the broker passes its own logger. Lines never carry payloads or passwords. */
export interface BridgeLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}
