/**
 * The GraphQL shapes both document subgraphs share (decision 0034): the fields of a document and
 * of an upload, the declared file of a new upload with its rules, and the two status enums. Each
 * subgraph extends them with its owner (`clientId`, `transferId`) and its categories, under names
 * of its own (`ClientDocument`, `TransferDocument`...), so the supergraph has no shared entity.
 */
import { ArrayMaxSize, ArrayMinSize, Length, Matches, Max, Min } from "class-validator";
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { UuidField } from "../graphql/uuid-field";
import { MaxChars, MinChars } from "../validation";
import { DocumentStatus, DocumentUploadStatus, MAX_UPLOADS_AT_ONCE } from "./rules";

/** Registers the enums with type-graphql; each document subgraph calls it from its own `register...Enums`. */
export function registerDocumentEnums(): void {
  registerEnumType(DocumentStatus, {
    name: "DocumentStatus",
    valuesConfig: {
      ACTIVE: { description: "Stored and downloadable." },
      DELETED: {
        description:
          "Deleted (who, when, why are kept); the bytes are removed after DOCUMENTS_RETENTION_DAYS.",
      },
    },
  });
  registerEnumType(DocumentUploadStatus, {
    name: "DocumentUploadStatus",
    description: "PENDING -> RECEIVING -> RECEIVED -> COMPLETED; FAILED or CANCELLED on the way.",
  });
}

// Not emitted itself: type-graphql 2 only prints types reachable from a resolver.
@ObjectType()
export abstract class DocumentFields {
  @Field(() => ID)
  id!: string;

  @Field({ description: "The file name as uploaded, made safe (no path, no control characters)." })
  fileName!: string;

  @Field({ description: "The media type, as the bytes' signature confirmed it." })
  contentType!: string;

  @Field(() => Int, { description: "Bytes." })
  size!: number;

  @Field({ description: "SHA-256 of the bytes, lower-case hex." })
  sha256!: string;

  @Field({ description: "Token subject of whoever uploaded it." })
  uploadedBy!: string;

  @Field()
  uploadedAt!: Date;

  @Field(() => DocumentStatus)
  status!: DocumentStatus;

  @Field(() => String, { nullable: true })
  deletedBy!: string | null;

  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;

  @Field(() => String, { nullable: true })
  deletionReason!: string | null;
}

// Not emitted itself: type-graphql 2 only prints types reachable from a resolver.
@ObjectType()
export abstract class DocumentUploadFields {
  @Field(() => ID, { description: "The upload's id; the document keeps it." })
  id!: string;

  @Field(() => DocumentUploadStatus)
  status!: DocumentUploadStatus;

  @Field({
    description:
      "Path and query at the gateway's origin: PUT the bytes there once, with the same bearer token, before `expiresAt`; then complete the upload.",
  })
  uploadUrl!: string;

  @Field()
  expiresAt!: Date;

  @Field({ description: "The declared name, made safe." })
  fileName!: string;

  @Field()
  contentType!: string;

  @Field(() => Int)
  size!: number;

  @Field()
  sha256!: string;
}

@InputType()
export abstract class DeclaredFileInput {
  @Field({ description: "The file's name; paths and control characters are removed." })
  @MinChars(1)
  @MaxChars(255)
  fileName!: string;

  @Field({ description: "Media type, one of DOCUMENTS_CONTENT_TYPES; the bytes' signature must show it." })
  @Length(3, 100)
  contentType!: string;

  @Field(() => Int, { description: "Bytes, at most DOCUMENTS_MAX_BYTES." })
  @Min(1)
  @Max(2_147_483_647)
  size!: number;

  @Field({ description: "SHA-256 of the bytes, hex." })
  @Matches(/^[0-9a-fA-F]{64}$/)
  sha256!: string;
}

@ArgsType()
export class DeleteDocumentArgs {
  @UuidField()
  id!: string;

  @UuidField({
    nullable: true,
    description: "When given, the document must be this owner's (else DOCUMENT_NOT_FOUND).",
  })
  ownerId?: string | null;

  @Field({ description: "Why it is deleted; kept with the record." })
  @MinChars(1)
  @MaxChars(500)
  reason!: string;
}

@ArgsType()
export class UploadIdsArgs {
  @Field(() => [ID], { description: `1 to ${MAX_UPLOADS_AT_ONCE} uploads, completed all or none.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_UPLOADS_AT_ONCE)
  uploadIds!: string[];
}
