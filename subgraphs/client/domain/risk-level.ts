import { RiskLevel } from "./enums";

/**
 * The import speaks risk as a word, ClientDto as an int32. The mapping, ordered by
 * severity (0 is left for "not assessed", which an import never produces):
 * low 1, medium 2, high 3, prohibited 4. See docs/decisions/0003-risk-level-mapping.md.
 */
export const RISK_LEVEL_CODES: Readonly<Record<RiskLevel, number>> = {
  [RiskLevel.LOW]: 1,
  [RiskLevel.MEDIUM]: 2,
  [RiskLevel.HIGH]: 3,
  [RiskLevel.PROHIBITED]: 4,
};

export function riskLevelCode(level: RiskLevel): number {
  return RISK_LEVEL_CODES[level];
}
