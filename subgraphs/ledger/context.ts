import type { RequestContext } from "../../common/graphql/context";
import type { AccountOtpService } from "./account-otp.service";
import type { AccountService } from "./account.service";
import type { BackgroundJobService } from "./background-job.service";
import type { ActivityService } from "./activity.service";
import type { BankAccountService } from "./bank-account.service";
import type { CheckRunService } from "./check-run.service";
import type { DailyBalanceService } from "./daily-balance.service";
import type { PaymentService } from "./payment.service";
import type { TransactionService } from "./transaction.service";
import type { TreasuryService } from "./treasury.service";

export interface LedgerContext extends RequestContext {
  accounts: AccountService;
  accountOtp: AccountOtpService;
  activity: ActivityService;
  bankAccounts: BankAccountService;
  payments: PaymentService;
  transactions: TransactionService;
  dailyBalances: DailyBalanceService;
  checkRuns: CheckRunService;
  backgroundJobs: BackgroundJobService;
  treasury: TreasuryService;
}
