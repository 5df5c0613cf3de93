import { toGraphQLEnumName, toRestSpelling } from "../../common/enum-spelling";
import * as enums from "../../subgraphs/client/domain/enums";

/** The allowed values as the seeds (../shared/seeds) list them, copied by hand: the contract. */
const DOCUMENTED: Record<string, string[]> = {
  ClientType: ["company", "individual"],
  ClientStatus: ["inactive", "active", "blocked"],
  RiskLevel: ["low", "medium", "high", "prohibited"],
  IdentificationDocumentType: ["passport", "driverLicense", "idCard", "other"],
  Industry: [
    "accountingOrConsultingOrLegalServices",
    "charityOrSimilarNonProfitActivities",
    "cyberlockersOrRemoteDigitalFileStoring",
    "dating",
    "drugsOrPharmaceutical",
    "emiOrPi",
    "forexOrCfdOrCrowdfunding",
    "gamblingOrBettingOrLottery",
    "insuranceOrLendingServices",
    "marketingAndAdvertising",
    "onlineGaming",
    "realEstate",
    "retail",
    "socialNetworks",
    "it",
    "subscriptionOnPhysicalGoodDelivery",
    "telecommunicationAndNetwork",
    "telemarketing",
    "tobaccoProducts",
    "tradeInPreciousMetalsAndJewellery",
    "transportationOrLogistics",
    "travelOrLeisure",
    "virtualAssetServices",
    "other",
  ],
  Turnover: [
    "bellow100KEur",
    "between100KAnd500KEur",
    "between500KAnd1000KEur",
    "between1000KAnd5000KEur",
    "above5000KEur",
  ],
  CompanyType: [
    "soleTrader",
    "partnership",
    "private",
    "nonProfit",
    "communityInterest",
    "public",
    "internationalNgo",
  ],
  PaymentRegion: ["uk", "eea", "other"],
  AccountOpeningPurpose: [
    "administrativeAndOperationalExpenses",
    "paymentsToAndFromContractors",
    "depositsAndSavings",
    "paymentCardProcessing",
    "other",
  ],
};

describe("documented enums", () => {
  it.each(Object.keys(DOCUMENTED))(
    "When %s is compared with the seed, then it has exactly the documented values",
    (name) => {
      const values = Object.values((enums as Record<string, Record<string, string>>)[name]);
      expect([...values].sort()).toEqual([...DOCUMENTED[name]].sort());
    },
  );

  it("When the enums are counted, then every enum of the domain is covered by the seed list", () => {
    expect(Object.keys(enums).sort()).toEqual(Object.keys(DOCUMENTED).sort());
  });

  it.each(Object.values(DOCUMENTED).flat())(
    "When %s goes to GraphQL and back, then it comes back unchanged",
    (spelling) => {
      expect(toRestSpelling(toGraphQLEnumName(spelling))).toBe(spelling);
      expect(toGraphQLEnumName(spelling)).toMatch(/^[A-Z][A-Z0-9_]*$/);
    },
  );

  it("When a value has digits and capitals, then both directions keep them", () => {
    expect(toGraphQLEnumName("between100KAnd500KEur")).toBe("BETWEEN_100K_AND_500K_EUR");
    expect(toRestSpelling("BELLOW_100K_EUR")).toBe("bellow100KEur");
    expect(toGraphQLEnumName("driverLicense")).toBe("DRIVER_LICENSE");
  });

  it("When the domain's GraphQL names are converted, then they give the stored spelling", () => {
    for (const e of Object.values(enums as Record<string, Record<string, string>>)) {
      for (const [name, spelling] of Object.entries(e)) expect(toRestSpelling(name)).toBe(spelling);
    }
  });
});
