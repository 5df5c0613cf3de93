/**
 * The REST documentation spells enum values in camelCase (`driverLicense`,
 * `between100KAnd500KEur`); GraphQL names them in UPPER_SNAKE (`DRIVER_LICENSE`,
 * `BETWEEN_100K_AND_500K_EUR`). These two functions convert between the two, losslessly
 * for every documented value (a unit test walks them all), so the REST shim needs no
 * per-enum tables.
 */

/** `between100KAnd500KEur` -> `BETWEEN_100K_AND_500K_EUR`. */
export function toGraphQLEnumName(spelling: string): string {
  return spelling
    .replace(/([a-z])([A-Z0-9])/g, "$1_$2")
    .replace(/([0-9A-Z])([A-Z][a-z])/g, "$1_$2")
    .toUpperCase();
}

/** `BETWEEN_100K_AND_500K_EUR` -> `between100KAnd500KEur`. A word that starts with a digit keeps its letters' case. */
export function toRestSpelling(name: string): string {
  return name
    .split("_")
    .map((word, index) => {
      if (/^[0-9]/.test(word)) return word;
      const lower = word.toLowerCase();
      return index === 0 ? lower : lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join("");
}
