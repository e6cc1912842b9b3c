/**
 * SQLite binds anonymous `?` by position; our SQL is written with PostgreSQL's `$n`, which may repeat.
 * Rewrites the SQL once and returns the order in which to pick the caller's parameters.
 * Our statements keep no `$` inside string literals, so a plain scan is enough.
 */
export function toPositional(sql: string): { sql: string; order: number[] } {
  const order: number[] = [];
  const rewritten = sql.replace(/\$(\d+)/g, (_match, index: string) => {
    order.push(Number(index) - 1);
    return "?";
  });
  return { sql: rewritten, order };
}
