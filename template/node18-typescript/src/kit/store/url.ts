import { ConfigError } from "../../config.js";

export type DatabaseTarget =
  | { readonly dialect: "sqlite"; readonly filename: string }
  | { readonly dialect: "postgres"; readonly connectionString: string };

/**
 * Reads `DATABASE_URL`: `sqlite:PATH` (relative to the working directory), `sqlite:///ABSOLUTE/PATH`,
 * `sqlite::memory:`, or `postgres://…` / `postgresql://…`. Errors name the variable, never the password.
 */
export function parseDatabaseUrl(url: string, variable = "DATABASE_URL"): DatabaseTarget {
  const text = url.trim();
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new ConfigError(variable, "is not a valid postgres:// URL");
    }
    return { dialect: "postgres", connectionString: text };
  }
  if (/^sqlite:/i.test(text)) {
    let filename = text.slice("sqlite:".length);
    if (filename.startsWith("//")) filename = filename.slice(2);
    if (filename === "") throw new ConfigError(variable, "sqlite: needs a file path, e.g. sqlite:data/state.db");
    return { dialect: "sqlite", filename };
  }
  throw new ConfigError(variable, "expected a sqlite: or postgres:// URL");
}

/** The URL with any password replaced by `***`, for logs and errors. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@");
}
