/**
 * Formats a non-negative amount in minor units (cents, yen, fils…) for `currency`, exactly: the integer part goes
 * through Intl.NumberFormat as a BigInt and the fraction is the remainder itself, so no binary fraction can round
 * a cent away. The number of minor digits is the currency's own (2 for EUR, 0 for JPY, 3 for KWD).
 */
export function createMoneyFormatter(locale: string, currency: string): (minorUnits: number) => string {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10n ** BigInt(digits);
  return (minorUnits) => {
    const minor = BigInt(minorUnits);
    if (minor < 0n) throw new RangeError("amounts on a receipt are never negative");
    const fraction = (minor % scale).toString().padStart(digits, "0");
    const parts = format.formatToParts(minor / scale);
    return parts.map((part) => (part.type === "fraction" ? fraction : part.value)).join("");
  };
}
