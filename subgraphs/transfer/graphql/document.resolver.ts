import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { DeleteDocumentArgs, UploadIdsArgs } from "../../../common/documents/graphql";
import type { DocumentRow, UploadRow } from "../../../common/documents/repository";
import type { TransferContext } from "../context";
import { CreateTransferDocumentUploadInput } from "./inputs";
import { Transfer, TransferDocument, TransferDocumentUpload } from "./types";

/** A stored document as its GraphQL type: the owner is the client. */
function asTransferDocument(row: DocumentRow): TransferDocument {
  return { ...row, transferId: row.ownerId } as TransferDocument;
}

function asTransferUpload(row: UploadRow & { uploadUrl?: string }): TransferDocumentUpload {
  return { uploadUrl: "", ...row, transferId: row.ownerId } as TransferDocumentUpload;
}

/** Thin: each field hands its arguments to one use case of the request's DocumentService. */
@Resolver(() => TransferDocument)
export class TransferDocumentResolver {
  @Query(() => TransferDocument, {
    nullable: true,
    description: "A transfer document by id. Front office: its own transfers' only.",
  })
  async transferDocument(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    const row = await ctx.documents.get(id);
    return row && asTransferDocument(row);
  }

  @Mutation(() => TransferDocumentUpload, {
    description:
      "Starts a staged upload: returns a single-use, short-lived `uploadUrl` to PUT the bytes to. System, or the front office of the transfer's client.",
  })
  async createTransferDocumentUpload(
    @Arg("input") input: CreateTransferDocumentUploadInput,
    @Ctx() ctx: TransferContext,
  ) {
    return asTransferUpload(await ctx.documents.createUpload({ ...input, ownerId: input.transferId }));
  }

  @Mutation(() => TransferDocument, {
    description: "Makes a document of an upload whose bytes arrived and passed the checks. Its creator only.",
  })
  async completeTransferDocumentUpload(
    @Arg("uploadId", () => ID) uploadId: string,
    @Ctx() ctx: TransferContext,
  ) {
    const [document] = await ctx.documents.complete([uploadId]);
    return asTransferDocument(document);
  }

  @Mutation(() => [TransferDocument], { description: "Completes several uploads at once: all or none." })
  async completeTransferDocumentUploads(@Args() { uploadIds }: UploadIdsArgs, @Ctx() ctx: TransferContext) {
    return (await ctx.documents.complete(uploadIds)).map(asTransferDocument);
  }

  @Mutation(() => TransferDocumentUpload, {
    description: "Gives up an upload not completed; its bytes are removed.",
  })
  async cancelTransferDocumentUpload(
    @Arg("uploadId", () => ID) uploadId: string,
    @Ctx() ctx: TransferContext,
  ) {
    return asTransferUpload(await ctx.documents.cancel(uploadId));
  }

  @Mutation(() => TransferDocument, {
    description:
      "Deletes a document: the record stays (who, when, why); the bytes go after DOCUMENTS_RETENTION_DAYS. System; the front office only while the transfer waits for confirmation.",
  })
  async deleteTransferDocument(
    @Args() { id, reason, ownerId }: DeleteDocumentArgs,
    @Ctx() ctx: TransferContext,
  ) {
    return asTransferDocument(await ctx.documents.delete(id, reason, ownerId));
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "A signed URL (path and query at the gateway) that streams the bytes to this caller, with its bearer token, for DOCUMENTS_URL_TTL_SECONDS. Null once deleted.",
  })
  downloadUrl(@Root() document: TransferDocument, @Ctx() ctx: TransferContext): string | null {
    return ctx.documents.downloadUrl(document)?.url ?? null;
  }
}

@Resolver(() => Transfer)
export class TransferDocumentsResolver {
  @FieldResolver(() => [TransferDocument], {
    nullable: true,
    description:
      "The transfer's supporting documents, oldest first. Its client's front office or system callers (FORBIDDEN, and null, for a counterparty).",
  })
  async documents(
    @Root() transfer: Transfer,
    @Ctx() ctx: TransferContext,
    @Arg("includeDeleted", { defaultValue: false, description: "Also deleted ones (their records)." })
    includeDeleted: boolean,
  ) {
    return (await ctx.documents.listOf(transfer.id, includeDeleted)).map(asTransferDocument);
  }

  @FieldResolver(() => TransferDocument, {
    nullable: true,
    description: "One of the transfer's documents, by id.",
  })
  async document(@Root() transfer: Transfer, @Ctx() ctx: TransferContext, @Arg("id", () => ID) id: string) {
    const row = await ctx.documents.getOf(transfer.id, id);
    return row && asTransferDocument(row);
  }
}
