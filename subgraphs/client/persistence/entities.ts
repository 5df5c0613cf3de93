/**
 * The client subgraph's entities: the client and its status history. Each is also its GraphQL
 * type (decision 0001), so the columns carry type-graphql decorators too.
 */
import { Directive, Field, ID, Int, ObjectType, UseMiddleware } from "type-graphql";
import { SystemOnly } from "../../../common/graphql/system-only";
import { AfterLoad, Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import {
  AccountOpeningPurpose,
  ClientStatus,
  ClientType,
  CompanyType,
  Industry,
  PaymentRegion,
  RiskLevel,
  Turnover,
} from "../domain/enums";
import { riskLevelCode } from "../domain/risk-level";
import {
  Address,
  BusinessPartner,
  ComplianceEvaluation,
  FundFlows,
  IdentificationDocument,
  RelatedIndividual,
} from "./client-parts";

const SYSTEM_ONLY = "System callers only: FORBIDDEN (and null) for a front-office caller.";

/**
 * A bank client, individual or company (ClientDto). One table for both kinds: the
 * documented DTO is one shape with kind-specific fields, and a check constraint makes
 * each kind carry what it must.
 */
@Directive('@key(fields: "id")')
@ObjectType({ description: "A client of the bank: an individual or a company (ClientDto)." })
@Entity({ schema: "client", name: "client" })
export class Client {
  @Field(() => ID)
  @PrimaryGeneratedColumn("uuid")
  id!: string;

  @Field(() => ClientType)
  @Column({ type: "text" })
  type!: ClientType;

  @Field(() => String, {
    nullable: true,
    description: "The id in the integrating institution's onboarding system; unique.",
  })
  @Column({ name: "external_id", type: "varchar", length: 100, nullable: true })
  externalId!: string | null;

  @Field(() => ClientStatus)
  @Column({ type: "text" })
  status!: ClientStatus;

  @Field(() => RiskLevel, { nullable: true, description: SYSTEM_ONLY })
  @UseMiddleware(SystemOnly)
  @Column({ name: "risk_level", type: "text" })
  riskLevel!: RiskLevel;

  @Field(() => Int, {
    nullable: true,
    description: `ClientDto's int32 risk level: low 1, medium 2, high 3, prohibited 4. ${SYSTEM_ONLY}`,
  })
  @UseMiddleware(SystemOnly)
  get riskLevelCode(): number {
    return riskLevelCode(this.riskLevel);
  }

  @Field(() => Boolean, { nullable: true, description: SYSTEM_ONLY })
  @UseMiddleware(SystemOnly)
  @Column({ name: "is_default_compliant", type: "boolean", default: false })
  isDefaultCompliant!: boolean;

  @Field(() => ID, { nullable: true })
  @Column({ name: "editor_user_id", type: "uuid", nullable: true })
  editorUserId!: string | null;

  @Field(() => ID, { nullable: true })
  @Column({ name: "onboarding_id", type: "uuid", nullable: true })
  onboardingId!: string | null;

  @Field(() => Address)
  @Column(() => Address, { prefix: "address" })
  address!: Address;

  @Field()
  @Column({ name: "phone_number", type: "varchar", length: 17 })
  phoneNumber!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: "varchar", length: 64, nullable: true })
  email!: string | null;

  @Field({ name: "created", description: "When the client was created." })
  @Column({ name: "created_at", type: "timestamptz", precision: 3, default: () => "now()" })
  createdAt!: Date;

  @Field({ name: "updated" })
  @Column({ name: "updated_at", type: "timestamptz", default: () => "now()" })
  updatedAt!: Date;

  // Individual clients

  @Field(() => String, { nullable: true })
  @Column({ name: "first_name", type: "varchar", length: 255, nullable: true })
  firstName!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "last_name", type: "varchar", length: 255, nullable: true })
  lastName!: string | null;

  @Field(() => String, { nullable: true, description: "YYYY-MM-DD" })
  @Column({ name: "date_of_birth", type: "date", nullable: true })
  dateOfBirth!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "citizenship_country", type: "char", length: 2, nullable: true })
  citizenshipCountry!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "residence_country", type: "char", length: 2, nullable: true })
  residenceCountry!: string | null;

  @Field(() => IdentificationDocument, { nullable: true })
  @Column(() => IdentificationDocument, { prefix: "document" })
  identificationDocument!: IdentificationDocument | null;

  // Company clients

  @Field(() => String, { nullable: true })
  @Column({ name: "legal_name", type: "varchar", length: 255, nullable: true })
  legalName!: string | null;

  @Field(() => CompanyType, { nullable: true })
  @Column({ name: "company_type", type: "text", nullable: true })
  companyType!: CompanyType | null;

  @Field(() => String, { nullable: true, description: "YYYY-MM-DD" })
  @Column({ name: "company_registration_date", type: "date", nullable: true })
  companyRegistrationDate!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "country_of_registration", type: "char", length: 2, nullable: true })
  countryOfRegistration!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "tax_residency_country", type: "char", length: 2, nullable: true })
  taxResidencyCountry!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "registration_number", type: "varchar", length: 100, nullable: true })
  registrationNumber!: string | null;

  @Field(() => Industry, { nullable: true })
  @Column({ type: "text", nullable: true })
  industry!: Industry | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "industry_other", type: "varchar", length: 255, nullable: true })
  industryOther!: string | null;

  @Field(() => Turnover, { nullable: true })
  @Column({ type: "text", nullable: true })
  turnover!: Turnover | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "web_site", type: "varchar", length: 255, nullable: true })
  webSite!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "tax_number", type: "varchar", length: 100, nullable: true })
  taxNumber!: string | null;

  @Field(() => [PaymentRegion], { nullable: true })
  @Column({ name: "pay_ins_countries", type: "text", array: true, nullable: true })
  payInsCountries!: PaymentRegion[] | null;

  @Field(() => [PaymentRegion], { nullable: true })
  @Column({ name: "pay_outs_countries", type: "text", array: true, nullable: true })
  payOutsCountries!: PaymentRegion[] | null;

  @Field(() => Boolean, { nullable: true })
  @Column({ name: "is_engaged_gambling_10k", type: "boolean", nullable: true })
  isEngagedGambling10K!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  @Column({ name: "is_foundation", type: "boolean", nullable: true })
  isFoundation!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  @Column({ name: "is_publicly_listed", type: "boolean", nullable: true })
  isPubliclyListed!: boolean | null;

  @Field(() => Boolean, { nullable: true })
  @Column({ name: "is_relevant_activity", type: "boolean", nullable: true })
  isRelevantActivity!: boolean | null;

  @Field(() => [AccountOpeningPurpose], { nullable: true })
  @Column({ name: "purposes_account_opening", type: "text", array: true, nullable: true })
  purposesAccountOpening!: AccountOpeningPurpose[] | null;

  @Field(() => String, { nullable: true })
  @Column({ name: "purposes_account_opening_other", type: "varchar", length: 255, nullable: true })
  purposesAccountOpeningOther!: string | null;

  @Field(() => [BusinessPartner], { nullable: true })
  @Column({ name: "business_partners", type: "jsonb", nullable: true })
  businessPartners!: BusinessPartner[] | null;

  @Field(() => FundFlows, { nullable: true })
  @Column({ name: "fund_flows", type: "jsonb", nullable: true })
  fundFlows!: FundFlows | null;

  @Field(() => ComplianceEvaluation, { nullable: true, description: SYSTEM_ONLY })
  @UseMiddleware(SystemOnly)
  @Column({ name: "compliance_evaluation", type: "jsonb", nullable: true })
  complianceEvaluation!: ComplianceEvaluation | null;

  @Field(() => [RelatedIndividual])
  @Column({ name: "related_individuals", type: "jsonb", default: () => "'[]'::jsonb" })
  relatedIndividuals!: RelatedIndividual[];

  /** Bumped by every change; a status change is applied only to the version it was decided on. */
  @Column({ type: "integer", default: 1 })
  version!: number;

  @AfterLoad()
  protected dropEmptyDocument(): void {
    // Embedded columns load as an object of nulls for a company; callers expect no document at all.
    if (!this.identificationDocument?.type) this.identificationDocument = null;
  }
}

/** One entry of a client's status history. Append-only: a trigger refuses UPDATE and DELETE. */
@ObjectType({ description: "A change of a client's status: who, when, why." })
@Entity({ schema: "client", name: "client_status_change" })
export class ClientStatusChange {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ name: "client_id", type: "uuid" })
  clientId!: string;

  @Field(() => ClientStatus, {
    nullable: true,
    description: "Null for the status a client was created with.",
  })
  @Column({ name: "from_status", type: "text", nullable: true })
  from!: ClientStatus | null;

  @Field(() => ClientStatus)
  @Column({ name: "to_status", type: "text" })
  to!: ClientStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: "text", nullable: true })
  reason!: string | null;

  @Field({ description: "The token subject that made the change." })
  @Column({ name: "changed_by", type: "text" })
  changedBy!: string;

  @Field(() => String, { nullable: true })
  @Column({ name: "request_id", type: "text", nullable: true })
  requestId!: string | null;

  @Field()
  @Column({ name: "changed_at", type: "timestamptz", default: () => "now()" })
  changedAt!: Date;
}
