/**
 * Code-unit order for ids. Lists are sorted in the function rather than by ORDER BY: PostgreSQL orders text
 * by the database's locale collation and SQLite by bytes; our ids are ASCII (see schemas.ts), so code-unit
 * order is byte order and both databases answer alike. It is also the row-lock order of a reservation.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
