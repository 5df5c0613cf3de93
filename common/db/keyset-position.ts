/**
 * Where a keyset page continues: the last row's creation time and id. Repositories page by it
 * (`keysetPage`); the GraphQL layer encodes it as an opaque cursor (common/graphql/pagination.ts).
 */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}
