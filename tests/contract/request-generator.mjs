// The property-based request generator over the API's OpenAPI document, shared by the contract test
// (tests/contract/contract.mjs) and the reliability suite's bad-input section (tests/reliability).
// fast-check is passed in, so that each suite resolves it from its own node_modules.
//
//   const generate = requestGenerator(fc, { tenantId, cursor, knownIds });
//   fc.assert(fc.asyncProperty(generate(path, method, operation), async (request) => ...));
//
// knownIds(parameterName, path) returns ids that exist (so that reads and writes reach the handlers,
// not only the 404 branch) or undefined; generated ids mix them with random UUIDs and junk.

export function requestGenerator(fc, { tenantId, cursor, knownIds = () => undefined, spec, schemaBodies = false } = {}) {
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
    const bodies = [fc.constant(example), mutated, fc.constant({}), fc.constant("not json"), fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 })];
    // schemaBodies (the reliability suite): also bodies of the documented shape, every field at its
    // edges (huge, empty, wrong type, odd characters), twice as often as the others together.
    if (schemaBodies && media.schema) bodies.push(...Array(10).fill(fromSchema(media.schema, 0)));
    return fc.oneof(...bodies);
  }

  const edgeStrings = fc.constantFrom("", " ", "x".repeat(10_000), "\u0000", "\uFEFF\u202E", "😀".repeat(50), "{{ data.x }}", "{{", "../../etc/passwd",
    "null", "0", "-1", "1e999", "NaN", "2026-13-45T25:61:61Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "http://[::1", "https://", "*", "a.b.c", "$.x", "\ud800");
  const edgeNumbers = fc.constantFrom(0, -1, 1.5, -0.0001, 2147483647, 2147483648, -2147483649, 9007199254740991, 1e21, 1e308, -1e308);
  const anyJson = fc.oneof(fc.constant(null), fc.boolean(), edgeNumbers, edgeStrings, fc.constant([]), fc.constant({}), fc.constant([[[]]]));
  const resolve = (schema) => {
    for (let i = 0; schema?.$ref && i < 10; i++) schema = schema.$ref.split("/").slice(1).reduce((node, part) => node?.[part.replaceAll("~1", "/").replaceAll("~0", "~")], spec);
    return schema ?? {};
  };
  function fromSchema(schema, depth) {
    schema = resolve(schema);
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives) return fc.oneof(...alternatives.map((s) => fromSchema(s, depth)), anyJson);
    if (schema.allOf) return fromSchema(Object.assign({}, ...schema.allOf.map(resolve)), depth);
    const types = [].concat(schema.type ?? (schema.properties ? "object" : [])).filter((t) => t !== "null");
    const wrong = anyJson;
    if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), edgeStrings, wrong);
    if (depth > 4) return wrong;
    switch (types[0]) {
      case "object": {
        const props = Object.entries(schema.properties ?? {});
        const record = fc.record(Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v, depth + 1)])), { requiredKeys: [] });
        const extra = fc.dictionary(fc.constantFrom("extra", "__proto__", "constructor", ""), anyJson, { maxKeys: 2 });
        const free = schema.additionalProperties && typeof schema.additionalProperties === "object" ? fc.dictionary(fc.string({ maxLength: 8 }), fromSchema(schema.additionalProperties, depth + 1), { maxKeys: 4 }) : fc.constant({});
        return fc.oneof({ weight: 6, arbitrary: fc.tuple(record, extra, free).map(([r, e, f]) => ({ ...f, ...e, ...r })) }, { weight: 1, arbitrary: wrong });
      }
      case "array": {
        const item = fromSchema(schema.items ?? {}, depth + 1);
        return fc.oneof(fc.array(item, { maxLength: 4 }), item.map((x) => Array(200).fill(x)), wrong);
      }
      case "integer":
      case "number": return fc.oneof(fc.integer({ min: -1000, max: 100000 }), edgeNumbers, fc.integer().map(String), wrong);
      case "boolean": return fc.oneof(fc.boolean(), fc.constantFrom("true", 1, 0), wrong);
      case "string": {
        const known = schema.format === "uuid" ? fc.uuid() : schema.format === "date-time" ? fc.date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString())
          : schema.format === "uri" ? fc.constantFrom("https://93.184.215.14/x", "https://example.com/a?b=c", "mailto:a@b.c", "javascript:alert(1)") : fc.string({ maxLength: 20 });
        return fc.oneof(known, edgeStrings, wrong);
      }
      default: return anyJson;
    }
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
