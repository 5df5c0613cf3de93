import { Client, ClientStatusChange } from "./entities";
import { CreateClientSchema1732170000000 } from "./migrations/1732170000000-CreateClientSchema";
import { ListIndexes1732300000000 } from "./migrations/1732300000000-ListIndexes";
import { ClientDocuments1732320000000 } from "./migrations/1732320000000-ClientDocuments";
import { ListCounts1732360000000 } from "./migrations/1732360000000-ListCounts";
import { ClientSearchIndexes1732360000001 } from "./migrations/1732360000001-ClientSearchIndexes";
import { ClientSearchText1732420000000 } from "./migrations/1732420000000-ClientSearchText";

/** The PostgreSQL schema this subgraph owns. */
export const CLIENT_SCHEMA = "client";
export const clientEntities = [Client, ClientStatusChange];
/** In order; a new migration is appended here. */
export const clientMigrations = [
  CreateClientSchema1732170000000,
  ListIndexes1732300000000,
  ClientDocuments1732320000000,
  ListCounts1732360000000,
  ClientSearchIndexes1732360000001,
  ClientSearchText1732420000000,
];
