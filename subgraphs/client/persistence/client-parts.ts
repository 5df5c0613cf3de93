/**
 * The parts of a client: `Address` and `IdentificationDocument` are embedded columns;
 * the company questionnaire parts are JSONB (read as a whole, never queried into).
 */
import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { Column } from "typeorm";
import { IdentificationDocumentType } from "../domain/enums";

@ObjectType({ description: "A postal address (AddressDto)." })
export class Address {
  @Field()
  @Column({ name: "street_line1", type: "varchar", length: 255 })
  streetLine1!: string;

  @Field(() => String, { nullable: true })
  @Column({ name: "street_line2", type: "varchar", length: 255, nullable: true })
  streetLine2!: string | null;

  @Field()
  @Column({ name: "city", type: "varchar", length: 255 })
  city!: string;

  @Field(() => String, { nullable: true })
  @Column({ name: "state", type: "varchar", length: 255, nullable: true })
  state!: string | null;

  @Field()
  @Column({ name: "zip", type: "varchar", length: 255 })
  zip!: string;

  @Field({ description: "ISO 3166-1 alpha-2 country code." })
  @Column({ name: "country", type: "char", length: 2 })
  country!: string;
}

@ObjectType({ description: "An identity document (IdentificationDocumentDto)." })
export class IdentificationDocument {
  @Field(() => IdentificationDocumentType)
  @Column({ name: "type", type: "text", nullable: true })
  type!: IdentificationDocumentType;

  @Field()
  @Column({ name: "number", type: "varchar", length: 30, nullable: true })
  number!: string;

  @Field()
  @Column({ name: "issued_by", type: "varchar", length: 100, nullable: true })
  issuedBy!: string;

  @Field({ description: "ISO 3166-1 alpha-2 country code." })
  @Column({ name: "issued_country_code", type: "char", length: 2, nullable: true })
  issuedCountryCode!: string;

  @Field({ description: "YYYY-MM-DD" })
  @Column({ name: "issued_date", type: "date", nullable: true })
  issuedDate!: string;

  @Field({ description: "YYYY-MM-DD" })
  @Column({ name: "expiration_date", type: "date", nullable: true })
  expirationDate!: string;
}

@ObjectType({
  description:
    "A person related to a company client: owner, director, representative (RelatedIndividualInfoDto).",
})
export class RelatedIndividual {
  @Field() firstName!: string;
  @Field() lastName!: string;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field({ description: "Ultimate beneficial owner." }) isUbo!: boolean;
  @Field() isShareholder!: boolean;
  @Field() isDirector!: boolean;
  @Field() isRepresentative!: boolean;
  @Field({ description: "Politically exposed person." }) isPep!: boolean;
  @Field(() => String, { nullable: true }) residenceCountry!: string | null;
  @Field(() => String, { nullable: true }) citizenshipCountry!: string | null;
  @Field(() => String, { nullable: true, description: "YYYY-MM-DD" }) birthDate!: string | null;
  @Field(() => Float, { nullable: true, description: "Share of ownership, percent." }) ownership!:
    number | null;
  @Field(() => IdentificationDocument, { nullable: true }) document!: IdentificationDocument | null;
  @Field(() => String, { nullable: true }) beneficialOwnerPepDetails!: string | null;
  @Field(() => Boolean, { nullable: true }) usaTaxResidency!: boolean | null;
  @Field(() => String, { nullable: true }) giinNumber!: string | null;
  @Field(() => Address, { nullable: true }) residentialAddress!: Address | null;
  @Field(() => ID, { nullable: true }) applicantId!: string | null;
  @Field(() => Float, { nullable: true, description: "Percent." }) percentageOwnership!: number | null;
}

@ObjectType({ description: "A company client's main business partner (BusinessPartnerDto)." })
export class BusinessPartner {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) incorporationCountryCode!: string | null;
  @Field(() => Int, { nullable: true }) plannedTransfersQuantityMonth!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: "Whole euros a month (an estimate, not a ledger amount).",
  })
  plannedTransfersEurVolumeMonth!: number | null;
  @Field(() => String, { nullable: true }) additionalInfo!: string | null;
  @Field(() => String, { nullable: true }) basisPartnership!: string | null;
  @Field(() => String, { nullable: true }) website!: string | null;
}

@ObjectType({
  description: "Planned monthly flows declared at onboarding (FundFlowsDto). Volumes in whole euros.",
})
export class FundFlows {
  @Field(() => Int, { nullable: true }) plannedIncomingTransfersQuantity!: number | null;
  @Field(() => Int, { nullable: true }) plannedIncomingTransfersEurVolume!: number | null;
  @Field(() => Int, { nullable: true }) plannedOutboundTransfersQuantity!: number | null;
  @Field(() => Int, { nullable: true }) plannedOutboundTransfersEurVolume!: number | null;
}

@ObjectType({ description: "The compliance team's evaluation (ComplianceEvaluationDto)." })
export class ComplianceEvaluation {
  @Field(() => String, { nullable: true }) reviewPeriodicity!: string | null;
  @Field(() => String, { nullable: true }) appliedLimits!: string | null;
  @Field(() => String, { nullable: true }) additionalInfo!: string | null;
}
