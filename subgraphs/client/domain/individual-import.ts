import type { IdentificationDocumentType, RiskLevel } from "./enums";

/**
 * An individual client as the onboarding system sends it (the documented ClientsImport),
 * already checked field by field at the edge.
 */
export interface IndividualClientImport {
  externalId: string;
  riskLevel: RiskLevel;
  address: {
    streetLine1: string;
    streetLine2?: string | null;
    city: string;
    state?: string | null;
    zip: string;
    country: string;
  };
  phoneNumber: string;
  email: string;
  firstName: string;
  lastName: string;
  citizenshipCountry: string;
  identificationDocument: {
    issuedBy: string;
    expirationDate: string;
    type: IdentificationDocumentType;
    number: string;
    issuedCountryCode: string;
    issuedDate: string;
  };
  residenceCountry: string;
  dateOfBirth: string;
}
