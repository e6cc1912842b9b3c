import { Transform, type TransformCallback } from "node:stream";

/** A packet larger than the broker accepts: the connection is closed before the packet is read into memory. */
export class PacketTooLargeError extends Error {
  override name = "PacketTooLargeError";
}

/**
 * Watches the MQTT fixed headers of a client's byte stream (MQTT 3.1.1 §2.2: one type byte, then the remaining
 * length as a 1–4 byte varint) and fails the stream as soon as a packet announces more than `maxBytes`. aedes 1.x
 * has no packet-size limit of its own, and without one a client could make it buffer a 256 MB packet.
 */
export function frameGuard(maxBytes: number): Transform {
  // What is still to skip of the current packet's body; then the header being read.
  let bodyLeft = 0;
  let header: number[] = [];
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let at = 0;
      while (at < chunk.length) {
        if (bodyLeft > 0) {
          const skip = Math.min(bodyLeft, chunk.length - at);
          bodyLeft -= skip;
          at += skip;
          continue;
        }
        header.push(chunk[at] as number);
        at += 1;
        if (header.length === 1) continue; // the type byte
        const last = header[header.length - 1] as number;
        if ((last & 0x80) !== 0) {
          if (header.length > 5) return callback(new PacketTooLargeError("malformed remaining length"));
          continue;
        }
        let length = 0;
        for (let i = header.length - 1; i >= 1; i--) length = length * 128 + ((header[i] as number) & 0x7f);
        const total = header.length + length;
        header = [];
        if (total > maxBytes)
          return callback(new PacketTooLargeError(`a ${total}-byte packet, over the ${maxBytes}-byte limit`));
        bodyLeft = length;
      }
      callback(null, chunk);
    },
  });
}
