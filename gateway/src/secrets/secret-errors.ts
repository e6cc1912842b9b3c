/** A name that is not a Kubernetes secret name. The message never repeats the name (it could be a pasted value). */
export class SecretNameError extends Error {
  override name = "SecretNameError";
  constructor() {
    super("A secret name is lowercase letters, digits, '-' and '.', starts and ends with a letter or digit, ≤ 253.");
  }
}

/** A name the gateway keeps for itself (RESERVED_SECRET_NAMES): not listed, changed, removed or mounted. */
export class ReservedSecretError extends Error {
  override name = "ReservedSecretError";
  constructor(readonly secretName: string) {
    super(`The secret '${secretName}' belongs to the gateway and cannot be used through the secrets API.`);
  }
}
