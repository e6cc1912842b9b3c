/**
 * The names the users file accepts. A username shows up in log lines and in `user list`, so it is kept to a
 * plain, printable set; a store id becomes a topic level (`store/{storeId}/…`), so it must be one that can
 * never carry a wildcard, a separator or a `$`.
 */
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const STORE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const USERNAME_RULE = "1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit";
export const STORE_ID_RULE = "1-64 characters of a-z 0-9 -, starting with a letter or digit (e.g. store042)";

export function isValidUsername(value: string): boolean {
  return USERNAME_PATTERN.test(value);
}

export function isValidStoreId(value: string): boolean {
  return STORE_ID_PATTERN.test(value);
}
