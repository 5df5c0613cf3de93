import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { DeleteDocumentArgs, UploadIdsArgs } from "../../../common/documents/graphql";
import type { DocumentRow, UploadRow } from "../../../common/documents/repository";
import type { ClientContext } from "../context";
import { Client } from "../persistence/entities";
import { CreateClientDocumentUploadInput } from "./inputs";
import { ClientDocument, ClientDocumentUpload } from "./types";

/** A stored document as its GraphQL type: the owner is the client. */
function asClientDocument(row: DocumentRow): ClientDocument {
  return { ...row, clientId: row.ownerId } as ClientDocument;
}

function asClientUpload(row: UploadRow & { uploadUrl?: string }): ClientDocumentUpload {
  return { uploadUrl: "", ...row, clientId: row.ownerId } as ClientDocumentUpload;
}

/** Thin: each field hands its arguments to one use case of the request's DocumentService. */
@Resolver(() => ClientDocument)
export class ClientDocumentResolver {
  @Query(() => ClientDocument, {
    nullable: true,
    description: "A client document by id. Front office: its own client's only.",
  })
  async clientDocument(@Arg("id", () => ID) id: string, @Ctx() ctx: ClientContext) {
    const row = await ctx.documents.get(id);
    return row && asClientDocument(row);
  }

  @Mutation(() => ClientDocumentUpload, {
    description:
      "Starts a staged upload: returns a single-use, short-lived `uploadUrl` to PUT the bytes to. System, or the client's own front office.",
  })
  async createClientDocumentUpload(
    @Arg("input") input: CreateClientDocumentUploadInput,
    @Ctx() ctx: ClientContext,
  ) {
    return asClientUpload(await ctx.documents.createUpload({ ...input, ownerId: input.clientId }));
  }

  @Mutation(() => ClientDocument, {
    description: "Makes a document of an upload whose bytes arrived and passed the checks. Its creator only.",
  })
  async completeClientDocumentUpload(@Arg("uploadId", () => ID) uploadId: string, @Ctx() ctx: ClientContext) {
    const [document] = await ctx.documents.complete([uploadId]);
    return asClientDocument(document);
  }

  @Mutation(() => [ClientDocument], { description: "Completes several uploads at once: all or none." })
  async completeClientDocumentUploads(@Args() { uploadIds }: UploadIdsArgs, @Ctx() ctx: ClientContext) {
    return (await ctx.documents.complete(uploadIds)).map(asClientDocument);
  }

  @Mutation(() => ClientDocumentUpload, {
    description: "Gives up an upload not completed; its bytes are removed.",
  })
  async cancelClientDocumentUpload(@Arg("uploadId", () => ID) uploadId: string, @Ctx() ctx: ClientContext) {
    return asClientUpload(await ctx.documents.cancel(uploadId));
  }

  @Mutation(() => ClientDocument, {
    description:
      "Deletes a document: the record stays (who, when, why); the bytes go after DOCUMENTS_RETENTION_DAYS. System only.",
  })
  async deleteClientDocument(@Args() { id, reason, ownerId }: DeleteDocumentArgs, @Ctx() ctx: ClientContext) {
    return asClientDocument(await ctx.documents.delete(id, reason, ownerId));
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "A signed URL (path and query at the gateway) that streams the bytes to this caller, with its bearer token, for DOCUMENTS_URL_TTL_SECONDS. Null once deleted.",
  })
  downloadUrl(@Root() document: ClientDocument, @Ctx() ctx: ClientContext): string | null {
    return ctx.documents.downloadUrl(document)?.url ?? null;
  }
}

@Resolver(() => Client)
export class ClientDocumentsResolver {
  @FieldResolver(() => [ClientDocument], {
    description: "The client's documents, oldest first. Front office: its own client's.",
  })
  async documents(
    @Root() client: Client,
    @Ctx() ctx: ClientContext,
    @Arg("includeDeleted", { defaultValue: false, description: "Also deleted ones (their records)." })
    includeDeleted: boolean,
  ) {
    return (await ctx.documents.listOf(client.id, includeDeleted)).map(asClientDocument);
  }

  @FieldResolver(() => ClientDocument, {
    nullable: true,
    description: "One of the client's documents, by id.",
  })
  async document(@Root() client: Client, @Ctx() ctx: ClientContext, @Arg("id", () => ID) id: string) {
    const row = await ctx.documents.getOf(client.id, id);
    return row && asClientDocument(row);
  }
}
