/**
 * Inputs, with every rule of the documented import request (seed
 * 000_842ccd0ae63067ae) plus the checks a bank adds (marked "bank rule").
 */
import { IsEmail, IsISO31661Alpha2, IsOptional, Length, Matches, ValidateNested } from "class-validator";
import { ArgsType, Field, ID, InputType } from "type-graphql";
import {
  IsAfterField,
  IsDateOnly,
  IsNotInFuture,
  IsNotInPast,
  MaxChars,
  MinChars,
} from "../../../common/validation";
import { DeclaredFileInput } from "../../../common/documents/graphql";
import { UuidField } from "../../../common/graphql/uuid-field";
import { ClientStatus, ClientType, IdentificationDocumentType, RiskLevel } from "../domain/enums";
import { ClientDocumentCategory } from "../domain/documents";
import type { IndividualClientImport } from "../domain/individual-import";

const ADDRESS_LINE = /^[A-Za-z0-9./,()\-# ]+$/;
const PERSON_NAME = /^[A-Za-z\-.' ]+$/;

@InputType({ description: "AddressDto." })
export class AddressInput {
  @Field()
  @MinChars(1)
  @MaxChars(255)
  @Matches(ADDRESS_LINE)
  streetLine1!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxChars(255) // bank rule: the column's size
  streetLine2?: string | null;

  @Field()
  @MinChars(1)
  @MaxChars(255)
  @Matches(ADDRESS_LINE)
  city!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxChars(255)
  state?: string | null;

  @Field()
  @MinChars(1)
  @MaxChars(255)
  zip!: string;

  @Field({ description: "ISO 3166-1 alpha-2." })
  @Length(2, 2)
  @IsISO31661Alpha2() // bank rule: a real country, not any two characters
  country!: string;
}

@InputType({ description: "IdentificationDocumentDto." })
export class IdentificationDocumentInput {
  @Field()
  @MinChars(1)
  @MaxChars(100)
  issuedBy!: string;

  @Field({ description: "YYYY-MM-DD; after issuedDate and not in the past." })
  @IsDateOnly()
  @IsAfterField("issuedDate") // bank rule
  @IsNotInPast() // bank rule: no onboarding on an expired document
  expirationDate!: string;

  @Field(() => IdentificationDocumentType)
  type!: IdentificationDocumentType;

  @Field()
  @MinChars(1)
  @MaxChars(30)
  number!: string;

  @Field({ description: "ISO 3166-1 alpha-2." })
  @Length(2, 2)
  @IsISO31661Alpha2()
  issuedCountryCode!: string;

  @Field({ description: "YYYY-MM-DD; not in the future." })
  @IsDateOnly()
  @IsNotInFuture() // bank rule
  issuedDate!: string;
}

@InputType({ description: "The onboarding system's import of an individual client (ClientsImport)." })
export class ImportIndividualClientInput implements IndividualClientImport {
  @Field({ description: "The client's id in the onboarding system; unique." })
  @MinChars(1)
  @MaxChars(100)
  externalId!: string;

  @Field(() => RiskLevel)
  riskLevel!: RiskLevel;

  @Field(() => AddressInput)
  @ValidateNested() // type-graphql hands over class instances, so nested rules run
  address!: AddressInput;

  @Field()
  @MinChars(5)
  @MaxChars(17)
  phoneNumber!: string;

  @Field()
  @MinChars(5)
  @MaxChars(64)
  @IsEmail()
  email!: string;

  @Field()
  @MinChars(1)
  @MaxChars(255)
  @Matches(PERSON_NAME)
  firstName!: string;

  @Field()
  @MinChars(1)
  @MaxChars(255)
  @Matches(PERSON_NAME)
  lastName!: string;

  @Field({ description: "ISO 3166-1 alpha-2." })
  @Length(2, 2)
  @IsISO31661Alpha2()
  citizenshipCountry!: string;

  @Field(() => IdentificationDocumentInput)
  @ValidateNested()
  identificationDocument!: IdentificationDocumentInput;

  @Field({ description: "ISO 3166-1 alpha-2." })
  @Length(2, 2)
  @IsISO31661Alpha2()
  residenceCountry!: string;

  @Field({ description: "YYYY-MM-DD; not in the future." })
  @IsDateOnly()
  @IsNotInFuture() // bank rule
  dateOfBirth!: string;
}

@InputType({ description: "All given conditions must hold." })
export class ClientFilterInput {
  @Field(() => ClientStatus, { nullable: true })
  status?: ClientStatus | null;

  @Field(() => ClientType, { nullable: true })
  type?: ClientType | null;

  @Field(() => RiskLevel, { nullable: true })
  riskLevel?: RiskLevel | null;

  @Field(() => String, {
    nullable: true,
    description: "Case-insensitive part of the name, legal name, email or external id.",
  })
  @IsOptional()
  @MaxChars(100)
  search?: string | null;
}

@ArgsType()
export class ClientStatusChangeArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: "Why; kept in the status history. At most 500 characters.",
  })
  @IsOptional()
  @MaxChars(500)
  reason?: string | null;
}

@ArgsType()
export class SetClientStatusArgs extends ClientStatusChangeArgs {
  @Field(() => ClientStatus)
  status!: ClientStatus;
}

@InputType({ description: "A client document to upload: what the bytes will be." })
export class CreateClientDocumentUploadInput extends DeclaredFileInput {
  @UuidField()
  clientId!: string;

  @Field(() => ClientDocumentCategory)
  category!: ClientDocumentCategory;
}
