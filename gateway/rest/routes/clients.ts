/**
 * ClientProfile routes: the documented onboarding import, `GET /internal/Clients/{clientId}`,
 * and the other ClientProfile System routes of DESIGN.md section 7.
 */
import { type GraphQLObjectType, type GraphQLSchema, Kind, parse } from "graphql";
import { jsonSchemaOfType, type JsonSchema } from "../json-schema";
import { toRest } from "../convert";
import type { RestRoute } from "../route";
import { type ActionRoute, actionRoute, type Dto, dtoOf, listRoute } from "./shared";

const CLIENT_DTO_FRAGMENT = `
fragment ClientDto on Client {
  id type externalId editorUserId onboardingId status
  address { streetLine1 streetLine2 city state zip country }
  phoneNumber email created riskLevelCode isDefaultCompliant
  firstName lastName dateOfBirth citizenshipCountry residenceCountry
  identificationDocument { issuedBy expirationDate type number issuedCountryCode issuedDate }
  legalName companyRegistrationDate countryOfRegistration taxResidencyCountry registrationNumber
  industry industryOther turnover webSite taxNumber payInsCountries payOutsCountries
  isEngagedGambling10K isFoundation isPubliclyListed isRelevantActivity
  purposesAccountOpening purposesAccountOpeningOther
  businessPartners {
    name incorporationCountryCode plannedTransfersQuantityMonth plannedTransfersEurVolumeMonth
    additionalInfo basisPartnership website
  }
  fundFlows {
    plannedIncomingTransfersQuantity plannedIncomingTransfersEurVolume
    plannedOutboundTransfersQuantity plannedOutboundTransfersEurVolume
  }
  complianceEvaluation { reviewPeriodicity appliedLimits additionalInfo }
  relatedIndividuals {
    firstName lastName email isUbo isShareholder isDirector isRepresentative isPep
    residenceCountry citizenshipCountry birthDate ownership
    document { issuedBy expirationDate type number issuedCountryCode issuedDate }
    beneficialOwnerPepDetails usaTaxResidency giinNumber
    residentialAddress { streetLine1 streetLine2 city state zip country }
    applicantId percentageOwnership
  }
  companyType
}`;

/** Top-level fields of the fragment: the ClientDto's fields as GraphQL names them. */
const DTO_FIELDS = (() => {
  const fragment = parse(CLIENT_DTO_FRAGMENT).definitions[0];
  if (fragment.kind !== Kind.FRAGMENT_DEFINITION) throw new Error("ClientDto fragment expected");
  return fragment.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : ""));
})();

/**
 * A GraphQL `Client` as the documented ClientDto: enum values in the documented spelling,
 * and `riskLevel` as ClientDto's int32 (GraphQL's `riskLevelCode`).
 */
function toClientDto(client: Record<string, unknown>, schema: GraphQLSchema): Record<string, unknown> {
  const { riskLevelCode, ...rest } = toRest(client, schema.getType("Client") as GraphQLObjectType) as Record<
    string,
    unknown
  >;
  return { ...rest, riskLevel: riskLevelCode, customOptions: null };
}

function clientDtoSchema(schema: GraphQLSchema): JsonSchema {
  const base = jsonSchemaOfType(schema, "Client", DTO_FIELDS) as { properties: Record<string, JsonSchema> };
  const { riskLevelCode, ...properties } = base.properties;
  return {
    ...base,
    properties: {
      ...properties,
      riskLevel: { ...riskLevelCode, description: "low 1, medium 2, high 3, prohibited 4" },
      customOptions: { nullable: true },
    },
  };
}

const CLIENT_DTO: Dto = {
  name: "ClientDto",
  fragment: CLIENT_DTO_FRAGMENT,
  ref: { $ref: "#/components/schemas/ClientDto" },
  component: (schema) => ({ ClientDto: clientDtoSchema(schema) }),
  toRest: (value, schema) =>
    Array.isArray(value)
      ? value.map((client: Record<string, unknown>) => toClientDto(client, schema))
      : toClientDto(value as Record<string, unknown>, schema),
};

const TAG = "ClientProfile - System";

/** A status change of the client at `{clientId}`: the body's fields are the mutation's arguments. */
function statusChangeRoute(
  route: Pick<ActionRoute, "method" | "path" | "summary" | "mutation" | "body">,
): RestRoute {
  return actionRoute({ tag: TAG, auth: "system", param: "clientId", answer: CLIENT_DTO, ...route });
}

/** The ClientDto's fields a front-office caller sees of its own profile: no risk or compliance assessment. */
const OWN_PROFILE_FRAGMENT = CLIENT_DTO_FRAGMENT.replace("fragment ClientDto", "fragment OwnClientDto")
  .replace(" riskLevelCode isDefaultCompliant", "")
  .replace(/\n {2}complianceEvaluation \{[^}]*\}/, "");
const OWN_PROFILE: Dto = {
  name: "OwnClientDto",
  fragment: OWN_PROFILE_FRAGMENT,
  ref: { $ref: "#/components/schemas/OwnClientDto" },
  component: (schema) => {
    const fields = DTO_FIELDS.filter((f) => !OWN_PROFILE_HIDDEN.includes(f));
    return {
      OwnClientDto: {
        ...jsonSchemaOfType(schema, "Client", fields),
        description: "ClientDto without the bank's risk and compliance assessment",
      },
    };
  },
  toRest: (value, schema) => ({
    ...(toRest(value, schema.getType("Client") as GraphQLObjectType) as Record<string, unknown>),
    customOptions: null,
  }),
};
const OWN_PROFILE_HIDDEN = ["riskLevelCode", "isDefaultCompliant", "complianceEvaluation"];

export const clientComponentSchemas = (schema: GraphQLSchema) => ({
  ...CLIENT_DTO.component(schema),
  ...OWN_PROFILE.component(schema),
});

export const clientRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/Clients/me",
    summary:
      "The front-office caller's own client profile: ClientDto without the bank's risk and compliance assessment (riskLevel, isDefaultCompliant, complianceEvaluation). 403 for a system token",
    tag: "ClientProfile - FrontOffice",
    auth: "any",
    operation: `query Me { me { ...OwnClientDto } } ${OWN_PROFILE_FRAGMENT}`,
    result: dtoOf("me", OWN_PROFILE),
    resultSchema: () => OWN_PROFILE.ref,
    notFoundCode: "CLIENT_NOT_FOUND",
  },
  {
    method: "post",
    path: "/integration/clients/individuals",
    summary: "Imports a new individual client from an integrated WL customer's onboarding system",
    tag: "Onboarding Integration",
    auth: "system",
    input: { body: "input" },
    operation: `mutation ImportIndividualClient($input: ImportIndividualClientInput!) {
      importIndividualClient(input: $input) { clientId externalId }
    }`,
    result: (data) => data.importIndividualClient,
    resultSchema: (schema) => jsonSchemaOfType(schema, "ImportClientResult"),
  },
  {
    method: "get",
    path: "/internal/Clients/{clientId}",
    summary: "Fetch a client (ClientDto) by id",
    tag: TAG,
    auth: "system",
    input: { params: { clientId: "id" } },
    operation: `query InternalClient($id: ID!) { client(id: $id) { ...ClientDto } } ${CLIENT_DTO_FRAGMENT}`,
    result: dtoOf("client", CLIENT_DTO),
    resultSchema: () => CLIENT_DTO.ref,
    notFoundCode: "CLIENT_NOT_FOUND",
  },
  listRoute({
    path: "/internal/Clients",
    summary: "List clients in creation order, filtered, one page at a time",
    tag: TAG,
    auth: "system",
    name: "InternalClients",
    field: "clients",
    filter: {
      status: { type: "ClientStatus", description: "inactive, active or blocked" },
      type: { type: "ClientType", description: "individual or company" },
      riskLevel: { type: "RiskLevel", description: "low, medium, high or prohibited" },
      search: { type: "String", description: "Part of a name, legal name, email or external id" },
    },
    items: CLIENT_DTO,
  }),
  statusChangeRoute({
    method: "post",
    path: "/internal/Clients/{clientId}/block",
    summary: "Block a client (inactive or active -> blocked); body `{reason}` optional",
    mutation: "blockClient",
    body: { reason: "String" },
  }),
  statusChangeRoute({
    method: "post",
    path: "/internal/Clients/{clientId}/unblock",
    summary: "Unblock a client (blocked -> active); body `{reason}` optional",
    mutation: "unblockClient",
    body: { reason: "String" },
  }),
  statusChangeRoute({
    method: "put",
    path: "/internal/Clients/{clientId}/status",
    summary: "Set a client's status; body `{status, reason}`",
    mutation: "setClientStatus",
    body: { status: "ClientStatus!", reason: "String" },
  }),
];
