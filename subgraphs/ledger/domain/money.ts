export * from "../../../common/amount";
