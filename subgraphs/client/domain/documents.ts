/**
 * A client's documents (decision 0034). Not one of the seed's enums (domain/enums.ts holds those):
 * the documentation names no categories, so these are the bank's own, stored as spelled here.
 */
/** What a client's document shows, as KYC files are kept by a bank. */
export enum ClientDocumentCategory {
  IDENTITY = "IDENTITY",
  PROOF_OF_ADDRESS = "PROOF_OF_ADDRESS",
  COMPANY_REGISTRATION = "COMPANY_REGISTRATION",
  SOURCE_OF_FUNDS = "SOURCE_OF_FUNDS",
  OTHER = "OTHER",
}
