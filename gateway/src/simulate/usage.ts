import { DEFAULTS } from "./options.js";

/** The `--help` text; also printed after a usage error. */
export const SIMULATE_USAGE = `Usage: coffee-edge simulate [options]      (npm run simulate -- [options])

Simulates the sensors of coffee shops: every store's fridges publish temperatures and its espresso machines
publish shots to the MQTT broker, on the topics the functions listen to:
  store/{storeId}/fridge/{fridgeId}/temp      {"temp": 4.1, "unit": "C", "ts": "…"}  (or a bare number)
  store/{storeId}/espresso/{machineId}/shot   {"id": "…", "shots": 1, "ts": "…"}     (or a bare integer)
Now and then a fridge turns warm (a sustained breach, sometimes critical, then recovery), a shot event is
published twice with the same id, and a malformed message is sent, so every path of the system shows.

Options:
  --stores N            stores to simulate, store001…  (default ${DEFAULTS.stores}, at most 999)
  --rate R              messages per second for the whole simulation (default ${DEFAULTS.rate})
  --fridges N           fridges per store (default ${DEFAULTS.fridges}); every third fridge reports in °F
  --machines N          espresso machines per store (default ${DEFAULTS.machines})
  --broker URL          MQTT broker (default mqtt://127.0.0.1:$MQTT_PORT, MQTT_PORT defaulting to 1883)
  --credentials DIR     one connection per store, as user sensor-<store> with its password in DIR/sensor-<store>
                        (default after npm start: DATA_DIR/secrets/mqtt, where it keeps the sensors' passwords)
  --username NAME       MQTT username
  --password-file PATH  file holding the MQTT password (never printed)
  --duration D          stop after D, e.g. 30s, 5m, 1h30m (default: run until Ctrl-C)
  --count N             stop after N messages
  --seed N              seed (0…4294967295) of the randomness, to replay a run exactly (default: random, printed)
  --warm-every N        a warm fridge episode starts at message N, then N messages after the previous one
                        ended; 0 never (default ${DEFAULTS.warmEvery})
  --warm-duration D     how long a warm fridge stays above 5 °C, by its readings' timestamps; keep it above the
                        fridge function's SUSTAIN_SECONDS (default ${DEFAULTS.warmDuration}, SUSTAIN_SECONDS defaults to 300)
  --duplicate-every N   every Nth message re-publishes the last shot event, same id; 0 never (default ${DEFAULTS.duplicateEvery})
  --malformed-every N   every Nth message is malformed: bad JSON, an out-of-range value or a wrong type;
                        0 never (default ${DEFAULTS.malformedEvery}); it wins when both fall on one message
  --qos Q               0 or 1 (default ${DEFAULTS.qos})
  -h, --help            show this help

Messages are spread evenly over time; timestamps are the time of sending. A summary line is printed about
every 10 s and at the end. Exit codes: 0 done, 1 broker unreachable or messages lost, 2 bad options.
`;
