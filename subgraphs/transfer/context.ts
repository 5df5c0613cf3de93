import type { RequestContext } from "../../common/graphql/context";
import type { TransferDeps } from "./use-cases/deps";

/** A request's context: who asks, and everything the use cases may need (each takes its part). */
export interface TransferContext extends RequestContext, TransferDeps {}
