// The property-based request generator over the API's OpenAPI document, shared by the contract test
// (tests/contract/contract.mjs) and the reliability suite's bad-input section (tests/reliability).
// fast-check is passed in, so that each suite resolves it from its own node_modules.
//
//   const generate = requestGenerator(fc, { tenantId, cursor, knownIds });
//   fc.assert(fc.asyncProperty(generate(path, method, operation), async (request) => ...));
//
// knownIds(parameterName, path) returns ids that exist (so that reads and writes reach the handlers,
// not only the 404 branch) or undefined; generated ids mix them with random UUIDs and junk.

export function requestGenerator(fc, { tenantId, cursor, knownIds = () => undefined } = {}) {
  const junk = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", "-1", "0", "1e9", "%00", "null", "true", "ik_" + "x".repeat(30)));
  const uuid = fc.uuid();

  function idFor(name, path) {
    const known = knownIds(name, path);
    if (name === "name" && !known) return fc.oneof(fc.constantFrom("tenants", "events", "api_keys"), junk);
    return known?.length ? fc.oneof(fc.constantFrom(...known), uuid) : uuid;
  }

  function valueFor(parameter) {
    const schema = parameter.schema ?? {};
    if (parameter.name === "tenant_id") return tenantId ? fc.oneof(fc.constant(tenantId), uuid, junk) : fc.oneof(uuid, junk);
    if (parameter.name === "cursor") return fc.oneof(fc.constant(cursor ?? "x"), junk);
    if (parameter.name === "sort") {
      const orders = ((parameter.description ?? "").match(/Supported orders: ([^(]*)/)?.[1] ?? "").split(";").map((s) => s.trim()).filter(Boolean);
      return fc.oneof(fc.constantFrom(...orders.length ? orders : ["created_at:desc"]), fc.constantFrom(...(orders.length ? orders : ["created_at:desc"]).map((o) => o.replaceAll(":desc", ":asc"))), junk);
    }
    if (parameter.name === "fields") {
      const names = ((parameter.description ?? "").match(/Fields: (.*)\.$/)?.[1] ?? "id").split(", ");
      return fc.oneof(fc.subarray(names, { minLength: 1 }).map((s) => s.join(",")), junk);
    }
    if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), junk);
    if (schema.format === "date-time") return fc.oneof(fc.date({ min: new Date("2020-01-01"), max: new Date("2030-01-01"), noInvalidDate: true }).map((d) => d.toISOString()), junk);
    if ([].concat(schema.type).includes("integer")) return fc.oneof(fc.integer({ min: -5, max: 150 }).map(String), junk);
    return junk;
  }

  function bodyFor(operation) {
    const media = operation.requestBody?.content?.["application/json"];
    if (!media) return fc.constant(undefined);
    const example = media.example ?? {};
    const mutated = fc.record(Object.fromEntries(Object.keys(example).map((k) => [k, fc.oneof(fc.constant(example[k]), fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null))])));
    return fc.oneof(fc.constant(example), mutated, fc.constant({}), fc.constant("not json"), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }));
  }

  return function requestFor(path, method, operation) {
    const parameters = operation.parameters ?? [];
    const pathParameters = parameters.filter((p) => p.in === "path");
    const query = parameters.filter((p) => p.in === "query");
    return fc.record({
      path: fc.tuple(...pathParameters.map((p) => idFor(p.name, path))).map((values) =>
        pathParameters.reduce((result, p, i) => result.replace(`{${p.name}}`, encodeURIComponent(values[i])), path)),
      query: fc.tuple(...query.map((p) => fc.option(valueFor(p), { nil: undefined })), fc.option(fc.constantFrom("colour", "Limit", "unknown"), { nil: undefined }))
        .map((values) => {
          const search = new URLSearchParams();
          query.forEach((p, i) => { if (values[i] !== undefined) search.append(p.name, values[i]); });
          if (values[query.length]) search.append(values[query.length], "x");
          return search.toString();
        }),
      body: bodyFor(operation),
      idempotencyKey: fc.option(fc.uuid(), { nil: undefined }),
    });
  };
}

/** Every operation of the document: [path, method, operation]. */
export function operationsOf(spec) {
  return Object.entries(spec.paths).flatMap(([path, item]) => Object.entries(item)
    .filter(([method]) => ["get", "post", "put", "patch", "delete"].includes(method))
    .map(([method, operation]) => [path, method, operation]));
}
