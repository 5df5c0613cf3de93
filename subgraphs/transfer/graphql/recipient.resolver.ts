import type { RowProperties } from "../../../common/db/row-reader";
import { NodeProperties } from "../../../common/graphql/node-properties";
import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { PageArgs } from "../../../common/graphql/pagination";
import type { TransferContext } from "../context";
import * as recipients from "../use-cases/recipients";
import { AddRecipientInput, RecipientFilterInput } from "./inputs";
import { Recipient, RecipientConnection } from "./types";

/** Thin: each field hands its arguments to one use case (use-cases/recipients.ts). */
@Resolver(() => Recipient)
export class RecipientResolver {
  @Mutation(() => Recipient, { description: "RECIPIENT_ALREADY_EXISTS for the same IBAN and currency." })
  addRecipient(@Arg("input") input: AddRecipientInput, @Ctx() ctx: TransferContext) {
    return recipients.addRecipient(ctx, input);
  }

  @Query(() => Recipient, { nullable: true, description: "Front office: its own recipients only." })
  recipient(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return recipients.recipient(ctx, id);
  }

  @Query(() => RecipientConnection, {
    description: "Visible recipients in the order they were added. Front office: its own.",
  })
  recipients(
    @Ctx() ctx: TransferContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => RecipientFilterInput, { nullable: true }) filter?: RecipientFilterInput | null,
    @NodeProperties() properties?: RowProperties,
  ) {
    return recipients.recipients(ctx, filter ?? {}, first, after, properties);
  }

  @Mutation(() => Recipient, { description: "Hides (or shows again) a recipient; past transfers keep it." })
  setRecipientVisibility(
    @Arg("id", () => ID) id: string,
    @Arg("visible") visible: boolean,
    @Ctx() ctx: TransferContext,
  ) {
    return recipients.setRecipientVisibility(ctx, id, visible);
  }
}
