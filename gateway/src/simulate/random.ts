/** The randomness a simulation draws from; seeded, so a run can be replayed exactly. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** A whole number in [0, count). */
  index(count: number): number;
  /** True with probability `probability`. */
  chance(probability: number): boolean;
  /** `length` lowercase hex digits. */
  hex(length: number): string;
}

/**
 * A small, fast PRNG: a Weyl sequence (adding the golden-ratio constant) passed through a 32-bit integer
 * finaliser that spreads every input bit over the output. Not for secrets, only for a reproducible story;
 * `Math.random` cannot be seeded, which is why it is not used.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x9e37_79b9) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85eb_ca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2_ae35);
    return (mixed ^ (mixed >>> 16)) >>> 0;
  };
  const next = (): number => nextUint32() / 0x1_0000_0000;
  return {
    next,
    between: (min, max) => min + next() * (max - min),
    index: (count) => Math.floor(next() * count),
    chance: (probability) => next() < probability,
    hex: (length) => {
      let text = "";
      while (text.length < length) text += nextUint32().toString(16).padStart(8, "0");
      return text.slice(0, length);
    },
  };
}
