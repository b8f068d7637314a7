using System.Text.Json;
using System.Text.Json.Nodes;
using Integrations.Fakes.Common;
using Integrations.Fakes.Common.Auth;
using Integrations.Fakes.Common.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Integrations.Fakes.OAuth2Provider;

/// <summary>
/// A generic JSON API of records, per account: what a generic HTTP action creates and changes. Every
/// body is also in the request log (<c>GET /_fake/requests</c>).
/// </summary>
public static class RecordsApi
{
    public static void MapRecords(this RouteGroupBuilder api)
    {
        api.MapGet("/records", (HttpContext context, RecordStore store) =>
            Results.Ok(new { data = store.List(Account(context)) }));
        api.MapGet("/records/{id}", (string id, HttpContext context, RecordStore store) =>
            store.Find(Account(context), id) is { } record ? Results.Ok(record) : NotFound(id));

        api.MapPost("/records", async (HttpContext context, RecordStore store) =>
        {
            var (body, error) = await ReadObjectAsync(context.Request);
            if (body is null)
            {
                return error!;
            }
            var record = store.Put(Account(context), Tokens.New("rec_"), body);
            return Results.Created($"/api/records/{record["id"]}", record);
        });
        // PUT replaces the record, or creates it under the given id.
        api.MapPut("/records/{id}", async (string id, HttpContext context, RecordStore store) =>
        {
            var (body, error) = await ReadObjectAsync(context.Request);
            if (body is null)
            {
                return error!;
            }
            var existed = store.Find(Account(context), id) is not null;
            var record = store.Put(Account(context), id, body);
            return existed ? Results.Ok(record) : Results.Created($"/api/records/{id}", record);
        });
        // PATCH is a JSON merge patch (RFC 7396).
        api.MapPatch("/records/{id}", async (string id, HttpContext context, RecordStore store) =>
        {
            var (body, error) = await ReadObjectAsync(context.Request);
            if (body is null)
            {
                return error!;
            }
            return store.Merge(Account(context), id, body) is { } record ? Results.Ok(record) : NotFound(id);
        });
        api.MapDelete("/records/{id}", (string id, HttpContext context, RecordStore store) =>
            store.Delete(Account(context), id) ? Results.NoContent() : NotFound(id));
    }

    private static string Account(HttpContext context) => ResourceAuthentication.AccountOf(context).Id;

    private static IResult NotFound(string id) =>
        Results.NotFound(new { error = "not_found", message = $"No record '{id}'." });

    private static async Task<(JsonObject? Body, IResult? Error)> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return node is JsonObject body
                ? (body, null)
                : (null, Results.BadRequest(new { error = "invalid_json", message = "The body must be a JSON object." }));
        }
        catch (JsonException ex)
        {
            return (null, Results.BadRequest(new { error = "invalid_json", message = ex.Message }));
        }
    }
}

/// <summary>The records of every account, in memory.</summary>
public sealed class RecordStore : IFakeResettable
{
    private readonly Dictionary<(string Account, string Id), JsonObject> _records = [];

    public IReadOnlyList<JsonObject> List(string account)
    {
        lock (_records)
        {
            return _records.Where(r => r.Key.Account == account).Select(r => (JsonObject)r.Value.DeepClone()).ToList();
        }
    }

    public JsonObject? Find(string account, string id)
    {
        lock (_records)
        {
            return _records.TryGetValue((account, id), out var record) ? (JsonObject)record.DeepClone() : null;
        }
    }

    public JsonObject Put(string account, string id, JsonObject body)
    {
        var record = (JsonObject)body.DeepClone();
        record["id"] = id;
        lock (_records)
        {
            _records[(account, id)] = record;
            return (JsonObject)record.DeepClone();
        }
    }

    public JsonObject? Merge(string account, string id, JsonObject patch)
    {
        lock (_records)
        {
            if (!_records.TryGetValue((account, id), out var record))
            {
                return null;
            }
            MergePatch(record, patch);
            record["id"] = id;
            return (JsonObject)record.DeepClone();
        }
    }

    public bool Delete(string account, string id)
    {
        lock (_records)
        {
            return _records.Remove((account, id));
        }
    }

    public void Reset()
    {
        lock (_records)
        {
            _records.Clear();
        }
    }

    /// <summary>RFC 7396 §2: null removes a member, an object merges recursively, anything else replaces.</summary>
    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject inner)
            {
                if (target[name] is not JsonObject existing)
                {
                    target[name] = existing = [];
                }
                MergePatch(existing, inner);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }
}
