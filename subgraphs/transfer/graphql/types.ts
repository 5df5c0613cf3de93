import { Directive, Field, ID, ObjectType } from "type-graphql";
import { Connection } from "../../../common/graphql/pagination";

@Directive('@key(fields: "id")')
@ObjectType({ description: "A beneficiary at another bank that a client pays." })
export class Recipient {
  @Field(() => ID) id!: string;
  @Field(() => ID) clientId!: string;
  @Field() name!: string;
  @Field({ description: "Normalised: upper case, no spaces; check digits verified." }) iban!: string;
  @Field(() => String, { nullable: true }) bic!: string | null;
  @Field({ description: "ISO 4217 code of the payments made to it." }) currency!: string;
  @Field({ description: "ISO 3166-1 alpha-2, from the IBAN." }) country!: string;
  @Field({ description: "Hidden recipients leave the list but stay attached to past transfers." })
  visible!: boolean;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType({ description: "A page of recipients." })
export class RecipientConnection extends Connection(Recipient) {}
