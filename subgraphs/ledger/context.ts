import type { RequestContext } from "../../common/graphql/context";
import type { AccountService } from "./account.service";
import type { ActivityService } from "./activity.service";
import type { BankAccountService } from "./bank-account.service";
import type { PaymentService } from "./payment.service";
import type { TransactionService } from "./transaction.service";

export interface LedgerContext extends RequestContext {
  accounts: AccountService;
  activity: ActivityService;
  bankAccounts: BankAccountService;
  payments: PaymentService;
  transactions: TransactionService;
}
