import type { RowProperties } from "../../../common/db/row-reader";
import { NodeProperties } from "../../../common/graphql/node-properties";
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { ClientContext } from "../context";
import { Client, ClientStatusChange } from "../persistence/entities";
import {
  ClientFilterInput,
  ClientStatusChangeArgs,
  ImportIndividualClientInput,
  SetClientStatusArgs,
} from "./inputs";
import { ClientConnection, ImportClientResult } from "./types";

/** Thin: each field hands its arguments to one use case of the request's ClientService. */
@Resolver(() => Client)
export class ClientResolver {
  @Query(() => Client, { nullable: true, description: "A client by id. Front office: its own client only." })
  client(@Arg("id", () => ID) id: string, @Ctx() ctx: ClientContext): Promise<Client | null> {
    return ctx.clients.get(id);
  }

  @Query(() => Client, {
    nullable: true,
    description:
      "Front office: its own client profile. The bank's risk and compliance assessment (riskLevel, riskLevelCode, isDefaultCompliant, complianceEvaluation) and the status history answer FORBIDDEN and null.",
  })
  me(@Ctx() ctx: ClientContext): Promise<Client | null> {
    return ctx.clients.me();
  }

  @Query(() => ClientConnection, { description: "Clients in creation order, filtered. System only." })
  clients(
    @Ctx() ctx: ClientContext,
    @Arg("filter", () => ClientFilterInput, { nullable: true }) filter?: ClientFilterInput | null,
    @Arg("first", () => Int, { nullable: true, description: "Page size, 1 to 100 (default 20)." })
    first?: number | null,
    @Arg("after", () => String, { nullable: true, description: "`pageInfo.endCursor` of the previous page." })
    after?: string | null,
    @NodeProperties() properties?: RowProperties,
  ) {
    return ctx.clients.list(filter ?? {}, first, after, properties);
  }

  @Mutation(() => ImportClientResult, {
    description:
      "Imports an individual client from an onboarding system. System only. CLIENT_ALREADY_EXISTS on a known externalId.",
  })
  importIndividualClient(@Arg("input") input: ImportIndividualClientInput, @Ctx() ctx: ClientContext) {
    return ctx.clients.importIndividual(input);
  }

  @Mutation(() => Client, { description: "INACTIVE|ACTIVE -> BLOCKED. System only." })
  blockClient(@Args() { id, reason }: ClientStatusChangeArgs, @Ctx() ctx: ClientContext): Promise<Client> {
    return ctx.clients.block(id, reason ?? null);
  }

  @Mutation(() => Client, { description: "BLOCKED -> ACTIVE. System only." })
  unblockClient(@Args() { id, reason }: ClientStatusChangeArgs, @Ctx() ctx: ClientContext): Promise<Client> {
    return ctx.clients.unblock(id, reason ?? null);
  }

  @Mutation(() => Client, {
    description:
      "Any allowed move: INACTIVE <-> ACTIVE, INACTIVE|ACTIVE -> BLOCKED, BLOCKED -> ACTIVE. System only.",
  })
  setClientStatus(
    @Args() { id, status, reason }: SetClientStatusArgs,
    @Ctx() ctx: ClientContext,
  ): Promise<Client> {
    return ctx.clients.setStatus(id, status, reason ?? null);
  }

  @FieldResolver(() => [ClientStatusChange], {
    nullable: true,
    description:
      "Every status the client has had, oldest first. System callers only: FORBIDDEN (and null) otherwise.",
  })
  statusHistory(@Root() client: Client, @Ctx() ctx: ClientContext): Promise<ClientStatusChange[]> {
    return ctx.clients.statusHistory(client.id);
  }
}
