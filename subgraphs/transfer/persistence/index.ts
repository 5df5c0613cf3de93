import { RecipientRow } from "./entities";
import { CreateTransferSchema1732190000000 } from "./migrations/1732190000000-CreateTransferSchema";

/** The PostgreSQL schema this subgraph owns. */
export const TRANSFER_SCHEMA = "transfer";
export const transferEntities = [RecipientRow];
/** In order; a new migration is appended here. */
export const transferMigrations = [CreateTransferSchema1732190000000];
