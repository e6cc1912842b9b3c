// aedes-persistence-level ships no types: it takes a level database and returns an aedes persistence.
declare module "aedes-persistence-level" {
  import type { AedesOptions } from "aedes";
  export default function aedesPersistenceLevel(db: unknown): NonNullable<AedesOptions["persistence"]>;
}
