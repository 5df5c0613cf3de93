/**
 * What `npm run seed` creates: a few obviously fake people, their accounts, recipients and one
 * transfer per state a dashboard shows. Each `key` here is the root of an idempotency key and
 * accounts are found again by name, so a second run finds what the first made instead of adding more.
 */

export interface DemoAccount {
  /** `<client key>.<account key>` names the account in {@link DEMO_TRANSFERS}. */
  key: string;
  currency: string;
  /** Also how a second run finds the account: openAccount takes no idempotency key. */
  name: string;
  /** Paid in from the currency's settlement account; none leaves the account empty. */
  deposit?: string;
}

export interface DemoRecipient {
  key: string;
  name: string;
  /** Published specimen IBANs: valid check digits, nobody's account. */
  iban: string;
  currency: string;
}

export interface DemoClient {
  key: string;
  externalId: string;
  firstName: string;
  lastName: string;
  /** ISO 3166-1 alpha-2: residence, citizenship and the passport's issuer. */
  country: string;
  address: { streetLine1: string; city: string; zip: string };
  phoneNumber: string;
  dateOfBirth: string;
  passport: { number: string; issuedBy: string };
  accounts: DemoAccount[];
  recipients: DemoRecipient[];
}

/** Addresses an account as `<client key>.<account key>`, a recipient as `<client key>.<recipient key>`. */
export type DemoTransfer = { key: string; amount: string } & (
  | { kind: "INTERNAL"; from: string; to: string; reference: string; status: "COMPLETED" | "FAILED" }
  | {
      kind: "OUTGOING";
      reference: string;
      from: string;
      recipient: string;
      status: "PENDING_CONFIRMATION" | "PROCESSING" | "COMPLETED" | "CANCELLED" | "FAILED";
    }
  | {
      kind: "INCOMING";
      /** An account, or a number no account has (the money waits in suspense). */
      to: string | { unknownNumber: string; currency: string };
      sender: { name: string; iban: string };
      reference: string;
      status: "COMPLETED" | "UNRECOGNIZED";
    }
  | { kind: "FX"; from: string; to: string; status: "COMPLETED" }
);

export const DEMO_CLIENTS: DemoClient[] = [
  {
    key: "joe",
    externalId: "demo-joe-bloggs",
    firstName: "Joe",
    lastName: "Bloggs",
    country: "GB",
    address: { streetLine1: "1 Example Street", city: "London", zip: "E1 6AN" },
    phoneNumber: "+442071234567",
    dateOfBirth: "1984-05-12",
    passport: { number: "DEMO00001", issuedBy: "HM Passport Office" },
    accounts: [
      { key: "eur", currency: "EUR", name: "Everyday account", deposit: "4000.00" },
      { key: "usd", currency: "USD", name: "Travel dollars", deposit: "750.00" },
    ],
    recipients: [
      { key: "landlord", name: "Jean Dupont", iban: "FR1420041010050500013M02606", currency: "EUR" },
    ],
  },
  {
    key: "erika",
    externalId: "demo-erika-mustermann",
    firstName: "Erika",
    lastName: "Mustermann",
    country: "DE",
    address: { streetLine1: "Musterstrasse 1", city: "Berlin", zip: "10115" },
    phoneNumber: "+4930123456789",
    dateOfBirth: "1979-08-12",
    passport: { number: "DEMO00002", issuedBy: "Stadt Berlin" },
    accounts: [
      { key: "eur", currency: "EUR", name: "Girokonto", deposit: "2500.00" },
      { key: "savings", currency: "EUR", name: "Savings", deposit: "10000.00" },
    ],
    recipients: [{ key: "max", name: "Max Mustermann", iban: "DE89370400440532013000", currency: "EUR" }],
  },
  {
    key: "jane",
    externalId: "demo-jane-doe",
    firstName: "Jane",
    lastName: "Doe",
    country: "US",
    address: { streetLine1: "123 Main Street", city: "Springfield", zip: "12345" },
    phoneNumber: "+12025550123",
    dateOfBirth: "1990-02-03",
    passport: { number: "DEMO00003", issuedBy: "U.S. Department of State" },
    accounts: [
      { key: "usd", currency: "USD", name: "Checking", deposit: "3200.00" },
      { key: "eur", currency: "EUR", name: "Euro wallet" },
    ],
    recipients: [{ key: "fred", name: "Fred Bloggs", iban: "GB82WEST12345698765432", currency: "USD" }],
  },
  {
    key: "mario",
    externalId: "demo-mario-rossi",
    firstName: "Mario",
    lastName: "Rossi",
    country: "IT",
    address: { streetLine1: "Via Esempio 1", city: "Roma", zip: "00184" },
    phoneNumber: "+390612345678",
    dateOfBirth: "1975-11-30",
    passport: { number: "DEMO00004", issuedBy: "Questura di Roma" },
    accounts: [{ key: "eur", currency: "EUR", name: "Conto corrente", deposit: "1800.00" }],
    recipients: [
      { key: "condo", name: "Condominio Esempio", iban: "IT60X0542811101000000123456", currency: "EUR" },
    ],
  },
  {
    key: "jan",
    externalId: "demo-jan-jansen",
    firstName: "Jan",
    lastName: "Jansen",
    country: "NL",
    address: { streetLine1: "Voorbeeldstraat 1", city: "Amsterdam", zip: "1012 AB" },
    phoneNumber: "+31201234567",
    dateOfBirth: "1995-04-21",
    passport: { number: "DEMO00005", issuedBy: "Gemeente Amsterdam" },
    // Short of money on purpose: his transfers are the refused ones.
    accounts: [{ key: "eur", currency: "EUR", name: "Betaalrekening", deposit: "40.00" }],
    recipients: [{ key: "piet", name: "Piet Pietersen", iban: "NL91ABNA0417164300", currency: "EUR" }],
  },
];

export const DEMO_TRANSFERS: DemoTransfer[] = [
  {
    key: "internal-savings",
    kind: "INTERNAL",
    from: "erika.eur",
    to: "erika.savings",
    amount: "500.00",
    reference: "Monthly savings",
    status: "COMPLETED",
  },
  {
    key: "internal-dinner",
    kind: "INTERNAL",
    from: "joe.eur",
    to: "mario.eur",
    amount: "120.00",
    reference: "Dinner in Rome",
    status: "COMPLETED",
  },
  {
    key: "internal-tickets",
    kind: "INTERNAL",
    from: "jan.eur",
    to: "erika.eur",
    amount: "900.00",
    reference: "Concert tickets",
    status: "FAILED",
  },
  {
    key: "outgoing-service-charge",
    kind: "OUTGOING",
    from: "mario.eur",
    recipient: "mario.condo",
    amount: "85.00",
    reference: "Service charge",
    status: "PENDING_CONFIRMATION",
  },
  {
    key: "outgoing-rent-share",
    kind: "OUTGOING",
    from: "erika.eur",
    recipient: "erika.max",
    amount: "250.00",
    reference: "Rent share",
    status: "PROCESSING",
  },
  {
    key: "outgoing-deposit",
    kind: "OUTGOING",
    from: "joe.eur",
    recipient: "joe.landlord",
    amount: "300.00",
    reference: "Flat deposit",
    status: "COMPLETED",
  },
  {
    key: "outgoing-order",
    kind: "OUTGOING",
    from: "jane.usd",
    recipient: "jane.fred",
    amount: "1000.00",
    reference: "Order 1001 (cancelled)",
    status: "CANCELLED",
  },
  {
    key: "outgoing-laptop",
    kind: "OUTGOING",
    from: "jan.eur",
    recipient: "jan.piet",
    amount: "400.00",
    reference: "Second-hand laptop",
    status: "FAILED",
  },
  {
    key: "incoming-salary",
    kind: "INCOMING",
    to: "mario.eur",
    sender: { name: "Esempio S.r.l.", iban: "IT60X0542811101000000123456" },
    amount: "2100.00",
    reference: "Salary",
    status: "COMPLETED",
  },
  {
    key: "incoming-unknown",
    kind: "INCOMING",
    to: { unknownNumber: "999999999999", currency: "EUR" },
    sender: { name: "Max Mustermann", iban: "DE89370400440532013000" },
    amount: "75.00",
    reference: "Refund",
    status: "UNRECOGNIZED",
  },
  {
    key: "fx-holiday",
    kind: "FX",
    from: "joe.eur",
    to: "joe.usd",
    amount: "200.00",
    status: "COMPLETED",
  },
];
