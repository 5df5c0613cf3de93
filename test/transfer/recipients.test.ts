/** Recipients: adding with IBAN checks, listing, hiding, and who sees what. */
import { randomUUID } from "node:crypto";
import { type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const ADD = `mutation($input: AddRecipientInput!) { addRecipient(input: $input) { id clientId name iban bic currency country visible } }`;
const LIST = `query($filter: RecipientFilterInput) { recipients(filter: $filter) { totalCount nodes { id } } }`;

function recipient(overrides: Record<string, unknown> = {}) {
  return {
    clientId: randomUUID(),
    name: "Acme GmbH",
    iban: "de89 3704 0044 0532 0130 00",
    bic: "cobadeffxxx",
    currency: "EUR",
    ...overrides,
  };
}

describe("recipients", () => {
  it("When a recipient is added, then its IBAN is normalised and its country taken from it", async () => {
    const input = recipient();
    const result = await stack.graphql(ADD, { input });
    expect(result.data!.addRecipient).toMatchObject({
      clientId: input.clientId,
      iban: "DE89370400440532013000",
      bic: "COBADEFFXXX",
      currency: "EUR",
      country: "DE",
      visible: true,
    });
  });

  it.each([
    ["a wrong check digit", "DE88370400440532013000", "ibanChecksum"],
    ["a wrong length for the country", "DE8937040044053201300", "ibanLength"],
    ["no country code", "1289370400440532013000", "ibanFormat"],
  ])("When the IBAN has %s, then VALIDATION_FAILED names iban and %s", async (_case, iban, rule) => {
    const result = await stack.graphql(ADD, { input: recipient({ iban }) });
    expect(result.errors![0].extensions!.fields).toEqual([expect.objectContaining({ field: "iban", rule })]);
  });

  it("When the same IBAN and currency are added twice for a client, then RECIPIENT_ALREADY_EXISTS names the first", async () => {
    const input = recipient();
    const first = await stack.graphql(ADD, { input });
    const again = await stack.graphql(ADD, {
      input: { ...input, iban: "DE89370400440532013000", name: "Other" },
    });
    expect(again.errors![0].extensions).toMatchObject({
      code: "RECIPIENT_ALREADY_EXISTS",
      recipientId: first.data!.addRecipient.id,
    });
    const usd = await stack.graphql(ADD, { input: { ...input, currency: "USD" } });
    expect(usd.errors).toBeUndefined();
  });

  it("When a recipient is hidden, then it leaves the list but can still be read, and shown again", async () => {
    const clientId = randomUUID();
    const kept = (await stack.graphql(ADD, { input: recipient({ clientId }) })).data!.addRecipient;
    const hidden = (
      await stack.graphql(ADD, {
        input: recipient({ clientId, iban: "GB82WEST12345698765432", currency: "GBP" }),
      })
    ).data!.addRecipient;
    const hide = await stack.graphql(
      `mutation($id: ID!) { setRecipientVisibility(id: $id, visible: false) { visible } }`,
      {
        id: hidden.id,
      },
    );
    expect(hide.data!.setRecipientVisibility.visible).toBe(false);
    expect((await stack.graphql(LIST, { filter: { clientId } })).data!.recipients).toEqual({
      totalCount: 1,
      nodes: [{ id: kept.id }],
    });
    expect(
      (await stack.graphql(LIST, { filter: { clientId, includeHidden: true } })).data!.recipients.totalCount,
    ).toBe(2);
    expect(
      (await stack.graphql(`query($id: ID!) { recipient(id: $id) { visible } }`, { id: hidden.id })).data!
        .recipient,
    ).toEqual({
      visible: false,
    });
    const missing = await stack.graphql(
      `mutation($id: ID!) { setRecipientVisibility(id: $id, visible: true) { id } }`,
      {
        id: randomUUID(),
      },
    );
    expect(missing.errors![0].extensions!.code).toBe("RECIPIENT_NOT_FOUND");
  });

  it("When a front-office user adds, lists or reads recipients, then only its own client's", async () => {
    const clientId = randomUUID();
    const token = await stack.clientToken(clientId);
    const own = await stack.graphql(ADD, { input: { ...recipient(), clientId: undefined } }, { token });
    expect(own.data!.addRecipient.clientId).toBe(clientId);
    const others = (await stack.graphql(ADD, { input: recipient() })).data!.addRecipient;

    expect((await stack.graphql(LIST, {}, { token })).data!.recipients).toEqual({
      totalCount: 1,
      nodes: [{ id: own.data!.addRecipient.id }],
    });
    for (const [query, variables] of [
      [`query($id: ID!) { recipient(id: $id) { id } }`, { id: others.id }],
      [`mutation($id: ID!) { setRecipientVisibility(id: $id, visible: false) { id } }`, { id: others.id }],
      [ADD, { input: recipient() }],
      [LIST, { filter: { clientId: others.clientId } }],
    ] as const) {
      const result = await stack.graphql(query, variables, { token });
      expect({ query, code: result.errors?.[0].extensions?.code }).toEqual({ query, code: "FORBIDDEN" });
    }
  });
});

describe("Recipients REST routes", () => {
  it("When a front-office user adds, lists, reads and hides a recipient over REST, then the documented shapes come back", async () => {
    const clientId = randomUUID();
    const token = await stack.clientToken(clientId);
    const added = await stack.rest("POST", "/Recipients", {
      token,
      body: { name: "Bob Smith", iban: "GB82 WEST 1234 5698 7654 32", currency: "GBP" },
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({
      clientId,
      iban: "GB82WEST12345698765432",
      country: "GB",
      visible: true,
    });

    const list = await stack.rest("GET", "/Recipients", { token });
    expect(list.body).toMatchObject({ totalCount: 1, items: [{ id: added.body.id }] });
    const read = await stack.rest("GET", `/Recipients/${added.body.id}`, { token });
    expect(read.body.name).toBe("Bob Smith");
    const hidden = await stack.rest("PUT", `/Recipients/${added.body.id}/visibility`, {
      token,
      body: { visible: false },
    });
    expect(hidden.body.visible).toBe(false);
    expect((await stack.rest("GET", "/Recipients", { token })).body.totalCount).toBe(0);

    const bad = await stack.rest("POST", "/Recipients", {
      token,
      body: { name: "x", iban: "GB00WEST12345698765432", currency: "GBP" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: "iban", rule: "ibanChecksum" })]);
    const duplicate = await stack.rest("POST", "/Recipients", {
      token,
      body: { name: "Bob", iban: "GB82WEST12345698765432", currency: "GBP" },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe("RECIPIENT_ALREADY_EXISTS");

    const otherToken = await stack.clientToken(randomUUID());
    const forbidden = await stack.rest("GET", `/Recipients/${added.body.id}`, { token: otherToken });
    expect(forbidden.status).toBe(403);
    const missing = await stack.rest("GET", `/Recipients/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("RECIPIENT_NOT_FOUND");
  });
});
