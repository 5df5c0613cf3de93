/**
 * Page sizes of every list query. Apart from common/graphql/pagination.ts (which carries
 * type-graphql decorators the gateway does not load) so the gateway's cost limit can count a
 * list without a `first` as the page it gets.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
