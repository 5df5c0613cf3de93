/**
 * The documented enums of ClientProfile. Values are the documentation's spellings (what
 * the database stores and the REST shim speaks); keys are the GraphQL names.
 */

export enum ClientType {
  INDIVIDUAL = "individual",
  COMPANY = "company",
}

export enum ClientStatus {
  INACTIVE = "inactive",
  ACTIVE = "active",
  BLOCKED = "blocked",
}

/** The import's risk level. ClientDto carries it as an int32: see {@link riskLevelCode}. */
export enum RiskLevel {
  LOW = "low",
  MEDIUM = "medium",
  HIGH = "high",
  PROHIBITED = "prohibited",
}

export enum IdentificationDocumentType {
  PASSPORT = "passport",
  DRIVER_LICENSE = "driverLicense",
  ID_CARD = "idCard",
  OTHER = "other",
}

export enum Industry {
  ACCOUNTING_OR_CONSULTING_OR_LEGAL_SERVICES = "accountingOrConsultingOrLegalServices",
  CHARITY_OR_SIMILAR_NON_PROFIT_ACTIVITIES = "charityOrSimilarNonProfitActivities",
  CYBERLOCKERS_OR_REMOTE_DIGITAL_FILE_STORING = "cyberlockersOrRemoteDigitalFileStoring",
  DATING = "dating",
  DRUGS_OR_PHARMACEUTICAL = "drugsOrPharmaceutical",
  EMI_OR_PI = "emiOrPi",
  FOREX_OR_CFD_OR_CROWDFUNDING = "forexOrCfdOrCrowdfunding",
  GAMBLING_OR_BETTING_OR_LOTTERY = "gamblingOrBettingOrLottery",
  INSURANCE_OR_LENDING_SERVICES = "insuranceOrLendingServices",
  MARKETING_AND_ADVERTISING = "marketingAndAdvertising",
  ONLINE_GAMING = "onlineGaming",
  REAL_ESTATE = "realEstate",
  RETAIL = "retail",
  SOCIAL_NETWORKS = "socialNetworks",
  IT = "it",
  SUBSCRIPTION_ON_PHYSICAL_GOOD_DELIVERY = "subscriptionOnPhysicalGoodDelivery",
  TELECOMMUNICATION_AND_NETWORK = "telecommunicationAndNetwork",
  TELEMARKETING = "telemarketing",
  TOBACCO_PRODUCTS = "tobaccoProducts",
  TRADE_IN_PRECIOUS_METALS_AND_JEWELLERY = "tradeInPreciousMetalsAndJewellery",
  TRANSPORTATION_OR_LOGISTICS = "transportationOrLogistics",
  TRAVEL_OR_LEISURE = "travelOrLeisure",
  VIRTUAL_ASSET_SERVICES = "virtualAssetServices",
  OTHER = "other",
}

export enum Turnover {
  BELLOW_100K_EUR = "bellow100KEur",
  BETWEEN_100K_AND_500K_EUR = "between100KAnd500KEur",
  BETWEEN_500K_AND_1000K_EUR = "between500KAnd1000KEur",
  BETWEEN_1000K_AND_5000K_EUR = "between1000KAnd5000KEur",
  ABOVE_5000K_EUR = "above5000KEur",
}

export enum CompanyType {
  SOLE_TRADER = "soleTrader",
  PARTNERSHIP = "partnership",
  PRIVATE = "private",
  NON_PROFIT = "nonProfit",
  COMMUNITY_INTEREST = "communityInterest",
  PUBLIC = "public",
  INTERNATIONAL_NGO = "internationalNgo",
}

/** Regions money is paid in from or out to (`payInsCountries`, `payOutsCountries`). */
export enum PaymentRegion {
  UK = "uk",
  EEA = "eea",
  OTHER = "other",
}

export enum AccountOpeningPurpose {
  ADMINISTRATIVE_AND_OPERATIONAL_EXPENSES = "administrativeAndOperationalExpenses",
  PAYMENTS_TO_AND_FROM_CONTRACTORS = "paymentsToAndFromContractors",
  DEPOSITS_AND_SAVINGS = "depositsAndSavings",
  PAYMENT_CARD_PROCESSING = "paymentCardProcessing",
  OTHER = "other",
}
